package io.psyberg.flink.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Wall-clock and process CPU time of one piece of work (all threads of the JVM, including threads
 * that start and end inside it, such as a MiniCluster's; from the JVM's process CPU counter).
 */
record ProcessCost(double wallMillis, double cpuMillis) {

  @FunctionalInterface
  interface Work {
    void run() throws Exception;
  }

  static ProcessCost measure(Work work) throws Exception {
    System.gc();
    long cpu0 = processCpuNanos();
    long t0 = System.nanoTime();
    work.run();
    double wall = (System.nanoTime() - t0) / 1e6;
    double cpu = (processCpuNanos() - cpu0) / 1e6;
    return new ProcessCost(wall, cpu);
  }

  /** This work followed by {@code next}. */
  ProcessCost plus(ProcessCost next) {
    return new ProcessCost(wallMillis + next.wallMillis, cpuMillis + next.cpuMillis);
  }

  /**
   * The median wall time and the median CPU time of {@code costs} (each on its own: the runs they
   * come from may differ); of an even number, the mean of the middle two.
   */
  static ProcessCost median(List<ProcessCost> costs) {
    if (costs.isEmpty()) {
      throw new IllegalArgumentException("no costs to take the median of");
    }
    return new ProcessCost(
        median(costs.stream().mapToDouble(ProcessCost::wallMillis).sorted().toArray()),
        median(costs.stream().mapToDouble(ProcessCost::cpuMillis).sorted().toArray()));
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
