package io.psyberg.flink.stateful.lifecycle;

import static io.psyberg.flink.stateful.lifecycle.AnomalyReason.DUPLICATE_SIGNUP;
import static io.psyberg.flink.stateful.lifecycle.AnomalyReason.INVALID_TRANSITION;
import static io.psyberg.flink.stateful.lifecycle.AnomalyReason.MISSING_PLAN;
import static io.psyberg.flink.stateful.lifecycle.AnomalyReason.UNKNOWN_EVENT_TYPE;
import static io.psyberg.flink.stateful.lifecycle.LifecycleStatus.ACTIVE;
import static io.psyberg.flink.stateful.lifecycle.LifecycleStatus.CANCELED;
import static io.psyberg.flink.stateful.lifecycle.LifecycleStatus.NONE;
import static io.psyberg.flink.stateful.lifecycle.LifecycleStatus.ON_HOLD;

import io.psyberg.flink.stateful.sequence.EventSequenceStateMachine;
import io.psyberg.flink.stateful.sequence.Transition;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The account lifecycle rules of DESIGN section 7. Checks run in this order: unknown event type,
 * missing plan, then the transition rules; an anomaly changes no state and opens no segment; a
 * PLAN_CHANGE to the current plan is a no-op. A new segment closes the previous one at its own
 * start time.
 */
public final class LifecycleStateMachine
    implements EventSequenceStateMachine<LifecycleEvent, LifecycleState, Segment, Anomaly> {

  public static final LifecycleStateMachine INSTANCE = new LifecycleStateMachine();

  private static final long serialVersionUID = 1L;

  @Override
  public String eventId(LifecycleEvent event) {
    return event.eventId();
  }

  @Override
  public long eventTimeMicros(LifecycleEvent event) {
    return event.eventTimeMicros();
  }

  @Override
  public LifecycleState initialState() {
    return LifecycleState.INITIAL;
  }

  @Override
  public Transition<LifecycleState, Segment, Anomaly> apply(
      LifecycleState state, LifecycleEvent event) {
    Optional<LifecycleEventType> parsed = LifecycleEventType.parse(event.eventType());
    if (parsed.isEmpty()) {
      return anomaly(state, event, UNKNOWN_EVENT_TYPE);
    }
    LifecycleEventType type = parsed.get();
    if (type.requiresPlan() && event.plan() == null) {
      return anomaly(state, event, MISSING_PLAN);
    }
    LifecycleStatus status = state.status();
    switch (type) {
      case SIGNUP:
        return status == NONE || status == CANCELED
            ? open(state, ACTIVE, event.plan(), event)
            : anomaly(state, event, DUPLICATE_SIGNUP);
      case PLAN_CHANGE:
        if (status != ACTIVE && status != ON_HOLD) {
          return anomaly(state, event, INVALID_TRANSITION);
        }
        return Objects.equals(state.plan(), event.plan())
            ? Transition.unchanged(state)
            : open(state, status, event.plan(), event);
      case PAYMENT_HOLD:
        return status == ACTIVE
            ? open(state, ON_HOLD, state.plan(), event)
            : anomaly(state, event, INVALID_TRANSITION);
      case PAYMENT_RECOVERED:
        return status == ON_HOLD
            ? open(state, ACTIVE, state.plan(), event)
            : anomaly(state, event, INVALID_TRANSITION);
      case CANCEL:
        return status == ACTIVE || status == ON_HOLD
            ? open(state, CANCELED, state.plan(), event)
            : anomaly(state, event, INVALID_TRANSITION);
      default:
        throw new IllegalStateException("Unhandled lifecycle event type " + type);
    }
  }

  @Override
  public Object outputKey(Segment output) {
    return output
        .segmentNo(); // one state machine runs per account, so the number alone identifies a row
  }

  @Override
  public Collection<Segment> liveOutputs(LifecycleState state) {
    return state.currentSegment();
  }

  private static Transition<LifecycleState, Segment, Anomaly> open(
      LifecycleState state, LifecycleStatus status, String plan, LifecycleEvent event) {
    LifecycleState next = state.open(status, plan, event);
    Segment opened = next.currentSegment().get(0);
    if (state.segmentNo() == 0) {
      return Transition.to(next, opened);
    }
    Segment closed = state.currentSegment().get(0).closedAt(event.eventTimeMicros());
    return new Transition<>(next, List.of(closed, opened), List.of());
  }

  private static Transition<LifecycleState, Segment, Anomaly> anomaly(
      LifecycleState state, LifecycleEvent event, AnomalyReason reason) {
    return Transition.anomaly(state, Anomaly.of(event, reason));
  }

  private Object readResolve() {
    return INSTANCE;
  }
}
