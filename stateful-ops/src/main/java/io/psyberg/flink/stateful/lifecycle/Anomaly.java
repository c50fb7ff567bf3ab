package io.psyberg.flink.stateful.lifecycle;

import java.util.Objects;

/** One row of {@code lifecycle_anomalies}: an event that changed nothing, and why. */
public record Anomaly(
    String eventId, long accountId, String eventType, long eventTimeMicros, AnomalyReason reason) {

  public Anomaly {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(eventType, "eventType");
    Objects.requireNonNull(reason, "reason");
  }

  static Anomaly of(LifecycleEvent event, AnomalyReason reason) {
    return new Anomaly(
        event.eventId(), event.accountId(), event.eventType(), event.eventTimeMicros(), reason);
  }

  @Override
  public String toString() {
    return String.format(
        "Anomaly{%s, account=%d, %s @ %s: %s}",
        eventId, accountId, eventType, TimestampMicros.format(eventTimeMicros), reason);
  }
}
