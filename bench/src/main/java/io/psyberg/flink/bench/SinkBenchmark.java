package io.psyberg.flink.bench;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.sink.PsybergSink;
import io.psyberg.flink.sink.PsybergSinkBuilder;
import java.io.PrintStream;
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
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.iceberg.DistributionMode;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.flink.sink.FlinkSink;

/**
 * Sink write throughput: {@code PsybergSink} (append) against Iceberg's {@code FlinkSink} on the
 * same generated rows, same parallelism, same table properties (Parquet), each run into a fresh
 * table; and the committer's share of a psyberg session (stage, audits, publish, metadata update),
 * read from the committer's metrics and the session log ({@link CommitterSteps}), without audits,
 * with metadata-only audits and with a data-scanning unique-key audit. Every run's table must hold
 * exactly the generated rows.
 */
final class SinkBenchmark {
  static final String USAGE =
      String.join(
          "\n",
          "Usage: java -Xmx4g -jar psyberg-bench.jar sink [options]",
          "",
          "Sink write throughput: PsybergSink (append) vs Iceberg's FlinkSink on the same generated"
              + " rows, same",
          "parallelism and table format, one JVM; and the committer's time (stage + audits +"
              + " publish + metadata)",
          "as a share of the write time, without audits, with metadata-only audits (not-null, row"
              + " bounds) and",
          "with a data-scanning unique-key audit.",
          "",
          "  --quick              500,000 rows, 2 measured rounds (default 1,000,000 rows, 3"
              + " rounds)",
          "  --rows N             rows written per run (default 1,000,000)",
          "  --warmup W           unmeasured rounds (default 1)",
          "  --repeats R          measured rounds",
          "  --parallelism P      writer parallelism of both sinks (default 2)",
          "  --dir DIR            warehouse folder (default: a temp folder, deleted at the end)",
          "  --keep               keep the temp warehouse (tables of each run are dropped once"
              + " checked)",
          "  --help");

  /** The four jobs of a round. */
  private enum Side {
    ICEBERG("iceberg `FlinkSink`"),
    PSYBERG("psyberg, no audits"),
    METADATA_AUDITS("psyberg + not-null, row-bounds (metadata only)"),
    UNIQUE_AUDIT("psyberg + unique(event_id) (reads data)");

    final String label;

    Side(String label) {
      this.label = label;
    }

    boolean psyberg() {
      return this != ICEBERG;
    }
  }

  /** Measured figures of one side, per measured round. */
  private static final class Samples {
    final List<Double> job = new ArrayList<>();
    final List<Double> cpu = new ArrayList<>();
    final List<Double> committer = new ArrayList<>();
    final List<Double> stage = new ArrayList<>();
    final List<Double> auditPublish = new ArrayList<>();
    final List<Double> metadata = new ArrayList<>();
    long files;
  }

  private final long rows;
  private final int warmup;
  private final int repeats;
  private final int parallelism;
  private final CatalogSpec spec;
  private final Catalog catalog;
  private final PrintStream progress;
  private final List<String> errors = new ArrayList<>();
  private final long expectedChecksum;

  private SinkBenchmark(BenchArgs args, CatalogSpec spec, Catalog catalog, PrintStream progress) {
    this.rows = args.positive("rows", 500000, 1000000);
    this.warmup = args.nonNegative("warmup", 1, 1);
    this.repeats = args.positive("repeats", 2, 3);
    this.parallelism = args.positive("parallelism", 2, 2);
    this.spec = spec;
    this.catalog = catalog;
    this.progress = progress;
    this.expectedChecksum = EventRows.checksum(0, rows);
  }

  static Benchmark.Result run(String[] argv, PrintStream progress) throws Exception {
    BenchArgs args =
        BenchArgs.parse(argv, Set.of("rows", "warmup", "repeats", "parallelism"), USAGE);
    if (args.help) {
      return Benchmark.Result.help(USAGE);
    }
    Path dir = args.warehouse("psyberg-bench-sink");
    CatalogSpec spec = CatalogSpec.embedded(dir.toString());
    Catalog catalog = spec.open();
    try {
      return new SinkBenchmark(args, spec, catalog, progress).run();
    } finally {
      CatalogSpec.closeQuietly(catalog);
      args.cleanUp(dir, progress);
    }
  }

  private Benchmark.Result run() {
    long started = System.nanoTime();
    SupportsNamespaces namespaces = (SupportsNamespaces) catalog;
    if (!namespaces.namespaceExists(Namespace.of("bench"))) {
      namespaces.createNamespace(Namespace.of("bench"));
    }
    Map<Side, Samples> samples = new LinkedHashMap<>();
    for (Side side : Side.values()) {
      samples.put(side, new Samples());
    }
    Side[] sides = Side.values();
    int rounds = warmup + repeats;
    for (int r = 0; r < rounds; r++) {
      boolean measured = r >= warmup;
      for (int k = 0; k < sides.length; k++) {
        Side side = sides[(r + k) % sides.length];
        runSide(side, r, measured ? samples.get(side) : new Samples());
      }
    }
    String report = report(samples, (System.nanoTime() - started) / 1e9);
    if (!errors.isEmpty()) {
      return Benchmark.Result.failed(report, String.join("; ", errors));
    }
    return Benchmark.Result.ok(report);
  }

