package io.psyberg.flink.metrics;

import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.metrics.groups.AbstractMetricGroup;

/** Creates psyberg's metric groups and metrics under the names of {@link PsybergMetric}. */
@Internal
final class MetricGroups {
  /** Histograms keep the last this many values (Flink's own latency histograms keep 128). */
  private static final int HISTOGRAM_WINDOW = 128;

  private MetricGroups() {}

  /** {@code psyberg} with the process as a key/value group, so reporters show it as a label. */
  static MetricGroup processGroup(MetricGroup parent, String processName) {
    return parent.addGroup(PsybergMetric.GROUP).addGroup(PsybergMetric.PROCESS, processName);
  }

  static Counter counter(MetricGroup group, PsybergMetric metric) {
    return group.counter(metric.metricName());
  }

  static Histogram histogram(MetricGroup group, PsybergMetric metric) {
    return group.histogram(
        metric.metricName(), new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
  }

  /**
   * Unregisters the group's metrics. A coordinator keeps its metric group across a global failover,
   * while the enumerator is created again: without this the new enumerator's metrics would collide
   * with the old ones' names and reporters would keep showing the old values.
   */
  static void close(MetricGroup group) {
    if (group instanceof AbstractMetricGroup) {
      ((AbstractMetricGroup<?>) group).close();
    }
  }
}
