package io.psyberg.flink.stateful.sequence;

import java.util.List;

/**
 * A full recompute of one key: its final state, every output row (last value per row key, in order
 * of first emission) and every anomaly (in event order).
 */
public record Recomputation<S, O, A>(S finalState, List<O> outputs, List<A> anomalies) {

  public Recomputation {
    outputs = List.copyOf(outputs);
    anomalies = List.copyOf(anomalies);
  }
}
