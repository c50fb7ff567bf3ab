package io.psyberg.flink.stateful.lifecycle;

import java.util.Objects;

/**
 * One row of {@code account_lifecycle}: a period in one state and plan, keyed by (account, segment
 * number); {@code validToMicros} is NULL while the segment is current.
 */
public record Segment(
    long accountId,
    int segmentNo,
    LifecycleStatus state,
    String plan,
    long validFromMicros,
    Long validToMicros,
    String openedByEventId) {

  public Segment {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(openedByEventId, "openedByEventId");
    if (segmentNo < 1) {
      throw new IllegalArgumentException("segment_no starts at 1, got " + segmentNo);
    }
  }

  public boolean isCurrent() {
    return validToMicros == null;
  }

  /** This segment closed when the next one opens. */
  public Segment closedAt(long micros) {
    return new Segment(accountId, segmentNo, state, plan, validFromMicros, micros, openedByEventId);
  }

  @Override
  public String toString() {
    return String.format(
        "Segment{account=%d, #%d %s(%s) [%s, %s) by %s}",
        accountId,
        segmentNo,
        state,
        plan,
        TimestampMicros.format(validFromMicros),
        validToMicros == null ? "-" : TimestampMicros.format(validToMicros),
        openedByEventId);
  }
}
