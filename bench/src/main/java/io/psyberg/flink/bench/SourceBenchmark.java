package io.psyberg.flink.bench;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.planning.StartFrom;
import io.psyberg.flink.source.PsybergSource;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.flink.data.FlinkParquetReaders;
import org.apache.iceberg.flink.source.IcebergSource;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;

/**
 * Source scan throughput: {@code PsybergSource} against Iceberg's {@code IcebergSource} over the
 * same snapshot range (incremental, from a start snapshot to the head) at the same parallelism, on
 * the same local Flink setup, and against a single-thread loop that reads the range's files with
 * Iceberg's own Flink Parquet reader (no Flink: the practical ceiling of one core). Rounds rotate
 * the order; both Flink jobs must count exactly the range's rows with the same checksum.
 */
final class SourceBenchmark {
  static final String USAGE =
      String.join(
          "\n",
          "Usage: java -Xmx4g -jar psyberg-bench.jar source [options]",
          "",
          "Source scan throughput: PsybergSource vs Iceberg's IcebergSource over the same snapshot"
              + " range",
          "(bounded, incremental from a start snapshot to the head), same parallelism, one JVM; and"
              + " a",
          "single-thread raw Parquet read loop of the same files (Iceberg's Flink RowData reader,"
              + " no Flink).",
          "",
          "  --quick              1,000,000 rows in 20 snapshots, 2 measured rounds (default"
              + " 4,000,000 in 40, 3 rounds)",
          "  --rows N             rows in the range read",
          "  --snapshots S        snapshots in the range (one data file each); one more snapshot"
              + " before it",
          "  --warmup W           unmeasured rounds (default 1)",
          "  --repeats R          measured rounds",
          "  --parallelism P      parallelism of both Flink jobs (default 2)",
          "  --dir DIR            warehouse folder (default: a temp folder, deleted at the end)",
          "  --keep               keep the temp warehouse",
          "  --help");

  private static final String TABLE = "bench.events";
  private static final String[] SIDES = {"psyberg", "iceberg", "raw"};

  private final long rows;
  private final int snapshots;
  private final int warmup;
  private final int repeats;
  private final int parallelism;
  private final CatalogSpec spec;
  private final Catalog catalog;
  private final PrintStream progress;
  private final List<String> errors = new ArrayList<>();

  /** Of the last Flink side: building the pipeline, and the whole execute() call, in ms. */
  private double lastBuildMillis;

  private double lastExecuteMillis;

  private SourceBenchmark(BenchArgs args, CatalogSpec spec, Catalog catalog, PrintStream progress) {
    this.rows = args.positive("rows", 1000000, 4000000);
    this.snapshots = args.positive("snapshots", 20, 40);
    this.warmup = args.nonNegative("warmup", 1, 1);
    this.repeats = args.positive("repeats", 2, 3);
    this.parallelism = args.positive("parallelism", 2, 2);
    if (rows < snapshots) {
      throw new IllegalArgumentException(
          "--rows "
              + rows
              + " is fewer than --snapshots "
              + snapshots
              + ": every snapshot needs a row.");
    }
    this.spec = spec;
    this.catalog = catalog;
    this.progress = progress;
  }

  static Benchmark.Result run(String[] argv, PrintStream progress) throws Exception {
    BenchArgs args =
        BenchArgs.parse(
            argv, Set.of("rows", "snapshots", "warmup", "repeats", "parallelism"), USAGE);
    if (args.help) {
      return Benchmark.Result.help(USAGE);
    }
    Path dir = args.warehouse("psyberg-bench-source");
    CatalogSpec spec = CatalogSpec.embedded(dir.toString());
    Catalog catalog = spec.open();
    try {
      return new SourceBenchmark(args, spec, catalog, progress).run();
    } finally {
      CatalogSpec.closeQuietly(catalog);
      args.cleanUp(dir, progress);
    }
  }

  /** The table and the range every side reads. */
  private static final class Range {
    long before;
    long head;
    long rows;
    long checksum;
    long files;
    long bytes;
    double buildSeconds;
  }

