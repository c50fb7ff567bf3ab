package io.psyberg.flink.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;

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

  static long processCpuNanos() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    return CpuClock.nanos();
  }
}
