package io.psyberg.flink.stateful.lifecycle;

import java.util.List;

/**
 * The full lifecycle of some accounts: segments ordered by (account, segment number) and anomalies
 * ordered by (account, event time, event id).
 */
public record LifecycleResult(List<Segment> segments, List<Anomaly> anomalies) {

  public LifecycleResult {
    segments = List.copyOf(segments);
    anomalies = List.copyOf(anomalies);
  }
}
