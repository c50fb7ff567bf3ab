package io.psyberg.flink.bench;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import javax.annotation.Nullable;

/** Command-line options of {@link PlanningBenchmark}. */
final class BenchOptions {
  static final String USAGE =
      String.join(
          "\n",
          "Usage: java -Xmx4g -jar psyberg-bench.jar planning [options]",
          "",
          "Measures session planning (psyberg SessionPlanner) against Iceberg's IncrementalAppendScan.planFiles()",
          "over the last N snapshots of tables with H snapshots of history, side by side in one JVM.",
          "",
          "  --quick              histories 200,1000 instead of 1000,5000",
          "  --history H1,H2,...  snapshots per table (default 1000,5000)",
          "  --new N1,N2,...      new snapshots to plan, at the end of the history (default 10,100,1000; N <= H)",
          "  --warmup W           unmeasured rounds per scenario (default 1)",
          "  --repeats R          measured rounds per scenario (default 5)",
          "  --budget-seconds S   stop a scenario after 3 measured rounds once it has run S seconds (default 30)",
          "  --commit-each        build the history with one table commit per snapshot instead of writing the",
          "                       metadata JSON once per " + HistoryTables.APPENDS_PER_FLUSH
              + " fast appends (same snapshots, manifests and manifest lists; slower)",
          "  --dir DIR            warehouse folder (default: a temp folder, deleted at the end); tables already",
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
  boolean help;

  static BenchOptions parse(String[] args) {
    BenchOptions o = new BenchOptions();
    boolean historiesGiven = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--quick":
          o.quick = true;
          break;
        case "--history":
          o.histories = ints(a, value(args, ++i, a));
          historiesGiven = true;
          break;
        case "--new":
          o.newSnapshots = ints(a, value(args, ++i, a));
          break;
        case "--warmup":
          o.warmup = nonNegative(a, value(args, ++i, a));
          break;
        case "--repeats":
          o.repeats = positive(a, value(args, ++i, a));
          break;
        case "--budget-seconds":
          o.budgetSeconds = positive(a, value(args, ++i, a));
          break;
        case "--commit-each":
          o.commitEach = true;
          break;
        case "--dir":
          o.dir = Paths.get(value(args, ++i, a));
          break;
        case "--keep":
          o.keep = true;
          break;
        case "--help":
        case "-h":
          o.help = true;
          break;
        default:
          throw new IllegalArgumentException("Unknown option '" + a + "'.\n\n" + USAGE);
      }
    }
    if (o.quick && !historiesGiven) {
      o.histories = List.of(200, 1_000);
    }
    int largest = o.histories.get(o.histories.size() - 1);
    if (o.newSnapshots.get(0) > largest) {
      throw new IllegalArgumentException(
          "--new: every value is larger than the largest history " + largest + "; nothing to measure.");
    }
    return o;
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException("Option " + option + " needs a value.\n\n" + USAGE);
    }
    return args[i];
  }

  /** Sorted, distinct, positive. */
  private static List<Integer> ints(String option, String text) {
    TreeSet<Integer> out = new TreeSet<>();
    for (String part : text.split(",")) {
      out.add(positive(option, part.trim().replace("_", "")));
    }
    return new ArrayList<>(out);
  }

  private static int positive(String option, String text) {
    int v = nonNegative(option, text);
    if (v == 0) {
      throw new IllegalArgumentException("Option " + option + " must be positive, got '" + text + "'.");
    }
    return v;
  }

  private static int nonNegative(String option, String text) {
    try {
      int v = Integer.parseInt(text);
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "Option " + option + " takes a non-negative whole number, got '" + text + "'.");
    }
  }
}
