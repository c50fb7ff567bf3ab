package io.psyberg.flink.bench;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.lifecycle.LifecycleTables;
import io.psyberg.flink.examples.signups.SignupFacts;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * An incremental psyberg run against a full recompute (the lookback-window approach psyberg
 * replaced: re-read the whole source table, recompute, overwrite the output), for the {@code
 * signups} and {@code lifecycle} jobs, over histories of several sizes ({@link
 * IncrementalScenario}). Both sides first process the history once (timed apart, so both are warm
 * and the psyberg target has a published high watermark); then the new snapshot lands and each side
 * runs once more, timed. Both must leave the same rows in their output tables. The report ends with
 * the stateful cost goals ({@link IncrementalGoals}).
 */
final class IncrementalBenchmark {
  /**
   * Run untimed before the measured scenarios, both sides: otherwise the first scenario's psyberg
   * runs are the JVM's first jobs and pay its class loading and JIT warm-up, which the full
   * recompute after them does not. Its history (3 days of 20,000 rows) is large enough that both
   * sides' first loads get their per-row code compiled (Parquet reading and writing, Flink's
   * serializers, the lifecycle replay): with a history of 303 rows, the first measured scenario's
   * psyberg first run compiled that code at volume and the full recompute timed after it found it
   * compiled.
   */
  static final IncrementalScenario WARM_UP = new IncrementalScenario(100, 20_000, 3, false, 0);

  /**
   * Runs of the warm-up scenario (a new snapshot each, both sides). One run leaves the JIT
   * compiling a run's per-run code (planning, commits, audits, job set-up) for another twenty or so
   * runs: measured 2026-12-07 on a standing cluster, a warm `lifecycle` run of 2,000 new rows went
   * from ~2.2 s CPU (runs 5-10) to ~0.9 s (runs 30-40), the C2 compiler threads taking ~0.9 s of
   * the former. A scheduled process's cluster has run it before.
   */
  static final int DEFAULT_WARM_UP_RUNS = 20;

  /**
   * Without {@code --warm-up-runs}, the warm-up goes on after {@link #DEFAULT_WARM_UP_RUNS} until
   * the JIT's share of every side's run CPU is below this (the median of its last {@link
   * #SETTLED_WINDOW} runs): measured 2026-12-07 with a fixed heap, after 20 runs a `lifecycle` run
   * of 100 new rows still spent ~0.3 s of its ~1.0 s CPU in the JIT compiler threads (1.3 s in the
   * first run), the full recompute ~0.1–0.2 s of ~0.8 s (54 runs to settle, that day). A cluster
   * that runs a process every hour is past that after two or three days.
   */
  static final double SETTLED_JIT_SHARE = 0.10;

  static final int SETTLED_WINDOW = 5;

  /** At most this many warm-up runs, settled or not (the report says which). */
  static final int MAX_WARM_UP_RUNS = 100;

  /**
   * First runs of each side over a history loaded in one session, compared by their medians (a
   * history loaded in several sessions is first-run once).
   */
  static final int DEFAULT_FIRST_RUNS = 3;

  private final PrintStream progress;
  private final String warehouse;
  private final CatalogSpec spec;
  private final Catalog catalog;
  private final List<String> mismatches = new ArrayList<>();
  private final Map<IncrementalScenario, Double> seconds = new LinkedHashMap<>();

  /** Where each measured scenario's event table stands, so a later scenario can add to it. */
  private final Map<IncrementalScenario, Live> live = new LinkedHashMap<>();

  /** A scenario's event table, its event maker, and the next day to land. */
  private static final class Live {
    final EventTable table;
    final EventMaker maker;
    int day;

    Live(EventTable table, EventMaker maker, int day) {
      this.table = table;
      this.maker = maker;
      this.day = day;
    }
  }

  private final int dailyRuns;
  private final int repeats;

  private final boolean standingCluster;
  private final int warmUpRuns;
  private final boolean warmUpUntilSettled;

