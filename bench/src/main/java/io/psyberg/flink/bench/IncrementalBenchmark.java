package io.psyberg.flink.bench;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.lifecycle.LifecycleTables;
import io.psyberg.flink.examples.signups.SignupFacts;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * An incremental psyberg run against a full recompute (the lookback-window approach psyberg
 * replaced: re-read the whole source table, recompute, overwrite the output), for the {@code
 * signups} and {@code lifecycle} jobs, when a new snapshot brings 1/10 or 1/100 of the history's
 * rows. Both sides first process the history once (untimed, so both are warm and the psyberg target
 * has a published high watermark); then the new snapshot lands and each side runs once more, timed.
 * Both must leave the same rows in their output tables.
 */
final class IncrementalBenchmark {
  static final String USAGE =
      String.join(
          "\n",
          "Usage: java -Xmx4g -jar psyberg-bench.jar incremental [options]",
          "",
          "Times a bounded psyberg run of the signups and lifecycle jobs over one new snapshot"
              + " against a full",
          "recompute (Iceberg source, whole table, overwrite) after histories of 10x and 100x the"
              + " new snapshot's rows.",
          "",
          "  --quick            new snapshot 2,000 rows, 20,000 accounts, history 100x only (~1"
              + " min)",
          "  --batch B          rows per snapshot: each history day and the new snapshot (default"
              + " 10000)",
          "  --multiples M1,..  history length in snapshots of B rows (default 10,100)",
          "  --accounts A       accounts the events go to (default 100000)",
          "  --late-percent P   share of the new snapshot's rows that are late, in the day before"
              + " (default 10)",
          "  --dir DIR          new or empty warehouse folder, kept (default: a temp folder,"
              + " deleted)",
          "  --keep             keep the temp warehouse",
          "  --help");

  private final BenchArgs args;
  private final PrintStream progress;
  private final String warehouse;
  private final CatalogSpec spec;
  private final Catalog catalog;
  private final List<String> mismatches = new ArrayList<>();

  private IncrementalBenchmark(BenchArgs args, PrintStream progress, Path warehouse) {
    this.args = args;
    this.progress = progress;
    this.warehouse = warehouse.toString();
    this.spec = CatalogSpec.embedded(this.warehouse);
    this.catalog = spec.open();
  }

  static Benchmark.Result run(String[] argv, PrintStream progress) throws Exception {
    BenchArgs args =
        BenchArgs.parse(argv, Set.of("batch", "multiples", "accounts", "late-percent"), USAGE);
    if (args.help) {
      return Benchmark.Result.help(USAGE);
    }
    Path dir = args.warehouse("psyberg-bench-incremental");
    IncrementalBenchmark bench = new IncrementalBenchmark(args, progress, dir);
    try {
      return bench.run();
    } finally {
      CatalogSpec.closeQuietly(bench.catalog);
      args.cleanUp(dir, progress);
    }
  }

  /** One job at one history length. */
  private record Row(
      String job,
      int multiple,
      long historyRows,
      long newRows,
      ProcessCost firstPsyberg,
      ProcessCost firstFull,
      ProcessCost psyberg,
      ProcessCost full,
      String outputs) {}

  private Benchmark.Result run() throws Exception {
    long started = System.nanoTime();
    int batch = args.positive("batch", 2_000, 10_000);
    int accounts = args.positive("accounts", 20_000, 100_000);
    int latePercent = Math.min(100, args.positive("late-percent", 10, 10));
    List<Integer> multiples = args.list("multiples", List.of(100), List.of(10, 100));
    List<Row> rows = new ArrayList<>();
    for (int m : multiples) {
      rows.addAll(scenario(m, batch, accounts, batch * latePercent / 100));
    }
    String report = report(rows, batch, accounts, latePercent, (System.nanoTime() - started) / 1e9);
    return mismatches.isEmpty()
        ? Benchmark.Result.ok(report)
        : Benchmark.Result.failed(
            report, "psyberg and the full recompute wrote different rows: " + mismatches);
  }