  private void runSide(Side side, int round, Samples out) {
    String name = "bench.sink_" + side.name().toLowerCase(Locale.ROOT) + "_" + round;
    String process = "bench_sink_" + side.name().toLowerCase(Locale.ROOT) + "_" + round;
    TableIdentifier id = TableIdentifier.parse(name);
    catalog.createTable(
        id,
        EventRows.SCHEMA,
        PartitionSpec.unpartitioned(),
        Map.of(
            TableProperties.FORMAT_VERSION,
            "2",
            TableProperties.DEFAULT_FILE_FORMAT,
            "parquet",
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES,
            Long.toString(128L * 1024 * 1024)));
    double jobMillis;
    double cpuMillis;
    try {
      StreamExecutionEnvironment env = LocalFlink.env(parallelism, CommitterSteps::report);
      DataStream<RowData> generated =
          env.fromSequence(0, rows - 1)
              .map(new EventRows.Generate())
              .returns(InternalTypeInfo.of(EventRows.ROW_TYPE))
              .name("generate");
      if (side == Side.ICEBERG) {
        FlinkSink.forRowData(generated)
            .tableLoader(TableLoader.fromCatalog(spec.loader(), id))
            .writeParallelism(parallelism)
            .distributionMode(DistributionMode.NONE)
            .append();
      } else {
        PsybergSinkBuilder sink =
            PsybergSink.builder()
                .catalog(spec)
                .table(name)
                .processName(process)
                .parallelism(parallelism);
        if (side == Side.METADATA_AUDITS) {
          sink.auditNotNull(List.of("event_id", "account_id", "event_type", "event_ts"))
              .auditRowBounds(rows, rows);
        } else if (side == Side.UNIQUE_AUDIT) {
          sink.auditUnique(List.of("event_id"));
        }
        sink.build().append(generated);
      }
      double cpu0 = LocalFlink.processCpuMillis();
      JobExecutionResult job = env.execute("bench " + side + " sink " + round);
      cpuMillis = LocalFlink.processCpuMillis() - cpu0;
      jobMillis = job.getNetRuntime(TimeUnit.MICROSECONDS) / 1e3;
    } catch (Exception e) {
      fail(String.format("%s (round %d) failed: %s", side.label, round + 1, e));
      return;
    }
    out.job.add(jobMillis);
    out.cpu.add(cpuMillis);
    String line =
        String.format(
            Locale.ROOT,
            "  round %d %-48s job %,7.0f ms, CPU %,7.0f ms",
            round + 1,
            side.label,
            jobMillis,
            cpuMillis);
    if (side.psyberg()) {
      CommitterSteps steps = CommitterSteps.of(spec, catalog, process);
      if (steps == null) {
        fail(
            side.label
                + " (round "
                + (round + 1)
                + "): the session log and the committer's metrics do not show one published"
                + " session");
      } else {
        out.committer.add(steps.committerMillis);
        out.stage.add(steps.stageMillis);
        out.auditPublish.add(steps.auditAndPublishMillis);
        out.metadata.add(steps.metadataMillis);
        line +=
            String.format(
                Locale.ROOT,
                ", committer %,.0f ms (stage %,.0f, audits+publish %,.0f, metadata %,.0f)",
                steps.committerMillis,
                steps.stageMillis,
                steps.auditAndPublishMillis,
                steps.metadataMillis);
      }
    }
    progress.println(line);
    check(side, round, id, out);
    catalog.dropTable(id, true);
  }

  /** The table must hold exactly the generated rows, in one new snapshot on main. */
  private void check(Side side, int round, TableIdentifier id, Samples out) {
    Table table = catalog.loadTable(id);
    if (table.currentSnapshot() == null) {
      fail(
          String.format(
              "%s (round %d) left %s without a snapshot on main", side.label, round + 1, id));
      return;
    }
    long[] read = EventRows.readBack(table);
    if (read[0] != rows || read[1] != expectedChecksum) {
      fail(
          String.format(
              Locale.ROOT,
              "%s (round %d) wrote %,d rows (checksum %d) to %s, expected %,d (checksum %d)",
              side.label,
              round + 1,
              read[0],
              read[1],
              id,
              rows,
              expectedChecksum));
    }
    out.files =
        Long.parseLong(table.currentSnapshot().summary().getOrDefault("total-data-files", "0"));
  }

  private void fail(String message) {
    errors.add(message);
    progress.println("ERROR: " + message);
  }

