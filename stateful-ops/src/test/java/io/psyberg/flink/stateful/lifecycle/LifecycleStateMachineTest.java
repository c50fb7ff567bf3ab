package io.psyberg.flink.stateful.lifecycle;

import static io.psyberg.flink.stateful.lifecycle.AnomalyReason.DUPLICATE_SIGNUP;
import static io.psyberg.flink.stateful.lifecycle.AnomalyReason.INVALID_TRANSITION;
import static io.psyberg.flink.stateful.lifecycle.AnomalyReason.MISSING_PLAN;
import static io.psyberg.flink.stateful.lifecycle.AnomalyReason.UNKNOWN_EVENT_TYPE;
import static io.psyberg.flink.stateful.lifecycle.Events.ev;
import static io.psyberg.flink.stateful.lifecycle.Events.micros;
import static io.psyberg.flink.stateful.lifecycle.LifecycleStatus.ACTIVE;
import static io.psyberg.flink.stateful.lifecycle.LifecycleStatus.CANCELED;
import static io.psyberg.flink.stateful.lifecycle.LifecycleStatus.NONE;
import static io.psyberg.flink.stateful.lifecycle.LifecycleStatus.ON_HOLD;
import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.stateful.sequence.Transition;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each rule of DESIGN section 7, one state and one event at a time. */
class LifecycleStateMachineTest {

  private static final LifecycleStateMachine MACHINE = LifecycleStateMachine.INSTANCE;

  /**
   * A state in {@code status} on plan "basic" with segment 3 open since 07:00 (NONE has no
   * segment).
   */
  private static LifecycleState in(LifecycleStatus status) {
    return status == NONE
        ? LifecycleState.INITIAL
        : new LifecycleState(status, "basic", 1L, 3, micros("07:00"), "open-3");
  }

  private static Transition<LifecycleState, Segment, Anomaly> apply(
      LifecycleStatus status, LifecycleEvent event) {
    return MACHINE.apply(in(status), event);
  }

  private static void assertAnomaly(
      Transition<LifecycleState, Segment, Anomaly> t,
      LifecycleState before,
      LifecycleEvent e,
      AnomalyReason reason) {
    assertThat(t.nextState()).isEqualTo(before);
    assertThat(t.outputs()).isEmpty();
    assertThat(t.anomalies())
        .containsExactly(
            new Anomaly(e.eventId(), e.accountId(), e.eventType(), e.eventTimeMicros(), reason));
  }

  /**
   * Asserts the transition closes segment 3 at the event and opens segment 4 in the given status
   * and plan.
   */
  private static void assertOpens(
      Transition<LifecycleState, Segment, Anomaly> t,
      LifecycleStatus from,
      LifecycleEvent e,
      LifecycleStatus status,
      String plan) {
    long at = e.eventTimeMicros();
    assertThat(t.anomalies()).isEmpty();
    assertThat(t.outputs())
        .containsExactly(
            new Segment(1L, 3, from, "basic", micros("07:00"), at, "open-3"),
            new Segment(1L, 4, status, plan, at, null, e.eventId()));
    assertThat(t.nextState()).isEqualTo(new LifecycleState(status, plan, 1L, 4, at, e.eventId()));
  }

  @Test
  void firstSignupOpensSegmentOne() {
    LifecycleEvent e = ev("s1", "SIGNUP", "basic", "08:00");
    Transition<LifecycleState, Segment, Anomaly> t = apply(NONE, e);
    assertThat(t.outputs())
        .containsExactly(new Segment(1L, 1, ACTIVE, "basic", micros("08:00"), null, "s1"));
    assertThat(t.nextState().status()).isEqualTo(ACTIVE);
    assertThat(t.anomalies()).isEmpty();
  }

  @Test
  void signupAfterCancelRejoinsWithTheNextSegmentNumber() {
    LifecycleEvent e = ev("s2", "SIGNUP", "premium", "09:00");
    assertOpens(apply(CANCELED, e), CANCELED, e, ACTIVE, "premium");
  }

  @ParameterizedTest
  @EnumSource(
      value = LifecycleStatus.class,
      names = {"ACTIVE", "ON_HOLD"})
  void signupWhileMemberIsDuplicateSignup(LifecycleStatus status) {
    LifecycleEvent e = ev("s2", "SIGNUP", "premium", "09:00");
    assertAnomaly(apply(status, e), in(status), e, DUPLICATE_SIGNUP);
  }

  @ParameterizedTest
  @EnumSource(
      value = LifecycleStatus.class,
      names = {"ACTIVE", "ON_HOLD"})
  void planChangeOpensSegmentInTheSameStatus(LifecycleStatus status) {
    LifecycleEvent e = ev("p1", "PLAN_CHANGE", "premium", "09:00");
    assertOpens(apply(status, e), status, e, status, "premium");
  }

