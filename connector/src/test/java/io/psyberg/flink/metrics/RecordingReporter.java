package io.psyberg.flink.metrics;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.flink.metrics.LogicalScopeProvider;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A metric reporter that Flink loads by its factory class from the cluster configuration, like any
 * reporter, and that remembers every metric it was given, also after its job ended (a bounded job's
 * metrics are removed when it finishes).
 */
public final class RecordingReporter implements MetricReporter {
  /**
   * Registered by the MiniCluster's configuration under {@code
   * metrics.reporter.<name>.factory.class}.
   */
  public static final class Factory implements MetricReporterFactory {
    @Override
    public MetricReporter createMetricReporter(Properties properties) {
      return new RecordingReporter();
    }
  }

  /** One metric as the reporter was given it. */
  public static final class Reported {
    public final String name;
    public final Map<String, String> variables;
    public final String logicalScope;
    public final Metric metric;

    Reported(String name, Map<String, String> variables, String logicalScope, Metric metric) {
      this.name = name;
      this.variables = variables;
      this.logicalScope = logicalScope;
      this.metric = metric;
    }

    public String variable(String key) {
      return variables.get("<" + key + ">");
    }

    @Override
    public String toString() {
      return logicalScope + "." + name + variables;
    }
  }

  private static final List<Reported> REPORTED = new CopyOnWriteArrayList<>();

  /** What every reporter of this JVM was given of the job, for the psyberg group. */
  public static List<Reported> ofJob(String jobId) {
    return REPORTED.stream()
        .filter(r -> jobId.equals(r.variable("job_id")))
        .filter(r -> r.logicalScope.contains(PsybergMetric.GROUP))
        .collect(Collectors.toList());
  }

  @Override
  public void open(MetricConfig config) {}

  @Override
  public void close() {}

  @Override
  public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
    String scope = LogicalScopeProvider.castFrom(group).getLogicalScope(s -> s, '.');
    REPORTED.add(new Reported(metricName, Map.copyOf(group.getAllVariables()), scope, metric));
  }

  @Override
  public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {}
}