  private String report(Map<Side, Samples> samples, double seconds) {
    Runtime rt = Runtime.getRuntime();
    StringBuilder out = new StringBuilder();
    out.append("## Sink write throughput vs FlinkSink, and the cost of write-audit-publish\n\n");
    out.append(
        String.format(
            Locale.ROOT,
            "Run %s; JDK %s; %d cores; max heap %d MiB; %,d generated rows (%d columns) per run,"
                + " source and writers at parallelism %d, each run into a fresh unpartitioned"
                + " format-v2 table (Parquet, target file size 128 MB); %d warm-up and %d measured"
                + " rounds of the four jobs, order rotated; medians; job = the job's net runtime"
                + " (MiniCluster start and stop left out); total %.0f s.%n%n",
            ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
            System.getProperty("java.version"),
            rt.availableProcessors(),
            rt.maxMemory() / (1024 * 1024),
            rows,
            EventRows.SCHEMA.columns().size(),
            parallelism,
            warmup,
            repeats,
            seconds));
    double iceberg = LocalFlink.median(samples.get(Side.ICEBERG).job);
    double icebergCpu = LocalFlink.median(samples.get(Side.ICEBERG).cpu);
    out.append(
        "| sink | data files | job ms | rows/s | throughput vs iceberg | CPU ms | CPU iceberg /"
            + " this |\n"
            + "|---|---:|---:|---:|---:|---:|---:|\n");
    for (Map.Entry<Side, Samples> e : samples.entrySet()) {
      double job = LocalFlink.median(e.getValue().job);
      double cpu = LocalFlink.median(e.getValue().cpu);
      String bold = e.getKey() == Side.PSYBERG ? "**" : "";
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %s | %s | %s%.2fx%s | %s | %s%.2fx%s |%n",
              e.getKey().label,
              e.getValue().files,
              LocalFlink.ms(job),
              LocalFlink.perSecond(rows, job),
              bold,
              iceberg / job,
              bold,
              LocalFlink.ms(cpu),
              bold,
              icebergCpu / cpu,
              bold));
    }
    out.append(
        "\n"
            + "CPU = this process's CPU time over the whole `execute()` (every thread, GC and JIT"
            + " included, and the MiniCluster's start and stop); steadier than wall time on a busy"
            + " machine.\n");
    out.append(
        "\n"
            + "The psyberg committer's steps, from its metrics (stage, audit and publish times) and"
            + " the session log (the session's start and finish, the commit of its row): from its"
            + " end of input"
            + " (every writer has finished) to the end of the metadata update. stage = look up the"
            + " job's sessions, read back the written manifests, stage the files as a snapshot on"
            + " the audit branch; audits + publish = the audits, then the fast-forward of main with"
            + " the removal of the audit branch (one commit); metadata = record the PUBLISHED"
            + " session row (a STAGED row is written only when audits and publish outlast 1 s)."
            + " write = job − committer. WAP = stage + audits + publish, the share the issue's <"
            + " 10% target is about; committer adds the session-log update after the publish.\n\n");
    out.append(
        "| audits | stage ms | audits + publish ms | metadata ms | committer ms | write ms | WAP /"
            + " write | committer / write |\n"
            + "|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Map.Entry<Side, Samples> e : samples.entrySet()) {
      if (!e.getKey().psyberg()) {
        continue;
      }
      Samples s = e.getValue();
      double committer = LocalFlink.median(s.committer);
      double write = LocalFlink.median(diff(s.job, s.committer));
      List<Double> writes = diff(s.job, s.committer);
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %s | %s | **%.1f%%** | **%.1f%%** |%n",
              e.getKey().label,
              LocalFlink.ms(LocalFlink.median(s.stage)),
              LocalFlink.ms(LocalFlink.median(s.auditPublish)),
              LocalFlink.ms(LocalFlink.median(s.metadata)),
              LocalFlink.ms(committer),
              LocalFlink.ms(write),
              100 * LocalFlink.median(ratio(sum(s.stage, s.auditPublish), writes)),
              100 * LocalFlink.median(ratio(s.committer, writes))));
    }
    double psyberg = LocalFlink.median(samples.get(Side.PSYBERG).auditPublish);
    out.append(
        String.format(
            Locale.ROOT,
            "%nAudits alone (audits + publish minus the same step without audits): metadata-only %s"
                + " ms, unique-key %s ms.%n",
            LocalFlink.ms(
                LocalFlink.median(samples.get(Side.METADATA_AUDITS).auditPublish) - psyberg),
            LocalFlink.ms(
                LocalFlink.median(samples.get(Side.UNIQUE_AUDIT).auditPublish) - psyberg)));
    out.append(
        String.format(
            Locale.ROOT,
            "%nEvery run's table held exactly %,d rows with the expected checksum%s.%n",
            rows,
            errors.isEmpty() ? "" : " — **except: " + String.join("; ", errors) + "**"));
    return out.toString();
  }

  private static List<Double> diff(List<Double> a, List<Double> b) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      out.add(a.get(i) - b.get(i));
    }
    return out;
  }

  private static List<Double> sum(List<Double> a, List<Double> b) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      out.add(a.get(i) + b.get(i));
    }
    return out;
  }

  private static List<Double> ratio(List<Double> a, List<Double> b) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      out.add(a.get(i) / b.get(i));
    }
    return out;
  }
}
