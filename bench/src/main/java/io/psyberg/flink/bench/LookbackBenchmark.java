package io.psyberg.flink.bench;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.lifecycle.LifecycleJob;
import io.psyberg.flink.stateful.lifecycle.LifecycleEvent;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;

/**
 * How much of the history a bounded lifecycle run reads: a 100-day event history (one snapshot and
 * data file per day) is published once; then sessions arrive whose late events lie within one day,
 * and the data files each run opens are counted through the catalog's FileIO ({@link
 * CountingFileIO}). The lookback should read the history's files from the earliest late event on,
 * and no others: ~1% when the late day is the last day of the history.
 */
final class LookbackBenchmark {
  static final String USAGE =
      String.join(
          "\n",
          "Usage: java -Xmx4g -jar psyberg-bench.jar lookback [options]",
          "",
          "Counts the event data files a bounded lifecycle run reads when its late events span one"
              + " day of the history.",
          "",
          "  --quick          500 rows per day, 2,000 accounts (~1 min)",
          "  --days D         history length in days, one snapshot each (default 100)",
          "  --rows R         events per day (default 2000)",
          "  --accounts A     accounts (default 10000)",
          "  --dir DIR        new or empty warehouse folder, kept (default: a temp folder,"
              + " deleted)",
          "  --keep           keep the temp warehouse",
          "  --help");

  private static final String NS = "lookback";
  private static final String EVENTS = NS + ".events";
  private static final String LIFECYCLE = NS + ".account_lifecycle";
  private static final String ANOMALIES = NS + ".lifecycle_anomalies";

  private record Row(
      String session,
      int lateDay,
      int historyFiles,
      int lookbackFiles,
      int newFiles,
      int segmentFilesRead,
      int segmentFiles,
      double seconds,
      String output) {}

  static Benchmark.Result run(String[] argv, PrintStream progress) throws Exception {
    BenchArgs args = BenchArgs.parse(argv, Set.of("days", "rows", "accounts"), USAGE);
    if (args.help) {
      return Benchmark.Result.help(USAGE);
    }
    int days = args.positive("days", 100, 100);
    int rows = args.positive("rows", 500, 2_000);
    int accounts = args.positive("accounts", 2_000, 10_000);
    if (days < 3) {
      throw new IllegalArgumentException("Option --days must be at least 3.");
    }
    Path dir = args.warehouse("psyberg-bench-lookback");
    long started = System.nanoTime();
    CatalogSpec spec = CountingFileIO.hadoopCatalog(dir, "psyberg-bench lookback");
    Catalog catalog = spec.open();
    List<Row> results = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    try {
      progress.printf("History: %d days x %,d events, %,d accounts ...%n", days, rows, accounts);
      EventTable table = EventTable.create(catalog, EVENTS);
      EventMaker maker = new EventMaker(accounts, 99);
      List<LifecycleEvent> all = new ArrayList<>();
      for (int day = 0; day < days; day++) {
        List<LifecycleEvent> batch = maker.day(day, rows, 0, 0);
        table.append(batch);
        all.addAll(batch);
      }
      LifecycleJob job = new LifecycleJob(spec, "lookback", List.of(EVENTS), LIFECYCLE, ANOMALIES);
      job.ensureTargets();
      progress.println("  first run (publishes the whole history) ...");
      runBounded(job);

      // Session 1: a new day, plus late events within the history's last day.
      results.add(
          session(
              catalog,
              job,
              table,
              maker,
              all,
              "new day + late events in the last history day",
              days,
              days - 1,
              rows,
              failures,
              progress));
      // Session 2: late events within one day in the middle of the history.
      results.add(
          session(
              catalog,
              job,
              table,
              maker,
              all,
              "new day + late events in day " + (days / 2 + 1),
              days + 1,
              days / 2,
              rows,
              failures,
              progress));
    } finally {
      CatalogSpec.closeQuietly(catalog);
      args.cleanUp(dir, progress);
    }
    String report = report(results, days, rows, accounts, (System.nanoTime() - started) / 1e9);
    return failures.isEmpty()
        ? Benchmark.Result.ok(report)
        : Benchmark.Result.failed(report, String.join("; ", failures));
  }

