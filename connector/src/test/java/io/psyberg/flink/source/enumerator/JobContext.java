package io.psyberg.flink.source.enumerator;

import io.psyberg.flink.source.split.PsybergSplit;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * Flink's mock enumerator context with a job id in its metric scope, where the enumerator reads it
 * (the mock's own scope has none): a restart of the same job keeps it, a new job gets another.
 */
final class JobContext extends MockSplitEnumeratorContext<PsybergSplit> {
  private final SplitEnumeratorMetricGroup metrics;

  JobContext(String jobId, int parallelism) {
    super(parallelism);
    SplitEnumeratorMetricGroup unregistered =
        UnregisteredMetricsGroup.createSplitEnumeratorMetricGroup();
    this.metrics =
        (SplitEnumeratorMetricGroup)
            Proxy.newProxyInstance(
                JobContext.class.getClassLoader(),
                new Class<?>[] {SplitEnumeratorMetricGroup.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("getAllVariables")) {
                    return Map.of("<job_id>", jobId);
                  }
                  try {
                    return method.invoke(unregistered, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
  }

  @Override
  public SplitEnumeratorMetricGroup metricGroup() {
    return metrics;
  }
}
