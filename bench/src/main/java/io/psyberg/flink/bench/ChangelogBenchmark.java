package io.psyberg.flink.bench;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.planning.NonAppendSnapshots;
import io.psyberg.flink.planning.StartFrom;
import io.psyberg.flink.source.PsybergSource;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.CloseableIterator;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.deletes.EqualityDeleteWriter;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.flink.source.IcebergSource;
import org.apache.iceberg.io.OutputFileFactory;

/**
 * Reading one deleted row: a {@code 'non-append-snapshots' = 'changelog'} session over the delete
 * snapshot against what a user can do without it, reading the whole table at {@code from} and at
 * {@code to} with Iceberg's {@code IcebergSource} and diffing. Files and bytes opened are counted
 * through the catalog's FileIO; both sides must find exactly the deleted row.
 */
final class ChangelogBenchmark {
  static final String USAGE =
      String.join(
          "\n",
          "Usage: java -Xmx4g -jar psyberg-bench.jar changelog [options]",
          "",
          "One row deleted (an equality delete) from a table of 100 data files: a changelog session"
              + " read",
          "of the delete snapshot vs reading the whole table at the snapshot before and after and"
              + " diffing.",
          "",
          "  --quick              100 files x 2,000 rows, 2 measured rounds (default 100 x 20,000,"
              + " 3 rounds)",
          "  --files F            data files (one append snapshot each)",
          "  --rows N             rows per data file",
          "  --repeats R          measured rounds (one unmeasured round first)",
          "  --dir DIR            warehouse folder (default: a temp folder, deleted at the end)",
          "  --keep               keep the temp warehouse",
          "  --help");

  private static final String TABLE = "bench.changelog";
  private static final int ACCOUNT_ID = 1;

  private final int files;
  private final int rows;
  private final int repeats;
  private final CatalogSpec spec;
  private final Catalog catalog;
  private final PrintStream progress;

  private ChangelogBenchmark(
      BenchArgs args, CatalogSpec spec, Catalog catalog, PrintStream progress) {
    this.files = args.positive("files", 100, 100);
    this.rows = args.positive("rows", 2_000, 20_000);
    this.repeats = args.positive("repeats", 2, 3);
    this.spec = spec;
    this.catalog = catalog;
    this.progress = progress;
  }

  static Benchmark.Result run(String[] argv, PrintStream progress) throws Exception {
    BenchArgs args = BenchArgs.parse(argv, Set.of("files", "rows", "repeats"), USAGE);
    if (args.help) {
      return Benchmark.Result.help(USAGE);
    }
    Path dir = args.warehouse("psyberg-bench-changelog");
    CatalogSpec spec = CountingFileIO.hadoopCatalog(dir, "psyberg-bench changelog");
    Catalog catalog = spec.open();
    try {
      return new ChangelogBenchmark(args, spec, catalog, progress).run();
    } finally {
      CatalogSpec.closeQuietly(catalog);
      args.cleanUp(dir, progress);
    }
  }

  /** One side's measured read: what it found, what it opened, how long it took. */
  private record Read(Set<String> found, int dataFiles, long bytes, int metadataFiles, double ms) {}

  private Benchmark.Result run() throws Exception {
    long started = System.nanoTime();
    Table table = build();
    long before = table.currentSnapshot().snapshotId();
    long deleted = (long) (files / 2) * rows + rows / 2;
    deleteOne(table, deleted);
    table.refresh();
    long after = table.currentSnapshot().snapshotId();
    long tableBytes = 0;
    for (File f : dataFolder().listFiles()) {
      tableBytes += f.length();
    }
    progress.printf(
        "Table: %d files x %,d rows (%.1f MB), row %d deleted by snapshot %d.%n",
        files, rows, tableBytes / 1e6, deleted, after);

    Set<String> expected = Set.of("-D " + deleted);
    List<Read> changelog = new ArrayList<>();
    List<Read> diff = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (int round = -1; round < repeats; round++) {
      String process = "bench_changelog_" + (round + 1);
      Read c = measure(() -> changelogRead(after, process));
      Read d = measure(() -> diffRead(before, after));
      for (Read r : List.of(c, d)) {
        if (!r.found.equals(expected)) {
          failures.add("found " + r.found + ", expected " + expected);
        }
      }
      progress.printf(
          "  round %d: changelog %d files %.0f ms, full diff %d files %.0f ms%n",
          round + 1, c.dataFiles, c.ms, d.dataFiles, d.ms);
      if (round >= 0) {
        changelog.add(c);
        diff.add(d);
      }
    }
    String report =
        report(changelog, diff, tableBytes, (System.nanoTime() - started) / 1e9, failures);
    return failures.isEmpty()
        ? Benchmark.Result.ok(report)
        : Benchmark.Result.failed(report, String.join("; ", failures));
  }

