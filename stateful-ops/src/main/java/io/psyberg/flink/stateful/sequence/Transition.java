package io.psyberg.flink.stateful.sequence;

import java.util.List;
import java.util.Objects;

/**
 * The result of applying one event: the next state, the output rows it emits (new rows or
 * replacements of live rows) and the anomalies it raises.
 */
public record Transition<S, O, A>(S nextState, List<O> outputs, List<A> anomalies) {

  public Transition {
    Objects.requireNonNull(nextState, "nextState");
    outputs = List.copyOf(outputs);
    anomalies = List.copyOf(anomalies);
  }

  /** Moves to {@code next}, emitting the given rows. */
  @SafeVarargs
  public static <S, O, A> Transition<S, O, A> to(S next, O... outputs) {
    return new Transition<>(next, List.of(outputs), List.of());
  }

  /** Keeps the state and emits nothing (an ignored or no-op event). */
  public static <S, O, A> Transition<S, O, A> unchanged(S state) {
    return new Transition<>(state, List.of(), List.of());
  }

  /** Keeps the state and raises one anomaly. */
  public static <S, O, A> Transition<S, O, A> anomaly(S state, A anomaly) {
    return new Transition<>(state, List.of(), List.of(anomaly));
  }
}
