package io.psyberg.flink.bench;

import java.nio.file.Path;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * Command-line options of the throughput benchmarks ({@link SourceBenchmark}, {@link
 * SinkBenchmark}).
 */
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

  /** The parsed command line: its warehouse folder and clean-up. */
  BenchArgs args;

  private ThroughputOptions(String usage) {
    this.usage = usage;
  }

  /**
   * Parses {@code args}; {@code rows}/{@code quickRows} and {@code snapshots}/{@code
   * quickSnapshots} are the defaults of the full and the quick mode ({@code snapshots} 0: the
   * benchmark has no such option).
   */
  static ThroughputOptions parse(
      String[] args,
      String usage,
      long rows,
      long quickRows,
      int snapshots,
      int quickSnapshots,
      int quickRepeats) {
    Set<String> valued =
        snapshots == 0
            ? Set.of("rows", "warmup", "repeats", "parallelism")
            : Set.of("rows", "snapshots", "warmup", "repeats", "parallelism");
    BenchArgs a = BenchArgs.parse(args, valued, usage);
    ThroughputOptions o = new ThroughputOptions(usage);
    o.quick = a.quick;
    o.keep = a.keep;
    o.help = a.help;
    o.dir = a.dir;
    o.args = a;
    o.rows = a.positive("rows", (int) quickRows, (int) rows);
    o.snapshots = snapshots == 0 ? 0 : a.positive("snapshots", quickSnapshots, snapshots);
    o.warmup = a.nonNegative("warmup", o.warmup, o.warmup);
    o.repeats = a.positive("repeats", quickRepeats, o.repeats);
    o.parallelism = a.positive("parallelism", o.parallelism, o.parallelism);
    if (o.snapshots > 0 && o.rows < o.snapshots) {
      throw new IllegalArgumentException(
          "--rows "
              + o.rows
              + " is fewer than --snapshots "
              + o.snapshots
              + ": every snapshot needs a row.");
    }
    return o;
  }
}