  private Table build() {
    TableIdentifier id = TableIdentifier.parse(TABLE);
    if (catalog instanceof SupportsNamespaces ns && !ns.namespaceExists(Namespace.of("bench"))) {
      ns.createNamespace(Namespace.of("bench"));
    }
    Table table =
        catalog.createTable(
            id,
            HistoryTables.EVENTS,
            PartitionSpec.unpartitioned(),
            Map.of(TableProperties.FORMAT_VERSION, "2"));
    for (int f = 0; f < files; f++) {
      table
          .newAppend()
          .appendFile(EventRows.writeFile(table, (long) f * rows, (long) (f + 1) * rows, f))
          .commit();
    }
    return table;
  }

  /** Deletes the row with this account id by an equality delete, as a Flink upsert would. */
  private static void deleteOne(Table table, long accountId) throws IOException {
    Schema deleteSchema = table.schema().select("account_id");
    int[] fieldIds = {table.schema().findField("account_id").fieldId()};
    GenericAppenderFactory factory =
        new GenericAppenderFactory(table.schema(), table.spec(), fieldIds, deleteSchema, null);
    OutputFileFactory out =
        OutputFileFactory.builderFor(table, 1, 1_000_000L).format(FileFormat.PARQUET).build();
    EqualityDeleteWriter<Record> writer =
        factory.newEqDeleteWriter(out.newOutputFile(), FileFormat.PARQUET, null);
    Record key = GenericRecord.create(deleteSchema);
    key.setField("account_id", accountId);
    try (EqualityDeleteWriter<Record> w = writer) {
      w.write(key);
    }
    DeleteFile delete = writer.toDeleteFile();
    table.newRowDelta().addDeletes(delete).commit();
  }

  private interface Side {
    Set<String> read() throws Exception;
  }

  private Read measure(Side side) throws Exception {
    CountingFileIO.reset();
    long t0 = System.nanoTime();
    Set<String> found = side.read();
    double ms = (System.nanoTime() - t0) / 1e6;
    int data = 0;
    int metadata = 0;
    long bytes = 0;
    for (String path : CountingFileIO.opened()) {
      if (path.contains("/metadata/")) {
        metadata++;
      } else {
        data++;
        bytes += new File(URI.create(path).getPath()).length();
      }
    }
    return new Read(found, data, bytes, metadata, ms);
  }