  private List<Row> scenario(int multiple, int batch, int accounts, int late) throws Exception {
    String ns = "inc_h" + multiple;
    String events = ns + ".events";
    progress.printf(
        "History of %d snapshots x %,d rows (%,d accounts) in %s ...%n",
        multiple, batch, accounts, events);
    long t0 = System.nanoTime();
    EventTable table = EventTable.create(catalog, events);
    EventMaker maker = new EventMaker(accounts, 42 + multiple);
    for (int day = 0; day < multiple; day++) {
      // The history has late rows too (1%, in the day before), as real event tables do.
      table.append(maker.day(day, batch, day == 0 ? 0 : batch / 100, Math.max(0, day - 1)));
    }
    progress.printf("  written in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    SignupFacts.loadOrCreate(catalog, TableIdentifier.parse(ns + ".signups_full"));
    // Unpartitioned: the baseline overwrites the whole table (a partitioned one would only have the
    // partitions it writes replaced).
    catalog.createTable(
        TableIdentifier.parse(ns + ".lifecycle_full"),
        LifecycleTables.LIFECYCLE,
        PartitionSpec.unpartitioned(),
        Map.of(TableProperties.FORMAT_VERSION, "2"));
    LifecycleTables.ensure(catalog, ns + ".anomalies_full", LifecycleTables.ANOMALIES);

    // Both sides process the history once: psyberg publishes its high watermark, and both are warm.
    ProcessCost firstSignups =
        time(
            "psyberg signups, history",
            () -> PsybergRuns.signups(warehouse, "signups", events, ns + ".signups"));
    ProcessCost firstSignupsFull =
        time(
            "full signups, history",
            () -> FullRecompute.signups(spec, events, ns + ".signups_full"));
    ProcessCost firstLifecycle =
        time(
            "psyberg lifecycle, history",
            () ->
                PsybergRuns.lifecycle(
                    warehouse, "lifecycle", events, ns + ".lifecycle", ns + ".anomalies"));
    ProcessCost firstLifecycleFull =
        time(
            "full lifecycle, history",
            () ->
                FullRecompute.lifecycle(
                    spec, events, ns + ".lifecycle_full", ns + ".anomalies_full"));

    table.append(maker.day(multiple, batch, late, multiple - 1));
    progress.printf(
        "  new snapshot: %,d rows, %,d of them late (day %d)%n", batch, late, multiple - 1);

    ProcessCost signups =
        time(
            "psyberg signups, new snapshot",
            () -> PsybergRuns.signups(warehouse, "signups", events, ns + ".signups"));
    ProcessCost signupsFull =
        time(
            "full signups, new snapshot",
            () -> FullRecompute.signups(spec, events, ns + ".signups_full"));
    ProcessCost lifecycle =
        time(
            "psyberg lifecycle, new snapshot",
            () ->
                PsybergRuns.lifecycle(
                    warehouse, "lifecycle", events, ns + ".lifecycle", ns + ".anomalies"));
    ProcessCost lifecycleFull =
        time(
            "full lifecycle, new snapshot",
            () ->
                FullRecompute.lifecycle(
                    spec, events, ns + ".lifecycle_full", ns + ".anomalies_full"));

    long historyRows = (long) multiple * batch;
    String signupOutputs = compare(ns + ".signups", ns + ".signups_full");
    String lifecycleOutputs =
        compare(ns + ".lifecycle", ns + ".lifecycle_full")
            + "; anomalies "
            + compare(ns + ".anomalies", ns + ".anomalies_full");
    return List.of(
        new Row(
            "signups",
            multiple,
            historyRows,
            batch,
            firstSignups,
            firstSignupsFull,
            signups,
            signupsFull,
            signupOutputs),
        new Row(
            "lifecycle",
            multiple,
            historyRows,
            batch,
            firstLifecycle,
            firstLifecycleFull,
            lifecycle,
            lifecycleFull,
            lifecycleOutputs));
  }

  private ProcessCost time(String what, ProcessCost.Work work) throws Exception {
    ProcessCost cost = ProcessCost.measure(work);
    progress.printf(
        "  %-32s %7.1f s wall, %7.1f s CPU%n",
        what, cost.wallMillis() / 1e3, cost.cpuMillis() / 1e3);
    return cost;
  }

  private String compare(String psyberg, String full) {
    TableDigest a = TableDigest.of(catalog, psyberg);
    TableDigest b = TableDigest.of(catalog, full);
    if (!a.equals(b) || a.rows() == 0) {
      String m = psyberg + " (" + a + ") vs " + full + " (" + b + ")";
      mismatches.add(m);
      progress.println("ERROR: outputs differ: " + m);
      return "**differ**: " + a + " vs " + b;
    }
    return String.format(Locale.ROOT, "equal (%,d rows)", a.rows());
  }

  private String report(List<Row> rows, int batch, int accounts, int latePercent, double seconds) {
    StringBuilder out = new StringBuilder();
    Runtime rt = Runtime.getRuntime();
    out.append("## Incremental run vs full recompute\n\n");
    out.append(
        String.format(
            Locale.ROOT,
            "Run %s; JDK %s; %d cores; max heap %d MiB; new snapshot %,d rows (%d%% late, in the"
                + " day before), history of N snapshots of %,d rows (one per day, 1%% late), %,d"
                + " accounts; local Flink (parallelism %d), one timed run per side after one"
                + " untimed run over the history; CPU = process CPU time of the JVM; total %.0f"
                + " s.%n%n",
            ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
            System.getProperty("java.version"),
            rt.availableProcessors(),
            rt.maxMemory() / (1024 * 1024),
            batch,
            latePercent,
            batch,
            accounts,
            rt.availableProcessors(),
            seconds));
    out.append(
        "| job | history rows | new rows | new / history | psyberg s | full recompute s | psyberg"
            + " CPU s | full CPU s | psyberg / full (wall) | psyberg / full (CPU) | less compute"
            + " (CPU) | outputs |\n");
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (Row r : rows) {
      double wall = r.psyberg.wallMillis() / r.full.wallMillis();
      double cpu = r.psyberg.cpuMillis() / r.full.cpuMillis();
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %,d | %.0f%% | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f | **%.0f%%** |"
                  + " %s |%n",
              r.job,
              r.historyRows,
              r.newRows,
              100.0 * r.newRows / r.historyRows,
              r.psyberg.wallMillis() / 1e3,
              r.full.wallMillis() / 1e3,
              r.psyberg.cpuMillis() / 1e3,
              r.full.cpuMillis() / 1e3,
              wall,
              cpu,
              100 * (1 - cpu),
              r.outputs));
    }
    out.append(
        "\n"
            + "The untimed first runs over the history (psyberg's first session reads everything,"
            + " like the full recompute):\n\n");
    out.append(
        "| job | history rows | psyberg first run s (CPU s) | full recompute s (CPU s) |\n"
            + "|---|---:|---:|---:|\n");
    for (Row r : rows) {
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %.1f (%.1f) | %.1f (%.1f) |%n",
              r.job,
              r.historyRows,
              r.firstPsyberg.wallMillis() / 1e3,
              r.firstPsyberg.cpuMillis() / 1e3,
              r.firstFull.wallMillis() / 1e3,
              r.firstFull.cpuMillis() / 1e3));
    }
    out.append(ratios(rows));
    return out.toString();
  }

  /**
   * The ratios the stateful goals are stated in: how the incremental run's CPU grows with the
   * history at the same new data, how many times less CPU it takes than the full recompute, and the
   * first run's time against the full recompute's.
   */
  private static String ratios(List<Row> rows) {
    StringBuilder out = new StringBuilder("\nRatios:\n\n");
    for (Row r : rows) {
      out.append(
          String.format(
              Locale.ROOT,
              "- %s, %,d history rows (%.2f%% new): full / psyberg CPU **%.1fx**; first run"
                  + " psyberg / full (wall) **%.2fx**%n",
              r.job,
              r.historyRows,
              100.0 * r.newRows / r.historyRows,
              r.full.cpuMillis() / r.psyberg.cpuMillis(),
              r.firstPsyberg.wallMillis() / r.firstFull.wallMillis()));
      for (Row shorter : rows) {
        if (shorter.job.equals(r.job) && shorter.historyRows < r.historyRows) {
          out.append(
              String.format(
                  Locale.ROOT,
                  "- %s, history x%.0f (%,d -> %,d rows) at the same new data: psyberg CPU"
                      + " **%.2fx**%n",
                  r.job,
                  (double) r.historyRows / shorter.historyRows,
                  shorter.historyRows,
                  r.historyRows,
                  r.psyberg.cpuMillis() / shorter.psyberg.cpuMillis()));
        }
      }
    }
    return out.toString();
  }
}
