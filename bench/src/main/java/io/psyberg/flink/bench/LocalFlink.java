package io.psyberg.flink.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The local Flink environment the throughput benchmarks run their jobs on, and small shared
 * helpers.
 */
final class LocalFlink {
  private LocalFlink() {}

  /**
   * A local environment: each {@code execute()} runs on an in-JVM MiniCluster with one slot per
   * parallel task. Figures use the job's net runtime, which leaves out starting and stopping the
   * MiniCluster.
   */
  static StreamExecutionEnvironment env(int parallelism) {
    return env(parallelism, conf -> {});
  }

  /** As {@link #env(int)}, with more cluster configuration (e.g. a metric reporter). */
  static StreamExecutionEnvironment env(int parallelism, Consumer<Configuration> more) {
    Configuration conf = new Configuration();
    more.accept(conf);
    conf.set(RestOptions.BIND_PORT, "0");
    conf.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
    return env;
  }

  /**
   * CPU time of this process so far, threads that have ended included (a MiniCluster's task threads
   * end with the job), in ms. On a busy machine it is steadier than wall time: it counts the work,
   * not the waiting for a core.
   */
  static double processCpuMillis() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime()
        / 1e6;
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int m = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(m) : (sorted.get(m - 1) + sorted.get(m)) / 2;
  }

  static String ms(double millis) {
    return millis < 100
        ? String.format(Locale.ROOT, "%.1f", millis)
        : String.format(Locale.ROOT, "%,.0f", millis);
  }

  static String perSecond(double rows, double millis) {
    return String.format(Locale.ROOT, "%,.0f", rows / (millis / 1000));
  }
}