  /** The changelog session of the delete snapshot alone: its changes, as kind and id. */
  private Set<String> changelogRead(long deleteSnapshot, String process) throws Exception {
    StreamExecutionEnvironment env = LocalFlink.env(1);
    PsybergSource source =
        PsybergSource.builder()
            .catalog(spec)
            .processName(process)
            .tables(TABLE)
            .startFrom(StartFrom.snapshot(deleteSnapshot))
            .nonAppendSnapshots(NonAppendSnapshots.CHANGELOG)
            .bounded()
            .build();
    Set<String> changes = new HashSet<>();
    try (CloseableIterator<RowData> it =
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "changelog").executeAndCollect()) {
      it.forEachRemaining(r -> changes.add(kind(r.getRowKind()) + " " + r.getLong(ACCOUNT_ID)));
    }
    return changes;
  }

  /**
   * The only way without a changelog: the whole table at {@code from} and at {@code to}, read in
   * one job (two sources, as a user would in one SQL query), diffed by row id.
   */
  private Set<String> diffRead(long before, long after) throws Exception {
    StreamExecutionEnvironment env = LocalFlink.env(1);
    // Ids tagged with their side in the lowest bit: even = at from, odd = at to.
    DataStream<Long> old = rowsAt(env, before).map(r -> r.getLong(ACCOUNT_ID) * 2);
    DataStream<Long> now = rowsAt(env, after).map(r -> r.getLong(ACCOUNT_ID) * 2 + 1);
    Set<Long> atFrom = new HashSet<>();
    Set<Long> atTo = new HashSet<>();
    try (CloseableIterator<Long> it = old.union(now).executeAndCollect()) {
      it.forEachRemaining(tagged -> (tagged % 2 == 0 ? atFrom : atTo).add(tagged / 2));
    }
    Set<String> changes = new HashSet<>();
    for (Long id : atFrom) {
      if (!atTo.contains(id)) {
        changes.add("-D " + id);
      }
    }
    for (Long id : atTo) {
      if (!atFrom.contains(id)) {
        changes.add("+I " + id);
      }
    }
    return changes;
  }

  private DataStream<RowData> rowsAt(StreamExecutionEnvironment env, long snapshot) {
    IcebergSource<RowData> source =
        IcebergSource.forRowData()
            .tableLoader(TableLoader.fromCatalog(spec.loader(), TableIdentifier.parse(TABLE)))
            .streaming(false)
            .useSnapshotId(snapshot)
            .build();
    return env.fromSource(
        source,
        WatermarkStrategy.noWatermarks(),
        "table at " + snapshot,
        InternalTypeInfo.of(EventRows.ROW_TYPE));
  }

  private static String kind(RowKind kind) {
    return kind.shortString();
  }

  private File dataFolder() {
    Table t = catalog.loadTable(TableIdentifier.parse(TABLE));
    return new File(URI.create(t.location() + "/data").getPath());
  }

  private String report(
      List<Read> changelog, List<Read> diff, long tableBytes, double seconds, List<String> fails) {
    Read c = changelog.get(changelog.size() - 1);
    Read d = diff.get(diff.size() - 1);
    double cMs = LocalFlink.median(changelog.stream().map(Read::ms).toList());
    double dMs = LocalFlink.median(diff.stream().map(Read::ms).toList());
    StringBuilder out = new StringBuilder("## Changelog: reading one deleted row\n\n");
    out.append(
        String.format(
            Locale.ROOT,
            "Run %s; JDK %s; table: format v2, unpartitioned, %d data files x %,d rows (%.1f MB,"
                + " one append snapshot each); one row deleted by an equality delete in one more"
                + " snapshot; files and bytes counted as opened through the catalog's FileIO (data"
                + " and delete files; metadata files apart); time is the wall time of the read (one"
                + " job each, on a local MiniCluster started for it), median of %d rounds after one"
                + " unmeasured; parallelism 1; total %.0f s.%n%n",
            ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
            System.getProperty("java.version"),
            files,
            rows,
            tableBytes / 1e6,
            changelog.size(),
            seconds));
    out.append(
        "| read | data + delete files read | bytes read | metadata files read | time ms |"
            + " changes found |\n");
    out.append("|---|---:|---:|---:|---:|---|\n");
    out.append(row("changelog session (`non-append-snapshots` = `changelog`)", c, cMs));
    out.append(row("whole table at `from` and at `to` (`IcebergSource`), diffed", d, dMs));
    out.append(
        String.format(
            Locale.ROOT,
            "%nThe full diff reads **%.0fx** the files, **%.0fx** the bytes and takes **%.1fx**"
                + " the time of the changelog session.%s%n",
            (double) d.dataFiles / Math.max(1, c.dataFiles),
            (double) d.bytes / Math.max(1, c.bytes),
            dMs / cMs,
            fails.isEmpty() ? "" : " **INVALID: " + String.join("; ", fails) + "**"));
    return out.toString();
  }

  private static String row(String name, Read r, double medianMs) {
    return String.format(
        Locale.ROOT,
        "| %s | %d | %,d | %d | %s | %s |%n",
        name,
        r.dataFiles,
        r.bytes,
        r.metadataFiles,
        LocalFlink.ms(medianMs),
        String.join(", ", r.found));
  }
}
