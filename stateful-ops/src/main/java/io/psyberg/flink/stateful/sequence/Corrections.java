package io.psyberg.flink.stateful.sequence;

import java.util.List;

/**
 * What a batch of arriving events changes in previously published output: changelogs for output
 * rows and anomaly rows, plus the arriving events that could not be placed because they precede the
 * seed.
 */
public record Corrections<E, O, A>(
    List<Change<O>> outputs, List<Change<A>> anomalies, List<E> tooLate) {

  public Corrections {
    outputs = List.copyOf(outputs);
    anomalies = List.copyOf(anomalies);
    tooLate = List.copyOf(tooLate);
  }

  /** True if nothing published changes and no event was rejected. */
  public boolean isEmpty() {
    return outputs.isEmpty() && anomalies.isEmpty() && tooLate.isEmpty();
  }
}
