package io.psyberg.flink.stateful.lifecycle;

import java.util.List;
import java.util.Objects;

/**
 * An account's state after some events: status and plan plus the current segment (number, start,
 * opening event), which is all a later event needs to close it and number the next one.
 */
public record LifecycleState(
    LifecycleStatus status,
    String plan,
    long accountId,
    int segmentNo,
    long segmentFromMicros,
    String segmentOpenedBy) {

  /** Before the account's first event. */
  public static final LifecycleState INITIAL =
      new LifecycleState(LifecycleStatus.NONE, null, 0L, 0, 0L, null);

  public LifecycleState {
    Objects.requireNonNull(status, "status");
    if (segmentNo > 0) {
      Objects.requireNonNull(segmentOpenedBy, "segmentOpenedBy");
    }
  }

  /**
   * The state right after the event that opened {@code segment} (the seed of a bounded correction).
   */
  public static LifecycleState openedBy(Segment segment) {
    return new LifecycleState(
        segment.state(),
        segment.plan(),
        segment.accountId(),
        segment.segmentNo(),
        segment.validFromMicros(),
        segment.openedByEventId());
  }

  /** The current, still open segment; empty before the first segment. */
  public List<Segment> currentSegment() {
    if (segmentNo == 0) {
      return List.of();
    }
    return List.of(
        new Segment(accountId, segmentNo, status, plan, segmentFromMicros, null, segmentOpenedBy));
  }

  /**
   * The state after {@code event} opens the next segment in {@code newStatus} with {@code newPlan}.
   */
  LifecycleState open(LifecycleStatus newStatus, String newPlan, LifecycleEvent event) {
    return new LifecycleState(
        newStatus,
        newPlan,
        event.accountId(),
        segmentNo + 1,
        event.eventTimeMicros(),
        event.eventId());
  }
}