  @ParameterizedTest
  @EnumSource(
      value = LifecycleStatus.class,
      names = {"ACTIVE", "ON_HOLD"})
  void planChangeToTheCurrentPlanIsANoOp(LifecycleStatus status) {
    Transition<LifecycleState, Segment, Anomaly> t =
        apply(status, ev("p1", "PLAN_CHANGE", "basic", "09:00"));
    assertThat(t.nextState()).isEqualTo(in(status));
    assertThat(t.outputs()).isEmpty();
    assertThat(t.anomalies()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(
      value = LifecycleStatus.class,
      names = {"NONE", "CANCELED"})
  void planChangeWithoutMembershipIsInvalid(LifecycleStatus status) {
    // also with the plan the canceled account had: a canceled account has no plan to keep
    LifecycleEvent e = ev("p1", "PLAN_CHANGE", "basic", "09:00");
    assertAnomaly(apply(status, e), in(status), e, INVALID_TRANSITION);
  }

  @Test
  void paymentHoldPutsAnActiveAccountOnHoldWithItsPlan() {
    LifecycleEvent e = ev("h1", "PAYMENT_HOLD", null, "09:00");
    assertOpens(apply(ACTIVE, e), ACTIVE, e, ON_HOLD, "basic");
  }

  @Test
  void paymentRecoveredReactivatesWithItsPlan() {
    LifecycleEvent e = ev("r1", "PAYMENT_RECOVERED", "ignored", "09:00");
    assertOpens(apply(ON_HOLD, e), ON_HOLD, e, ACTIVE, "basic");
  }

  @ParameterizedTest
  @EnumSource(
      value = LifecycleStatus.class,
      names = {"ACTIVE", "ON_HOLD"})
  void cancelClosesMembershipKeepingThePlan(LifecycleStatus status) {
    LifecycleEvent e = ev("c1", "CANCEL", null, "09:00");
    assertOpens(apply(status, e), status, e, CANCELED, "basic");
  }

  @ParameterizedTest
  @EnumSource(LifecycleStatus.class)
  void transitionsNotAllowedInAStateAreInvalid(LifecycleStatus status) {
    if (status != ACTIVE) {
      LifecycleEvent hold = ev("h1", "PAYMENT_HOLD", null, "09:00");
      assertAnomaly(apply(status, hold), in(status), hold, INVALID_TRANSITION);
    }
    if (status != ON_HOLD) {
      LifecycleEvent recovered = ev("r1", "PAYMENT_RECOVERED", null, "09:00");
      assertAnomaly(apply(status, recovered), in(status), recovered, INVALID_TRANSITION);
    }
    if (EnumSet.of(NONE, CANCELED).contains(status)) {
      LifecycleEvent cancel = ev("c1", "CANCEL", null, "09:00");
      assertAnomaly(apply(status, cancel), in(status), cancel, INVALID_TRANSITION);
    }
  }

  @ParameterizedTest
  @EnumSource(LifecycleStatus.class)
  void unknownTypesAreAnomaliesInEveryState(LifecycleStatus status) {
    for (String type : new String[] {"UPGRADE", "signup", "", " SIGNUP"}) {
      LifecycleEvent e = ev("u1", type, "basic", "09:00");
      assertAnomaly(apply(status, e), in(status), e, UNKNOWN_EVENT_TYPE);
    }
  }

  @ParameterizedTest
  @EnumSource(LifecycleStatus.class)
  void nullPlanOnSignupOrPlanChangeIsMissingPlanBeforeAnyTransitionRule(LifecycleStatus status) {
    // MISSING_PLAN wins over DUPLICATE_SIGNUP / INVALID_TRANSITION: checks run in that order
    LifecycleEvent signup = ev("s1", "SIGNUP", null, "09:00");
    assertAnomaly(apply(status, signup), in(status), signup, MISSING_PLAN);
    LifecycleEvent change = ev("p1", "PLAN_CHANGE", null, "09:00");
    assertAnomaly(apply(status, change), in(status), change, MISSING_PLAN);
  }

  @Test
  void unknownTypeIsCheckedBeforeMissingPlan() {
    LifecycleEvent e = ev("u1", "UPGRADE", null, "09:00");
    assertAnomaly(apply(ACTIVE, e), in(ACTIVE), e, UNKNOWN_EVENT_TYPE);
  }

  @Test
  void nullPlanIsFineForEventsThatTakeNoPlan() {
    LifecycleEvent e = ev("c1", "CANCEL", null, "09:00");
    assertThat(apply(ACTIVE, e).anomalies()).isEmpty();
  }

  @Test
  void liveOutputIsTheCurrentSegment() {
    assertThat(MACHINE.liveOutputs(LifecycleState.INITIAL)).isEmpty();
    assertThat(MACHINE.liveOutputs(in(ON_HOLD)))
        .containsExactly(new Segment(1L, 3, ON_HOLD, "basic", micros("07:00"), null, "open-3"));
  }
}
