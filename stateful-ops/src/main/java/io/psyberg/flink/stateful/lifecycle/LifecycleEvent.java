package io.psyberg.flink.stateful.lifecycle;

import java.time.LocalDateTime;
import java.util.Objects;

/**
 * One membership event (DESIGN section 7 input schema). {@code eventType} is kept as given, so
 * unknown types reach the state machine and become anomalies; {@code plan} may be NULL.
 */
public record LifecycleEvent(
    String eventId, long accountId, String eventType, String plan, long eventTimeMicros) {

  public LifecycleEvent {
    Objects.requireNonNull(eventId, "event_id must not be NULL");
    Objects.requireNonNull(eventType, "event_type must not be NULL");
  }

  public static LifecycleEvent of(
      String eventId, long accountId, String eventType, String plan, LocalDateTime ts) {
    return new LifecycleEvent(eventId, accountId, eventType, plan, TimestampMicros.of(ts));
  }

  public LocalDateTime eventTime() {
    return TimestampMicros.toLocalDateTime(eventTimeMicros);
  }

  @Override
  public String toString() {
    return String.format(
        "LifecycleEvent{%s, account=%d, %s(%s) @ %s}",
        eventId, accountId, eventType, plan, TimestampMicros.format(eventTimeMicros));
  }
}