  private static Row session(
      Catalog catalog,
      LifecycleJob job,
      EventTable table,
      EventMaker maker,
      List<LifecycleEvent> all,
      String name,
      int day,
      int lateDay,
      int rows,
      List<String> failures,
      PrintStream progress)
      throws Exception {
    Set<String> history = dataFiles(catalog, EVENTS);
    List<LifecycleEvent> batch = maker.day(day, rows, rows / 10, lateDay);
    table.append(batch);
    all.addAll(batch);
    Set<String> newFiles = dataFiles(catalog, EVENTS);
    newFiles.removeAll(history);
    Set<String> segmentFiles = dataFiles(catalog, LIFECYCLE);

    progress.printf("  session: %s ...%n", name);
    CountingFileIO.reset();
    long t0 = System.nanoTime();
    runBounded(job);
    double seconds = (System.nanoTime() - t0) / 1e9;
    Set<String> opened = CountingFileIO.opened();
    int lookback = (int) history.stream().filter(opened::contains).count();
    int fresh = (int) newFiles.stream().filter(opened::contains).count();
    int segmentsRead = (int) segmentFiles.stream().filter(opened::contains).count();
    progress.printf(
        "  read %d of %d history files (+%d new), %d of %d lifecycle files, in %.1f s%n",
        lookback, history.size(), fresh, segmentsRead, segmentFiles.size(), seconds);

    LifecycleCheck.Outcome o = LifecycleCheck.compare(catalog, LIFECYCLE, ANOMALIES, all);
    String output;
    if (o.mismatch() != null) {
      failures.add(name + ": " + o.mismatch());
      progress.println("ERROR: " + o.mismatch());
      output = "**differs from recompute**";
    } else {
      output =
          String.format(
              Locale.ROOT,
              "equal to recompute (%,d segments, %,d anomalies)",
              o.segments().rows(),
              o.anomalies().rows());
    }
    return new Row(
        name,
        lateDay,
        history.size(),
        lookback,
        fresh,
        segmentsRead,
        segmentFiles.size(),
        seconds,
        output);
  }

  private static void runBounded(LifecycleJob job) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    job.bounded(env);
    env.execute("lifecycle lookback");
  }

  /** Paths of the data files in the table's current snapshot. */
  private static Set<String> dataFiles(Catalog catalog, String name) {
    Table t = catalog.loadTable(TableIdentifier.parse(name));
    Set<String> paths = new HashSet<>();
    if (t.currentSnapshot() == null) {
      return paths;
    }
    try (CloseableIterable<FileScanTask> tasks = t.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile f = task.file();
        paths.add(f.path().toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return paths;
  }

  private static String report(List<Row> rows, int days, int perDay, int accounts, double seconds) {
    StringBuilder out =
        new StringBuilder("## Lookback: share of the history a bounded lifecycle run reads\n\n");
    out.append(
        String.format(
            Locale.ROOT,
            "Run %s; JDK %s; event table: format v2, unpartitioned, %d days x %,d events (one"
                + " snapshot and one Parquet file per day), %,d accounts; first bounded run"
                + " publishes the whole history; each session then adds a new day of %,d events,"
                + " 10%% of them late within one earlier day; files counted as opened through the"
                + " catalog's FileIO during the run; total %.0f s.%n%n",
            ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
            System.getProperty("java.version"),
            days,
            perDay,
            accounts,
            perDay,
            seconds));
    out.append(
        "| session | late events in day | history files | history files read | share read |"
            + " new files read | lifecycle files read | run s | output |\n");
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (Row r : rows) {
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %d | %d | **%.1f%%** | %d | %d of %d | %.1f | %s |%n",
              r.session,
              r.lateDay + 1,
              r.historyFiles,
              r.lookbackFiles,
              100.0 * r.lookbackFiles / r.historyFiles,
              r.newFiles,
              r.segmentFilesRead,
              r.segmentFiles,
              r.seconds,
              r.output));
    }
    return out.toString();
  }
}
