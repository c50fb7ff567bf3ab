package io.psyberg.flink.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import javax.annotation.Nullable;

/** Command-line options of {@link PlanningBenchmark}. */
final class BenchOptions {
  static final String USAGE =
      String.join(
          "\n",
          "Usage: java -Xmx4g -jar psyberg-bench.jar planning [options]",
          "",
          "Measures session planning (psyberg SessionPlanner) against Iceberg's"
              + " IncrementalAppendScan.planFiles()",
          "over the last N snapshots of tables with H snapshots of history, side by side in one"
              + " JVM.",
          "",
          "  --quick              histories 200,1000 instead of 1000,5000",
          "  --history H1,H2,...  snapshots per table (default 1000,5000)",
          "  --new N1,N2,...      new snapshots to plan, at the end of the history (default"
              + " 10,100,1000; N <= H)",
          "  --warmup W           unmeasured rounds per scenario (default 1)",
          "  --repeats R          measured rounds per scenario (default 5)",
          "  --budget-seconds S   stop a scenario after 3 measured rounds once it has run S seconds"
              + " (default 30)",
          "  --commit-each        build the history with one table commit per snapshot instead of"
              + " writing the",
          "                       metadata JSON once per "
              + HistoryTables.APPENDS_PER_FLUSH
              + " fast appends (same snapshots, manifests and manifest lists; slower)",
          "  --dir DIR            warehouse folder (default: a temp folder, deleted at the end);"
              + " tables already",
          "                       there with the right number of snapshots are reused",
          "  --keep               keep the temp warehouse",
          "  --help");

  List<Integer> histories = List.of(1_000, 5_000);
  List<Integer> newSnapshots = List.of(10, 100, 1_000);
  int warmup = 1;
  int repeats = 5;
  int budgetSeconds = 30;
  boolean quick;
  boolean commitEach;
  boolean keep;
  @Nullable Path dir;

  /** The parsed command line: its warehouse folder and clean-up. */
  BenchArgs args;

  boolean help;

  static BenchOptions parse(String[] args) {
    BenchArgs a =
        BenchArgs.parse(
            args,
            Set.of("history", "new", "warmup", "repeats", "budget-seconds"),
            Set.of("commit-each"),
            USAGE);
    BenchOptions o = new BenchOptions();
    o.quick = a.quick;
    o.keep = a.keep;
    o.help = a.help;
    o.dir = a.dir;
    o.args = a;
    o.commitEach = a.flag("commit-each");
    o.histories = a.list("history", List.of(200, 1_000), o.histories);
    o.newSnapshots = a.list("new", o.newSnapshots, o.newSnapshots);
    o.warmup = a.nonNegative("warmup", o.warmup, o.warmup);
    o.repeats = a.positive("repeats", o.repeats, o.repeats);
    o.budgetSeconds = a.positive("budget-seconds", o.budgetSeconds, o.budgetSeconds);
    int largest = o.histories.get(o.histories.size() - 1);
    if (o.newSnapshots.get(0) > largest) {
      throw new IllegalArgumentException(
          "--new: every value is larger than the largest history "
              + largest
              + "; nothing to measure.");
    }
    return o;
  }
}
