package io.psyberg.flink.bench;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The JVM's own work inside a process's CPU time: the JIT compiler threads' and the garbage
 * collector threads' CPU (on Linux, {@code /proc/self/task/<tid>/schedstat} of the threads named
 * {@code C1/C2 CompilerThread..}, and {@code GC Thread#n} or {@code G1 ..}). A run's process CPU
 * counts both; this shows how much of it is the JVM still compiling or collecting rather than the
 * job's own threads, so that a ratio that moves between runs can be traced to one or the other.
 *
 * <p>Without {@code /proc}, the JIT's share is the JVM's compilation counter (elapsed time, which
 * counts a compiler thread waiting for a core) and the collector's is not measured.
 */
final class JvmUpkeep {
  private static final Path TASKS = Paths.get("/proc/self/task");
  private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

  /** Nanoseconds of CPU so far: the JIT's and the garbage collector's. */
  record Reading(long jitNanos, long gcNanos) {}

  private JvmUpkeep() {}

  static Reading read() {
    if (!Files.isDirectory(TASKS)) {
      return new Reading(compilationMillis() * 1_000_000, 0);
    }
    long jit = 0;
    long gc = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
      for (Path task : tasks) {
        try {
          String name = Files.readString(task.resolve("comm")).trim();
          boolean compiler = name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler");
          boolean collector = name.startsWith("GC Thread") || name.startsWith("G1 ");
          if (compiler || collector) {
            long nanos = CpuClock.taskNanos(task);
            if (compiler) {
              jit += nanos;
            } else {
              gc += nanos;
            }
          }
        } catch (IOException | NumberFormatException e) {
          // the thread ended while the folder was listed
        }
      }
    } catch (IOException e) {
      return new Reading(compilationMillis() * 1_000_000, 0);
    }
    return new Reading(jit, gc);
  }

  private static long compilationMillis() {
    return JIT != null && JIT.isCompilationTimeMonitoringSupported()
        ? JIT.getTotalCompilationTime()
        : 0;
  }
}
