package io.psyberg.flink.stateful.sequence;

import java.io.Serializable;
import java.util.Collection;
import java.util.List;

/**
 * User rules for one key's events, applied in (event time, event id) order; the operator re-applies
 * them from an earlier state whenever a late event arrives, so {@link #apply} must be deterministic
 * and must not mutate the state it is given.
 *
 * <p>Outputs are rows identified by {@link #outputKey} within one key: a later transition may emit
 * a row with the same key again to replace it (for example to close a segment). Anomalies belong to
 * the event that raised them.
 *
 * @param <E> event type (immutable)
 * @param <S> state type (immutable; stored in Flink keyed state)
 * @param <O> output row type, compared with {@code equals} to emit only real changes
 * @param <A> anomaly type, compared with {@code equals}
 */
public interface EventSequenceStateMachine<E, S, O, A> extends Serializable {

  /** The event's id: the order's tie-breaker, and the identity used to ignore repeated events. */
  String eventId(E event);

  /** The event's time in epoch microseconds (TIMESTAMP(6) precision). */
  long eventTimeMicros(E event);

  /** The state of a key before its first event. */
  S initialState();

  /** Applies one event to a state; returns the next state plus the rows and anomalies it emits. */
  Transition<S, O, A> apply(S state, E event);

  /**
   * The identity of an output row within its key (e.g. a segment number); used to diff
   * recomputations.
   */
  Object outputKey(O output);

  /**
   * The rows of a state that later events may still change (e.g. the current, open segment).
   *
   * <p>Contract: a transition may only re-emit keys that are live in the state it is applied to;
   * rows that stop being live are final. This lets the operator fold old events into a compact
   * state and still emit exact corrections without keeping every row it ever emitted.
   */
  default Collection<O> liveOutputs(S state) {
    return List.of();
  }
}