  private Benchmark.Result run() {
    long started = System.nanoTime();
    Range range = build();
    progress.printf(
        "Range: %,d rows in %d snapshots (%,d files, %.1f MB), built in %.1f s.%n",
        range.rows, snapshots, range.files, range.bytes / 1e6, range.buildSeconds);

    Map<String, List<Double>> millis = new LinkedHashMap<>();
    for (String side : SIDES) {
      millis.put(side, new ArrayList<>());
    }
    Map<String, List<Double>> cpu = new LinkedHashMap<>();
    for (String side : SIDES) {
      cpu.put(side, new ArrayList<>());
    }
    List<Double> psybergWall = new ArrayList<>();
    List<Double> icebergWall = new ArrayList<>();
    int rounds = warmup + repeats;
    for (int r = 0; r < rounds; r++) {
      boolean measured = r >= warmup;
      for (int k = 0; k < SIDES.length; k++) {
        String side = SIDES[(r + k) % SIDES.length];
        long t0 = System.nanoTime();
        double cpu0 = LocalFlink.processCpuMillis();
        double net = runSide(side, r, range);
        double cpuMillis = LocalFlink.processCpuMillis() - cpu0;
        double wall = (System.nanoTime() - t0) / 1e6;
        progress.printf(
            "  round %d%s %-8s %,8.0f ms (%s rows/s), CPU %,8.0f ms%s%n",
            r + 1,
            measured ? "" : " (warm-up)",
            side,
            net,
            LocalFlink.perSecond(range.rows, net),
            cpuMillis,
            side.equals("raw")
                ? ""
                : String.format(
                    Locale.ROOT,
                    "; pipeline built in %,.0f ms, execute() %,.0f ms",
                    lastBuildMillis,
                    lastExecuteMillis));
        if (measured) {
          millis.get(side).add(net);
          cpu.get(side).add(cpuMillis);
          if (side.equals("psyberg")) {
            psybergWall.add(wall);
          } else if (side.equals("iceberg")) {
            icebergWall.add(wall);
          }
        }
      }
    }
    String report =
        report(
            range,
            millis,
            cpu,
            LocalFlink.median(psybergWall),
            LocalFlink.median(icebergWall),
            (System.nanoTime() - started) / 1e9);
    if (!errors.isEmpty()) {
      return Benchmark.Result.failed(report, String.join("; ", errors));
    }
    return Benchmark.Result.ok(report);
  }

