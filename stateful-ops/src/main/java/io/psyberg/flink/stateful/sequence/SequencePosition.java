package io.psyberg.flink.stateful.sequence;

import java.io.Serializable;
import java.util.Comparator;
import java.util.Objects;

/**
 * Where an event sits in its key's order: event time in epoch microseconds, ties broken by event id
 * (compared as Java strings).
 */
public record SequencePosition(long timeMicros, String eventId)
    implements Comparable<SequencePosition>, Serializable {

  private static final Comparator<SequencePosition> ORDER =
      Comparator.comparingLong(SequencePosition::timeMicros)
          .thenComparing(SequencePosition::eventId);

  public SequencePosition {
    Objects.requireNonNull(eventId, "eventId");
  }

  /** The position of an event as the state machine reads it. */
  public static <E> SequencePosition of(EventSequenceStateMachine<E, ?, ?, ?> machine, E event) {
    String id = machine.eventId(event);
    if (id == null) {
      throw new IllegalArgumentException("Event without an event id cannot be ordered: " + event);
    }
    return new SequencePosition(machine.eventTimeMicros(event), id);
  }

  @Override
  public int compareTo(SequencePosition other) {
    return ORDER.compare(this, other);
  }

  public boolean isAfter(SequencePosition other) {
    return compareTo(other) > 0;
  }
}
