package io.psyberg.flink.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * The heap's peak use over a piece of work, from the JVM's memory pools: whether a first load over
 * a history fits the heap, and with how much to spare.
 */
final class HeapPeak {
  private HeapPeak() {}

  /** Starts a new measurement: every heap pool's peak becomes its current use. */
  static void reset() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
  }

  /**
   * The old generation's peak since {@link #reset} in MiB (what outlives the young collections: a
   * job's state), or the sum of every heap pool's peak on a collector without one.
   */
  static long mib() {
    long old = 0;
    long all = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        long used = pool.getPeakUsage().getUsed();
        all += used;
        if (pool.getName().contains("Old") || pool.getName().contains("Tenured")) {
          old += used;
        }
      }
    }
    return (old > 0 ? old : all) / (1024 * 1024);
  }
}
