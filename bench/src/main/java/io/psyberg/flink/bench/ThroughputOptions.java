package io.psyberg.flink.bench;

import java.nio.file.Path;
import java.nio.file.Paths;
import javax.annotation.Nullable;

/** Command-line options of the throughput benchmarks ({@link SourceBenchmark}, {@link SinkBenchmark}). */
final class ThroughputOptions {
  final String usage;
  long rows;
  int snapshots;
  int warmup = 1;
  int repeats = 3;
  int parallelism = 2;
  boolean quick;
  boolean keep;
  boolean help;
  @Nullable Path dir;

  private ThroughputOptions(String usage) {
    this.usage = usage;
  }

  /**
   * Parses {@code args}; {@code rows}/{@code quickRows} and {@code snapshots}/{@code quickSnapshots} are
   * the defaults of the full and the quick mode ({@code snapshots} 0: the benchmark has no such option).
   */
  static ThroughputOptions parse(
      String[] args, String usage, long rows, long quickRows, int snapshots, int quickSnapshots, int quickRepeats) {
    ThroughputOptions o = new ThroughputOptions(usage);
    Long rowsGiven = null;
    Integer snapshotsGiven = null;
    Integer repeatsGiven = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--quick":
          o.quick = true;
          break;
        case "--rows":
          rowsGiven = (long) positive(a, value(o, args, ++i, a));
          break;
        case "--snapshots":
          if (snapshots == 0) {
            throw new IllegalArgumentException("Unknown option '" + a + "'.\n\n" + usage);
          }
          snapshotsGiven = positive(a, value(o, args, ++i, a));
          break;
        case "--warmup":
          o.warmup = nonNegative(a, value(o, args, ++i, a));
          break;
        case "--repeats":
          repeatsGiven = positive(a, value(o, args, ++i, a));
          break;
        case "--parallelism":
          o.parallelism = positive(a, value(o, args, ++i, a));
          break;
        case "--dir":
          o.dir = Paths.get(value(o, args, ++i, a));
          break;
        case "--keep":
          o.keep = true;
          break;
        case "--help":
        case "-h":
          o.help = true;
          break;
        default:
          throw new IllegalArgumentException("Unknown option '" + a + "'.\n\n" + usage);
      }
    }
    o.rows = rowsGiven != null ? rowsGiven : o.quick ? quickRows : rows;
    o.snapshots = snapshotsGiven != null ? snapshotsGiven : o.quick ? quickSnapshots : snapshots;
    o.repeats = repeatsGiven != null ? repeatsGiven : o.quick ? quickRepeats : o.repeats;
    if (o.snapshots > 0 && o.rows < o.snapshots) {
      throw new IllegalArgumentException(
          "--rows " + o.rows + " is fewer than --snapshots " + o.snapshots + ": every snapshot needs a row.");
    }
    return o;
  }

  private static String value(ThroughputOptions o, String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException("Option " + option + " needs a value.\n\n" + o.usage);
    }
    return args[i];
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
      int v = Integer.parseInt(text.replace("_", ""));
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
