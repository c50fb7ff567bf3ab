package io.psyberg.flink.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Wall-clock and process CPU time of one piece of work (all threads of the JVM, including threads
 * that start and end inside it, such as a MiniCluster's; from the JVM's process CPU counter), and
 * the JVM's own share of that CPU ({@link JvmUpkeep}): the JIT's compile time and the garbage
 * collector threads' CPU.
 */
record ProcessCost(double wallMillis, double cpuMillis, double jitMillis, double gcMillis) {

  ProcessCost(double wallMillis, double cpuMillis) {
    this(wallMillis, cpuMillis, 0, 0);
  }

  @FunctionalInterface
  interface Work {
    void run() throws Exception;
  }

  static ProcessCost measure(Work work) throws Exception {
    System.gc();
    JvmUpkeep.Reading upkeep0 = JvmUpkeep.read();
    long cpu0 = processCpuNanos();
    long t0 = System.nanoTime();
    work.run();
    double wall = (System.nanoTime() - t0) / 1e6;
    double cpu = (processCpuNanos() - cpu0) / 1e6;
    JvmUpkeep.Reading upkeep = JvmUpkeep.read();
    return new ProcessCost(
        wall,
        cpu,
        (upkeep.jitNanos() - upkeep0.jitNanos()) / 1e6,
        (upkeep.gcNanos() - upkeep0.gcNanos()) / 1e6);
  }

  /** This work followed by {@code next}. */
  ProcessCost plus(ProcessCost next) {
    return new ProcessCost(
        wallMillis + next.wallMillis,
        cpuMillis + next.cpuMillis,
        jitMillis + next.jitMillis,
        gcMillis + next.gcMillis);
  }

  /**
   * The median wall time, CPU time, JIT time and GC time of {@code costs} (each on its own: the
   * runs they come from may differ); of an even number, the mean of the middle two.
   */
  static ProcessCost median(List<ProcessCost> costs) {
    if (costs.isEmpty()) {
      throw new IllegalArgumentException("no costs to take the median of");
    }
    return new ProcessCost(
        median(costs.stream().mapToDouble(ProcessCost::wallMillis).sorted().toArray()),
        median(costs.stream().mapToDouble(ProcessCost::cpuMillis).sorted().toArray()),
        median(costs.stream().mapToDouble(ProcessCost::jitMillis).sorted().toArray()),
        median(costs.stream().mapToDouble(ProcessCost::gcMillis).sorted().toArray()));
  }

  /**
   * Whether the JIT has settled for every side: the median share of the JIT in the CPU of its last
   * {@code window} runs is below {@code share}. A side with fewer runs has not settled.
   */
  @SafeVarargs
  static boolean jitSettled(int window, double share, List<ProcessCost>... sides) {
    for (List<ProcessCost> runs : sides) {
      if (runs.size() < window) {
        return false;
      }
      double[] shares =
          runs.subList(runs.size() - window, runs.size()).stream()
              .mapToDouble(c -> c.cpuMillis() <= 0 ? 0 : c.jitMillis() / c.cpuMillis())
              .sorted()
              .toArray();
      if (median(shares) >= share) {
        return false;
      }
    }
    return true;
  }

  /** The CPU time less the JIT's and the garbage collector's: the job's own threads. */
  double ownCpuMillis() {
    return cpuMillis - jitMillis - gcMillis;
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  static long processCpuNanos() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    return CpuClock.nanos();
  }
}
