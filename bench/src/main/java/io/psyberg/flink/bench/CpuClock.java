package io.psyberg.flink.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * CPU time of every thread of this JVM, GC and JIT compiler threads included. On Linux it sums
 * {@code /proc/self/task/<tid>/schedstat} (nanoseconds); elsewhere it falls back to the JVM's
 * process CPU time (often 10 ms ticks). Time of threads that end between two readings is lost,
 * which is why only long-lived pools (Iceberg's worker pool) should run work in between.
 */
final class CpuClock {
  private static final Path TASKS = Paths.get("/proc/self/task");
  private static final boolean PROC = Files.isDirectory(TASKS);
  private static final OperatingSystemMXBean OS =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private CpuClock() {}

  /** CPU nanoseconds of one thread, from its {@code /proc/self/task/<tid>/schedstat}. */
  static long taskNanos(Path task) throws IOException {
    String stat = Files.readString(task.resolve("schedstat"));
    int space = stat.indexOf(' ');
    return Long.parseLong(space < 0 ? stat.trim() : stat.substring(0, space));
  }

  static String source() {
    return PROC ? "/proc/self/task/*/schedstat" : "OperatingSystemMXBean.getProcessCpuTime";
  }

  static long nanos() {
    if (!PROC) {
      return OS.getProcessCpuTime();
    }
    long sum = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
      for (Path task : tasks) {
        try {
          sum += taskNanos(task);
        } catch (IOException | NumberFormatException e) {
          // the thread ended while we listed the folder
        }
      }
    } catch (IOException e) {
      return OS.getProcessCpuTime();
    }
    return sum;
  }
}