  private Range build() {
    TableIdentifier id = TableIdentifier.parse(TABLE);
    SupportsNamespaces namespaces = (SupportsNamespaces) catalog;
    if (!namespaces.namespaceExists(id.namespace())) {
      namespaces.createNamespace(id.namespace());
    }
    if (catalog.tableExists(id)) {
      catalog.dropTable(id, true);
    }
    Table table =
        catalog.createTable(
            id,
            EventRows.SCHEMA,
            PartitionSpec.unpartitioned(),
            Map.of(TableProperties.FORMAT_VERSION, "2"));
    long t0 = System.nanoTime();
    Range range = new Range();
    long perSnapshot = rows / snapshots;
    // One snapshot before the range (ids after the range's, not read), then the range: ids 0.. in
    // order.
    table
        .newFastAppend()
        .appendFile(EventRows.writeFile(table, rows, rows + perSnapshot, 0))
        .commit();
    range.before = table.currentSnapshot().snapshotId();
    long next = 0;
    for (int s = 0; s < snapshots; s++) {
      long to = s == snapshots - 1 ? rows : next + perSnapshot;
      table.newFastAppend().appendFile(EventRows.writeFile(table, next, to, s + 1)).commit();
      next = to;
      if ((s + 1) % 10 == 0) {
        progress.printf("  built %d/%d snapshots%n", s + 1, snapshots);
      }
    }
    range.head = table.currentSnapshot().snapshotId();
    range.rows = rows;
    range.checksum = EventRows.checksum(0, rows);
    try (CloseableIterable<FileScanTask> tasks = scan(table)) {
      for (FileScanTask task : tasks) {
        range.files++;
        range.bytes += task.file().fileSizeInBytes();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    range.buildSeconds = (System.nanoTime() - t0) / 1e9;
    return range;
  }

  private CloseableIterable<FileScanTask> scan(Table table) {
    return table
        .newIncrementalAppendScan()
        .fromSnapshotExclusive(rangeBefore(table))
        .toSnapshot(table.currentSnapshot().snapshotId())
        .planFiles();
  }

  private static long rangeBefore(Table table) {
    // The first snapshot of the table is the one before the range.
    long id = table.currentSnapshot().snapshotId();
    while (table.snapshot(id).parentId() != null) {
      id = table.snapshot(id).parentId();
    }
    return id;
  }

  /** Runs one side and returns its time in ms: the job's net runtime, or the loop's wall time. */
  private double runSide(String side, int round, Range range) {
    long[] counted;
    double millis;
    try {
      if (side.equals("raw")) {
        long t0 = System.nanoTime();
        counted = rawRead();
        millis = (System.nanoTime() - t0) / 1e6;
      } else {
        long built0 = System.nanoTime();
        StreamExecutionEnvironment env = LocalFlink.env(parallelism);
        if (side.equals("psyberg")) {
          PsybergSource source =
              PsybergSource.builder()
                  .catalog(spec)
                  .processName("bench_source_" + round)
                  .tables(TABLE)
                  .startFrom(StartFrom.snapshot(firstOfRange(range)))
                  .bounded()
                  .build();
          env.fromSource(source, WatermarkStrategy.noWatermarks(), "psyberg-source")
              .addSink(new CountingSink());
        } else {
          IcebergSource<RowData> source =
              IcebergSource.forRowData()
                  .tableLoader(TableLoader.fromCatalog(spec.loader(), TableIdentifier.parse(TABLE)))
                  .streaming(false)
                  .startSnapshotId(range.before)
                  .endSnapshotId(range.head)
                  .build();
          env.fromSource(
                  source,
                  WatermarkStrategy.noWatermarks(),
                  "iceberg-source",
                  InternalTypeInfo.of(EventRows.ROW_TYPE))
              .addSink(new CountingSink());
        }
        long exec0 = System.nanoTime();
        JobExecutionResult job = env.execute("bench " + side + " source " + round);
        lastBuildMillis = (exec0 - built0) / 1e6;
        lastExecuteMillis = (System.nanoTime() - exec0) / 1e6;
        counted = CountingSink.result(job);
        millis = job.getNetRuntime(TimeUnit.MICROSECONDS) / 1e3;
      }
    } catch (Exception e) {
      errors.add(side + " failed: " + e);
      progress.println("ERROR: " + side + " failed: " + e);
      return Double.NaN;
    }
    if (counted[0] != range.rows || counted[1] != range.checksum) {
      String msg =
          String.format(
              Locale.ROOT,
              "%s read %,d rows (checksum %d), expected %,d (checksum %d)",
              side,
              counted[0],
              counted[1],
              range.rows,
              range.checksum);
      errors.add(msg);
      progress.println("ERROR: " + msg);
    }
    return millis;
  }

  private long firstOfRange(Range range) {
    Table table = catalog.loadTable(TableIdentifier.parse(TABLE));
    long id = range.head;
    while (table.snapshot(id).parentId() != range.before) {
      id = table.snapshot(id).parentId();
    }
    return id;
  }

  /**
   * One thread, no Flink: plans the range and reads every file with Iceberg's Flink Parquet reader.
   */
  private long[] rawRead() throws IOException {
    Table table = catalog.loadTable(TableIdentifier.parse(TABLE));
    long rows = 0;
    long sum = 0;
    try (CloseableIterable<FileScanTask> tasks = scan(table)) {
      for (FileScanTask task : tasks) {
        try (CloseableIterable<RowData> records =
            Parquet.read(table.io().newInputFile(task.file().path().toString()))
                .project(table.schema())
                .split(task.start(), task.length())
                .createReaderFunc(
                    fileSchema -> FlinkParquetReaders.buildReader(table.schema(), fileSchema))
                .reuseContainers()
                .build()) {
          for (RowData r : records) {
            rows++;
            sum += EventRows.mix(r.getLong(EventRows.ID_FIELD));
          }
        }
      }
    }
    return new long[] {rows, sum};
  }

  private String report(
      Range range,
      Map<String, List<Double>> millis,
      Map<String, List<Double>> cpu,
      double psybergWall,
      double icebergWall,
      double seconds) {
    double p = LocalFlink.median(millis.get("psyberg"));
    double i = LocalFlink.median(millis.get("iceberg"));
    double raw = LocalFlink.median(millis.get("raw"));
    double pc = LocalFlink.median(cpu.get("psyberg"));
    double ic = LocalFlink.median(cpu.get("iceberg"));
    double rc = LocalFlink.median(cpu.get("raw"));
    Runtime rt = Runtime.getRuntime();
    StringBuilder out = new StringBuilder();
    out.append("## Source scan throughput vs IcebergSource\n\n");
    out.append(
        String.format(
            Locale.ROOT,
            "Run %s; JDK %s; %d cores; max heap %d MiB; parallelism %d; %,d rows (%d columns) in %d"
                + " snapshots of one Parquet file each (%,d files, %.1f MB), one snapshot before"
                + " the range; %d warm-up and %d measured rounds, order rotated; medians; Flink"
                + " figures are the job's net runtime (MiniCluster start and stop left out); total"
                + " %.0f s.%n%n",
            ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
            System.getProperty("java.version"),
            rt.availableProcessors(),
            rt.maxMemory() / (1024 * 1024),
            parallelism,
            range.rows,
            EventRows.SCHEMA.columns().size(),
            snapshots,
            range.files,
            range.bytes / 1e6,
            warmup,
            repeats,
            seconds));
    out.append(
        "| reader | ms | rows/s | throughput psyberg / this | CPU ms | CPU this / psyberg |\n"
            + "|---|---:|---:|---:|---:|---:|\n");
    out.append(
        String.format(
            Locale.ROOT,
            "| psyberg `PsybergSource`, p=%d | %s | %s | 1.00x | %s | 1.00x |%n",
            parallelism,
            LocalFlink.ms(p),
            LocalFlink.perSecond(range.rows, p),
            LocalFlink.ms(pc)));
    out.append(
        String.format(
            Locale.ROOT,
            "| iceberg `IcebergSource`, p=%d | %s | %s | **%.2fx** | %s | **%.2fx** |%n",
            parallelism,
            LocalFlink.ms(i),
            LocalFlink.perSecond(range.rows, i),
            i / p,
            LocalFlink.ms(ic),
            ic / pc));
    out.append(
        String.format(
            Locale.ROOT,
            "| raw Parquet loop, 1 thread | %s | %s | %.2fx | %s | %.2fx |%n",
            LocalFlink.ms(raw),
            LocalFlink.perSecond(range.rows, raw),
            raw / p,
            LocalFlink.ms(rc),
            rc / pc));
    out.append(
        "\n"
            + "CPU = this process's CPU time over the whole run of a side (every thread, GC and JIT"
            + " included; for Flink also the MiniCluster's start and stop); steadier than wall time"
            + " on a busy machine.\n");
    out.append(
        String.format(
            Locale.ROOT,
            "%nWall time of the whole `execute()` (MiniCluster start and stop included): psyberg %s"
                + " ms, iceberg %s ms (ratio %.2fx). Every run of each side counted %,d rows with"
                + " the expected checksum%s.%n",
            LocalFlink.ms(psybergWall),
            LocalFlink.ms(icebergWall),
            icebergWall / psybergWall,
            range.rows,
            errors.isEmpty() ? "" : " — **except: " + String.join("; ", errors) + "**"));
    return out.toString();
  }
}