  /** Warm-up runs made, and whether the JIT had settled by then. */
  private int warmUpsDone;

  private boolean warmUpSettled;
  private final int firstRuns;

  private IncrementalBenchmark(
      PrintStream progress,
      Path warehouse,
      int dailyRuns,
      int repeats,
      int firstRuns,
      int warmUpRuns,
      boolean warmUpUntilSettled,
      boolean standingCluster) {
    this.progress = progress;
    this.firstRuns = firstRuns;
    this.warmUpRuns = warmUpRuns;
    this.warmUpUntilSettled = warmUpUntilSettled;
    this.standingCluster = standingCluster;
    this.dailyRuns = dailyRuns;
    this.repeats = repeats;
    this.warehouse = warehouse.toString();
    this.spec = CatalogSpec.embedded(this.warehouse);
    this.catalog = spec.open();
  }

  static Benchmark.Result run(String[] argv, PrintStream progress) throws Exception {
    BenchArgs args = IncrementalOptions.parse(argv);
    if (args.help) {
      return Benchmark.Result.help(IncrementalOptions.USAGE);
    }
    List<IncrementalScenario> scenarios = IncrementalOptions.scenarios(args);
    boolean small = args.quick || args.flag("goals");
    int accounts =
        args.has("accounts") ? args.positive("accounts", 0, 0) : small ? 20_000 : 100_000;
    int latePercent = Math.min(100, args.positive("late-percent", 10, 10));
    Path dir = args.warehouse("psyberg-bench-incremental");
    int dailyRuns = args.has("daily-runs") ? args.positive("daily-runs", 0, 0) : 0;
    int repeats = args.positive("repeats", 1, 1);
    int warmUpRuns = args.positive("warm-up-runs", DEFAULT_WARM_UP_RUNS, DEFAULT_WARM_UP_RUNS);
    int firstRuns = args.positive("first-runs", DEFAULT_FIRST_RUNS, DEFAULT_FIRST_RUNS);
    boolean standing = !args.flag("cluster-per-run");
    IncrementalBenchmark bench =
        new IncrementalBenchmark(
            progress,
            dir,
            dailyRuns,
            repeats,
            firstRuns,
            warmUpRuns,
            !args.has("warm-up-runs"),
            standing);
    try (StandingCluster cluster = standing ? StandingCluster.install() : null) {
      return bench.run(scenarios, accounts, latePercent);
    } finally {
      CatalogSpec.closeQuietly(bench.catalog);
      args.cleanUp(dir, progress);
    }
  }

  private Benchmark.Result run(List<IncrementalScenario> scenarios, int accounts, int latePercent)
      throws Exception {
    long started = System.nanoTime();
    double loadAtStart = IncrementalReport.loadAverage();
    List<IncrementalRow> rows = new ArrayList<>();
    progress.println("Heap: " + IncrementalReport.heap());
    progress.println("Warm-up (untimed, both sides):");
    scenario(WARM_UP, accounts, WARM_UP.newRows() * latePercent / 100);
    for (IncrementalScenario s : scenarios) {
      long t0 = System.nanoTime();
      rows.addAll(scenario(s, accounts, s.newRows() * latePercent / 100));
      seconds.put(s, (System.nanoTime() - t0) / 1e9);
      progress.printf("  scenario %s took %.0f s%n", s.label(), seconds.get(s));
    }
    String report =
        IncrementalReport.markdown(
            rows,
            seconds,
            accounts,
            latePercent,
            (System.nanoTime() - started) / 1e9,
            loadAtStart,
            dailyRuns,
            repeats,
            firstRuns,
            warmUpsDone,
            warmUpUntilSettled
                ? warmUpSettled
                    ? String.format(
                        Locale.ROOT,
                        " (until the JIT compiled under %.0f%% of each side's CPU, the median of"
                            + " its last %d runs)",
                        100 * SETTLED_JIT_SHARE,
                        SETTLED_WINDOW)
                    : String.format(
                        Locale.ROOT,
                        " (**the JIT still compiled %.0f%% or more of a side's CPU after %d**)",
                        100 * SETTLED_JIT_SHARE,
                        MAX_WARM_UP_RUNS)
                : "",
            standingCluster);
    return mismatches.isEmpty()
        ? Benchmark.Result.ok(report)
        : Benchmark.Result.failed(
            report, "psyberg and the full recompute wrote different rows: " + mismatches);
  }

