package io.psyberg.flink.stateful.sequence;

import java.util.Objects;

/**
 * A compact starting point for a key: the state after every event up to and including {@code
 * position}. A {@code null} position means no event has been applied yet.
 */
public record SequenceSeed<S>(S state, SequencePosition position) {

  public SequenceSeed {
    Objects.requireNonNull(state, "state");
  }

  /** The machine's initial state, before any event. */
  public static <S> SequenceSeed<S> initial(EventSequenceStateMachine<?, S, ?, ?> machine) {
    return new SequenceSeed<>(machine.initialState(), null);
  }

  /** True if an event at {@code candidate} comes after everything folded into this seed. */
  public boolean precedes(SequencePosition candidate) {
    return position == null || candidate.isAfter(position);
  }
}
