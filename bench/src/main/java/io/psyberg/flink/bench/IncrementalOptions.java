package io.psyberg.flink.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The incremental benchmark's options: its usage text, and the scenarios the options choose (the
 * goals' three, any {@code NEWxDAYS}, or the older batch and multiples), the scaled one last.
 */
final class IncrementalOptions {
  static final String USAGE =
      String.join(
          "\n",
          "Usage: java -Xms4g -Xmx4g -jar psyberg-bench.jar incremental [options]",
          "",
          "(A fixed heap, -Xms = -Xmx, as Flink starts a TaskManager: each run starts after a"
              + " full collection,",
          "and a heap that may shrink makes every run grow it again.)",
          "",
          "Times a bounded psyberg run of the signups and lifecycle jobs over one new snapshot"
              + " against a full",
          "recompute (Iceberg source, whole table, overwrite) after histories of several sizes,"
              + " and reports the",
          "stateful cost goals (ratio, target, verdict).",
          "",
          "  --goals            the goals' scenarios: 2000x100, 2000x1000, 10000x100, 20,000"
              + " accounts (~15 min)",
          "  --scenarios S,..   scenarios NEWxDAYS: a history of DAYS daily snapshots, then one"
              + " new snapshot of NEW rows",
          "  --history-batch H  rows per history day (default: each scenario's NEW)",
          "  --scaled           adds the largest history x10 (10x the rows per day, as many days,"
              + " same new snapshot),",
          "                     psyberg only (no full recompute), its first load in several"
              + " bounded sessions",
          "  --scaled-session-days D  days per first-load session of the scaled history (default:"
              + " a tenth of its days;",
          "                     its days for one session)",
          "  --daily-runs K     before the timed run, K untimed psyberg runs of NEW rows each, one"
              + " per day (a",
          "                     process that has run for K days: what its targets piled up"
              + " meanwhile counts)",
          "  --repeats R        R new snapshots, one after the other, each processed by both"
              + " sides, timed;",
          "                     the medians are reported (default 1)",
          "  --first-runs F     first runs of each side over a history loaded in one session, the"
              + " order",
          "                     alternating; the medians are compared (default 3)",
          "  --warm-up-runs N   exactly N untimed runs of both sides before the measured scenarios,"
              + " each over 100",
          "                     new rows (1: a JVM whose JIT has seen each side's code once); by"
              + " default at least 20,",
          "                     then on until the JIT compiles under 10% of each side's CPU (the"
              + " median of its last",
          "                     5 runs), at most 100: a standing cluster's JVM that has run the"
              + " process before",
          "  --cluster-per-run  each job on a local cluster of its own, started and stopped by its"
              + " execute() (the",
          "                     embedded CLI's way); by default every job of both sides is"
              + " submitted to one",
          "                     standing local cluster, as scheduled runs are to a session"
              + " cluster",
          "  --psyberg-only     no full recompute: psyberg's first load (one session) and"
              + " incremental run only",
          "  --quick            scenario 2000x100, 20,000 accounts (~1 min)",
          "  --batch B          rows per snapshot: each history day and the new snapshot (default"
              + " 10000)",
          "  --multiples M1,..  history length in snapshots of B rows (default 10,100)",
          "  --accounts A       accounts the events go to (default 100000; 20000 with --goals or"
              + " --quick)",
          "  --late-percent P   share of the new snapshot's rows that are late, in the day before"
              + " (default 10)",
          "  --dir DIR          new or empty warehouse folder, kept (default: a temp folder,"
              + " deleted)",
          "  --keep             keep the temp warehouse",
          "  --help");

  /** The goals' scenarios: 0.1% new over 200K and 2M rows, 1% new over 1M rows. */
  static final List<IncrementalScenario> GOALS =
      List.of(
          IncrementalScenario.of(2_000, 100),
          IncrementalScenario.of(2_000, 1_000),
          IncrementalScenario.of(10_000, 100));

  static BenchArgs parse(String[] argv) {
    return BenchArgs.parse(
        argv,
        Set.of(
            "batch",
            "multiples",
            "accounts",
            "late-percent",
            "scenarios",
            "history-batch",
            "scaled-session-days",
            "daily-runs",
            "repeats",
            "first-runs",
            "warm-up-runs"),
        Set.of("goals", "scaled", "psyberg-only", "cluster-per-run"),
        USAGE);
  }

  /** The scenarios the options name, the scaled one last. */
  static List<IncrementalScenario> scenarios(BenchArgs args) {
    boolean legacy = args.has("batch") || args.has("multiples");
    if ((args.has("scenarios") ? 1 : 0) + (args.flag("goals") ? 1 : 0) + (legacy ? 1 : 0) > 1) {
      throw new IllegalArgumentException(
          "Options --scenarios, --goals and --batch/--multiples each choose the scenarios; give"
              + " one of them.\n\n"
              + USAGE);
    }
    int historyBatch = args.has("history-batch") ? args.positive("history-batch", 0, 0) : 0;
    List<IncrementalScenario> out = new ArrayList<>();
    if (args.has("scenarios")) {
      out.addAll(IncrementalScenario.parse(args.text("scenarios"), historyBatch));
    } else if (args.flag("goals")) {
      out.addAll(IncrementalScenario.parse(label(GOALS), historyBatch));
    } else {
      int batch = args.positive("batch", 2_000, 10_000);
      for (int m : args.list("multiples", List.of(100), List.of(10, 100))) {
        out.add(
            new IncrementalScenario(batch, historyBatch > 0 ? historyBatch : batch, m, false, 0));
      }
    }
    if (args.flag("psyberg-only")) {
      out.replaceAll(
          s -> new IncrementalScenario(s.newRows(), s.historyBatch(), s.days(), true, 0));
    }
    if (args.has("scaled-session-days") && !args.flag("scaled")) {
      throw new IllegalArgumentException(
          "Option --scaled-session-days applies to the scaled scenario: add --scaled.\n\n" + USAGE);
    }
    if (args.flag("scaled")) {
      IncrementalScenario largest = out.get(0);
      for (IncrementalScenario s : out) {
        if (s.historyRows() > largest.historyRows()) {
          largest = s;
        }
      }
      int sessionDays =
          args.has("scaled-session-days")
              ? Math.min(largest.days(), args.positive("scaled-session-days", 0, 0))
              : Math.max(1, largest.days() / 10);
      out.add(largest.scaled(sessionDays));
    }
    return out;
  }

  private static String label(List<IncrementalScenario> scenarios) {
    List<String> labels = new ArrayList<>();
    scenarios.forEach(s -> labels.add(s.newRows() + "x" + s.days()));
    return String.join(",", labels);
  }

  private IncrementalOptions() {}
}