  private List<IncrementalRow> scenario(IncrementalScenario s, int accounts, int late)
      throws Exception {
    String ns = s.namespace();
    String events = ns + ".events";
    int step = s.sessionDays() > 0 ? s.sessionDays() : s.days();
    progress.printf(
        "Scenario %s: history of %d snapshots x %,d rows (%,d accounts) in %s%s ...%n",
        s.label(),
        s.days(),
        s.historyBatch(),
        accounts,
        events,
        step < s.days() ? ", first load in sessions of " + step + " days" : "");
    EventTable table = EventTable.create(catalog, events);
    EventMaker maker = new EventMaker(accounts, 42 + s.days());
    ProcessCost firstSignups = new ProcessCost(0, 0);
    ProcessCost firstLifecycle = new ProcessCost(0, 0);
    long[] peak = new long[2];
    for (int from = 0; from < s.days(); from += step) {
      int to = Math.min(s.days(), from + step);
      long t0 = System.nanoTime();
      for (int day = from; day < to; day++) {
        // The history has late rows too (1%, in the day before), as real event tables do.
        table.append(
            maker.day(
                day,
                s.historyBatch(),
                day == 0 ? 0 : s.historyBatch() / 100,
                Math.max(0, day - 1)));
      }
      progress.printf(
          "  days %d-%d written in %.1f s%n", from, to - 1, (System.nanoTime() - t0) / 1e9);
      // psyberg processes the history (in sessions of `step` days): it publishes its high
      // watermark, and it is warm.
      String session = step < s.days() ? String.format(" %d-%d", from, to - 1) : "";
      firstSignups =
          firstSignups.plus(
              time(
                  "psyberg signups, history" + session,
                  () -> {
                    HeapPeak.reset();
                    PsybergRuns.signups(warehouse, "signups", events, ns + ".signups");
                    peak[0] = Math.max(peak[0], HeapPeak.mib());
                  }));
      firstLifecycle =
          firstLifecycle.plus(
              time(
                  "psyberg lifecycle, history" + session,
                  () -> {
                    HeapPeak.reset();
                    PsybergRuns.lifecycle(
                        warehouse, "lifecycle", events, ns + ".lifecycle", ns + ".anomalies");
                    peak[1] = Math.max(peak[1], HeapPeak.mib());
                  }));
    }
    ProcessCost firstSignupsFull = null;
    ProcessCost firstLifecycleFull = null;
    if (!s.psybergOnly()) {
      createFullTargets(ns);
      // One first run moves by a third with the machine's load, as any other run: a history loaded
      // in one session is first-run `firstRuns` times a side, the order alternating, and the
      // medians compared. psyberg's further first runs are new processes writing new targets.
      int runs = step == s.days() && s != WARM_UP ? firstRuns : 1;
      List<ProcessCost> signupsFirsts = new ArrayList<>(List.of(firstSignups));
      List<ProcessCost> lifecycleFirsts = new ArrayList<>(List.of(firstLifecycle));
      List<ProcessCost> signupsFullFirsts = new ArrayList<>();
      List<ProcessCost> lifecycleFullFirsts = new ArrayList<>();
      for (int run = 1; run <= runs; run++) {
        boolean fullFirst = run % 2 == 0;
        if (run > 1 && !fullFirst) {
          firstRunsOfNewProcesses(ns, events, run, signupsFirsts, lifecycleFirsts, peak);
        }
        signupsFullFirsts.add(
            time(
                "full signups, history",
                () -> FullRecompute.signups(spec, events, ns + ".signups_full")));
        lifecycleFullFirsts.add(
            time(
                "full lifecycle, history",
                () ->
                    FullRecompute.lifecycle(
                        spec, events, ns + ".lifecycle_full", ns + ".anomalies_full")));
        if (fullFirst) {
          firstRunsOfNewProcesses(ns, events, run, signupsFirsts, lifecycleFirsts, peak);
        }
      }
      // The new processes' targets hold what the full recompute's do (the same history).
      for (int run = 2; run <= runs; run++) {
        for (String target : List.of("signups", "lifecycle", "anomalies")) {
          outputs(s, ns + "." + target + "_first" + run, ns + "." + target + "_full");
        }
      }
      firstSignups = ProcessCost.median(signupsFirsts);
      firstLifecycle = ProcessCost.median(lifecycleFirsts);
      firstSignupsFull = ProcessCost.median(signupsFullFirsts);
      firstLifecycleFull = ProcessCost.median(lifecycleFullFirsts);
    }

    int day = s.days();
    int daily = s == WARM_UP ? 0 : dailyRuns;
    for (int run = 1; run <= daily; run++, day++) {
      table.append(maker.day(day, s.newRows(), late, day - 1));
      time(
          "psyberg signups, daily run " + run,
          () -> PsybergRuns.signups(warehouse, "signups", events, ns + ".signups"));
      time(
          "psyberg lifecycle, daily run " + run,
          () ->
              PsybergRuns.lifecycle(
                  warehouse, "lifecycle", events, ns + ".lifecycle", ns + ".anomalies"));
    }
    if (daily > 0) {
      progress.printf(
          "  delete files after %d daily runs: %s %d, %s %d%n",
          daily,
          ns + ".signups",
          deleteFiles(ns + ".signups"),
          ns + ".lifecycle",
          deleteFiles(ns + ".lifecycle"));
    }
    // Each repetition lands one more new snapshot and times both sides on it; the medians are
    // reported (one run moves by a third with the machine's load).
    int times = s == WARM_UP ? warmUpRuns : repeats;
    // The scaled history's runs alternate with runs over the history ten times smaller (the same
    // new rows), so that the goal's two sides meet the machine and the JVM in the same state (the
    // smaller history's own runs were minutes earlier, before the scaled first load).
    IncrementalScenario shorter = s.psybergOnly() ? tenTimesShorter(s) : null;
    List<ProcessCost> shorterRuns = new ArrayList<>();
    List<ProcessCost> signupsRuns = new ArrayList<>();
    List<ProcessCost> signupsFullRuns = new ArrayList<>();
    List<ProcessCost> lifecycleRuns = new ArrayList<>();
    List<ProcessCost> lifecycleFullRuns = new ArrayList<>();
    for (int r = 1;
        r <= times
            || (s == WARM_UP
                && warmUpUntilSettled
                && r <= MAX_WARM_UP_RUNS
                && !ProcessCost.jitSettled(
                    SETTLED_WINDOW,
                    SETTLED_JIT_SHARE,
                    signupsRuns,
                    signupsFullRuns,
                    lifecycleRuns,
                    lifecycleFullRuns));
        r++, day++) {
      // Which of the two goes first alternates too: a run right after the scaled history's
      // first load meets a heap still settling from it.
      boolean shorterFirst = r % 2 == 0;
      if (shorter != null && shorterFirst) {
        shorterRuns.add(alongside(shorter, late, r, times));
      }
      table.append(maker.day(day, s.newRows(), late, day - 1));
      progress.printf(
          "  new snapshot%s: %,d rows, %,d of them late (day %d)%n",
          times == 1 ? "" : r > times ? " " + r + " (JIT not settled)" : " " + r + "/" + times,
          s.newRows(),
          late,
          day - 1);
      signupsRuns.add(
          time(
              "psyberg signups, new snapshot",
              () -> PsybergRuns.signups(warehouse, "signups", events, ns + ".signups")));
      if (!s.psybergOnly()) {
        signupsFullRuns.add(
            time(
                "full signups, new snapshot",
                () -> FullRecompute.signups(spec, events, ns + ".signups_full")));
      }
      lifecycleRuns.add(
          time(
              "psyberg lifecycle, new snapshot",
              () ->
                  PsybergRuns.lifecycle(
                      warehouse, "lifecycle", events, ns + ".lifecycle", ns + ".anomalies")));
      if (!s.psybergOnly()) {
        lifecycleFullRuns.add(
            time(
                "full lifecycle, new snapshot",
                () ->
                    FullRecompute.lifecycle(
                        spec, events, ns + ".lifecycle_full", ns + ".anomalies_full")));
      }
      if (shorter != null && !shorterFirst) {
        shorterRuns.add(alongside(shorter, late, r, times));
      }
    }
    if (s == WARM_UP) {
      warmUpsDone = lifecycleRuns.size();
      warmUpSettled =
          ProcessCost.jitSettled(
              SETTLED_WINDOW,
              SETTLED_JIT_SHARE,
              signupsRuns,
              signupsFullRuns,
              lifecycleRuns,
              lifecycleFullRuns);
    } else {
      live.put(s, new Live(table, maker, day));
    }
    ProcessCost signups = ProcessCost.median(signupsRuns);
    ProcessCost signupsFull = s.psybergOnly() ? null : ProcessCost.median(signupsFullRuns);
    ProcessCost lifecycle = ProcessCost.median(lifecycleRuns);
    ProcessCost lifecycleFull = s.psybergOnly() ? null : ProcessCost.median(lifecycleFullRuns);

    String signupOutputs = outputs(s, ns + ".signups", ns + ".signups_full");
    String lifecycleOutputs =
        outputs(s, ns + ".lifecycle", ns + ".lifecycle_full")
            + "; anomalies "
            + outputs(s, ns + ".anomalies", ns + ".anomalies_full");
    return List.of(
        new IncrementalRow(
            "signups",
            s,
            firstSignups,
            firstSignupsFull,
            signups,
            signupsFull,
            peak[0],
            signupOutputs,
            null),
        new IncrementalRow(
            "lifecycle",
            s,
            firstLifecycle,
            firstLifecycleFull,
            lifecycle,
            lifecycleFull,
            peak[1],
            lifecycleOutputs,
            shorterRuns.isEmpty() ? null : ProcessCost.median(shorterRuns)));
  }

  /**
   * The measured scenario whose history is ten times smaller than {@code s}'s at the same new rows
   * and days (the scaled history's counterpart), or null when none ran.
   */
  @Nullable
  private IncrementalScenario tenTimesShorter(IncrementalScenario s) {
    for (IncrementalScenario other : live.keySet()) {
      if (other.newRows() == s.newRows()
          && other.days() == s.days()
          && 10L * other.historyRows() == s.historyRows()) {
        return other;
      }
    }
    return null;
  }

  /**
   * One more new snapshot of {@code shorter}'s event table and its psyberg {@code lifecycle} run,
   * timed: the run alongside the {@code r}th of a longer history's.
   */
  private ProcessCost alongside(IncrementalScenario shorter, int late, int r, int times)
      throws Exception {
    Live at = live.get(shorter);
    String ns = shorter.namespace();
    at.table.append(at.maker.day(at.day, shorter.newRows(), late, at.day - 1));
    at.day++;
    progress.printf(
        "  alongside, in %s: new snapshot %d/%d, %,d rows%n",
        ns + ".events", r, times, shorter.newRows());
    return time(
        "psyberg lifecycle, history / 10",
        () ->
            PsybergRuns.lifecycle(
                warehouse, "lifecycle", ns + ".events", ns + ".lifecycle", ns + ".anomalies"));
  }

  /**
   * First runs of new psyberg processes ({@code signups_first<run>}, {@code lifecycle_first<run>})
   * over the whole history, into new targets.
   */
  private void firstRunsOfNewProcesses(
      String ns,
      String events,
      int run,
      List<ProcessCost> signups,
      List<ProcessCost> lifecycle,
      long[] peak)
      throws Exception {
    String suffix = "_first" + run;
    signups.add(
        time(
            "psyberg signups, history (new process)",
            () -> {
              HeapPeak.reset();
              PsybergRuns.signups(warehouse, "signups" + suffix, events, ns + ".signups" + suffix);
              peak[0] = Math.max(peak[0], HeapPeak.mib());
            }));
    lifecycle.add(
        time(
            "psyberg lifecycle, history (new process)",
            () -> {
              HeapPeak.reset();
              PsybergRuns.lifecycle(
                  warehouse,
                  "lifecycle" + suffix,
                  events,
                  ns + ".lifecycle" + suffix,
                  ns + ".anomalies" + suffix);
              peak[1] = Math.max(peak[1], HeapPeak.mib());
            }));
  }

  private void createFullTargets(String ns) throws Exception {
    SignupFacts.loadOrCreate(catalog, TableIdentifier.parse(ns + ".signups_full"));
    // Unpartitioned: the baseline overwrites the whole table (a partitioned one would only have the
    // partitions it writes replaced).
    catalog.createTable(
        TableIdentifier.parse(ns + ".lifecycle_full"),
        LifecycleTables.LIFECYCLE,
        PartitionSpec.unpartitioned(),
        Map.of(TableProperties.FORMAT_VERSION, "2"));
    LifecycleTables.ensure(catalog, ns + ".anomalies_full", LifecycleTables.ANOMALIES);
  }

  /** The delete files live in the table's current snapshot, from its manifest list. */
  private long deleteFiles(String table) {
    org.apache.iceberg.Table t = catalog.loadTable(TableIdentifier.parse(table));
    if (t.currentSnapshot() == null) {
      return 0;
    }
    return t.currentSnapshot().deleteManifests(t.io()).stream()
        .mapToLong(m -> m.addedFilesCount() + m.existingFilesCount())
        .sum();
  }

  /**
   * Times one run of either side. The heap is collected first, untimed: the process's CPU counts
   * the garbage collector's threads, and a run would otherwise pay for the garbage of the runs
   * before it (a first load of 2M rows leaves gigabytes that a later incremental run's concurrent
   * cycles collect).
   */
  private ProcessCost time(String what, ProcessCost.Work work) throws Exception {
    System.gc();
    ProcessCost cost = ProcessCost.measure(work);
    progress.printf(
        "  %-40s %7.1f s wall, %7.1f s CPU (JIT %.2f s, GC %.2f s)%n",
        what,
        cost.wallMillis() / 1e3,
        cost.cpuMillis() / 1e3,
        cost.jitMillis() / 1e3,
        cost.gcMillis() / 1e3);
    return cost;
  }

  /**
   * psyberg's output against the full recompute's; without one (psyberg only), what psyberg wrote,
   * which must not be empty.
   */
  private String outputs(IncrementalScenario s, String psyberg, String full) {
    TableDigest a = TableDigest.of(catalog, psyberg);
    if (s.psybergOnly()) {
      if (a.rows() == 0) {
        mismatches.add(psyberg + " is empty");
        progress.println("ERROR: " + psyberg + " is empty");
        return "**empty**";
      }
      return String.format(Locale.ROOT, "%,d rows (no full recompute)", a.rows());
    }
    TableDigest b = TableDigest.of(catalog, full);
    if (!a.equals(b) || a.rows() == 0) {
      String m = psyberg + " (" + a + ") vs " + full + " (" + b + ")";
      mismatches.add(m);
      progress.println("ERROR: outputs differ: " + m);
      return "**differ**: " + a + " vs " + b;
    }
    return String.format(Locale.ROOT, "equal (%,d rows)", a.rows());
  }
}
