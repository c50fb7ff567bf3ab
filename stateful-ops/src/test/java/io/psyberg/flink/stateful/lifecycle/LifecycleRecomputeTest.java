package io.psyberg.flink.stateful.lifecycle;

import static io.psyberg.flink.stateful.lifecycle.AnomalyReason.DUPLICATE_SIGNUP;
import static io.psyberg.flink.stateful.lifecycle.AnomalyReason.INVALID_TRANSITION;
import static io.psyberg.flink.stateful.lifecycle.AnomalyReason.MISSING_PLAN;
import static io.psyberg.flink.stateful.lifecycle.AnomalyReason.UNKNOWN_EVENT_TYPE;
import static io.psyberg.flink.stateful.lifecycle.Events.ev;
import static io.psyberg.flink.stateful.lifecycle.Events.micros;
import static io.psyberg.flink.stateful.lifecycle.LifecycleStatus.ACTIVE;
import static io.psyberg.flink.stateful.lifecycle.LifecycleStatus.CANCELED;
import static io.psyberg.flink.stateful.lifecycle.LifecycleStatus.ON_HOLD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.psyberg.flink.stateful.testutils.EventGenerator;
import io.psyberg.flink.stateful.testutils.LifecycleOracle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Whole histories through {@link LifecycleRecompute}: ordering, ties, repeated ids and multi-step
 * scenarios.
 */
class LifecycleRecomputeTest {

  private static Segment seg(
      int no, LifecycleStatus state, String plan, String from, String to, String by) {
    return new Segment(1L, no, state, plan, micros(from), to == null ? null : micros(to), by);
  }

  private static Anomaly anomaly(LifecycleEvent e, AnomalyReason reason) {
    return new Anomaly(e.eventId(), e.accountId(), e.eventType(), e.eventTimeMicros(), reason);
  }

  @Test
  void segmentsAreNumberedInEventTimeOrderWhateverTheArrivalOrder() {
    List<LifecycleEvent> events =
        new ArrayList<>(
            List.of(
                ev("a", "SIGNUP", "basic", "08:00"),
                ev("b", "PAYMENT_HOLD", null, "09:00"),
                ev("c", "PAYMENT_RECOVERED", null, "10:00"),
                ev("d", "CANCEL", null, "11:00")));
    List<Segment> expected =
        List.of(
            seg(1, ACTIVE, "basic", "08:00", "09:00", "a"),
            seg(2, ON_HOLD, "basic", "09:00", "10:00", "b"),
            seg(3, ACTIVE, "basic", "10:00", "11:00", "c"),
            seg(4, CANCELED, "basic", "11:00", null, "d"));
    for (int i = 0; i < 5; i++) {
      Collections.shuffle(events, new Random(i));
      assertThat(LifecycleRecompute.recompute(events).segments()).isEqualTo(expected);
    }
  }

  @Test
  void equalEventTimesAreOrderedByEventId() {
    // same instant: "x1" (SIGNUP) sorts before "x2" (PAYMENT_HOLD) whatever the arrival order
    LifecycleEvent hold = ev("x2", "PAYMENT_HOLD", null, "08:00");
    LifecycleEvent signup = ev("x1", "SIGNUP", "basic", "08:00");
    LifecycleResult result = LifecycleRecompute.recompute(List.of(hold, signup));
    assertThat(result.segments())
        .containsExactly(
            seg(1, ACTIVE, "basic", "08:00", "08:00", "x1"),
            seg(2, ON_HOLD, "basic", "08:00", null, "x2"));
    assertThat(result.anomalies()).isEmpty();

    // with the ids the other way round the hold comes first and is invalid
    LifecycleEvent holdFirst = ev("x0", "PAYMENT_HOLD", null, "08:00");
    LifecycleResult swapped = LifecycleRecompute.recompute(List.of(signup, holdFirst));
    assertThat(swapped.segments()).containsExactly(seg(1, ACTIVE, "basic", "08:00", null, "x1"));
    assertThat(swapped.anomalies()).containsExactly(anomaly(holdFirst, INVALID_TRANSITION));
  }

  @Test
  void aRepeatedEventIdCountsOnceAndTheFirstArrivalWins() {
    LifecycleEvent signup = ev("s", "SIGNUP", "basic", "08:00");
    LifecycleEvent conflicting = ev("s", "SIGNUP", "premium", "07:00");
    LifecycleResult result =
        LifecycleRecompute.recompute(List.of(signup, signup, conflicting, signup));
    assertThat(result.segments()).containsExactly(seg(1, ACTIVE, "basic", "08:00", null, "s"));
    assertThat(result.anomalies()).isEmpty(); // not a DUPLICATE_SIGNUP: it is the same event

    assertThat(LifecycleRecompute.recompute(List.of(conflicting, signup)).segments())
        .containsExactly(seg(1, ACTIVE, "premium", "07:00", null, "s"));
  }

  @Test
  void anomaliesChangeNothingAndTheirReasonsFollowTheCheckOrder() {
    LifecycleEvent cancelFirst = ev("c0", "CANCEL", null, "07:00");
    LifecycleEvent noPlan = ev("s0", "SIGNUP", null, "07:30");
    LifecycleEvent signup = ev("s1", "SIGNUP", "basic", "08:00");
    LifecycleEvent unknown = ev("u1", "UPGRADE", null, "08:30");
    LifecycleEvent again = ev("s2", "SIGNUP", "premium", "09:00");
    LifecycleEvent againNoPlan = ev("s3", "SIGNUP", null, "09:30");
    LifecycleEvent recovered = ev("r1", "PAYMENT_RECOVERED", null, "10:00");
    LifecycleResult result =
        LifecycleRecompute.recompute(
            List.of(cancelFirst, noPlan, signup, unknown, again, againNoPlan, recovered));
    assertThat(result.segments()).containsExactly(seg(1, ACTIVE, "basic", "08:00", null, "s1"));
    assertThat(result.anomalies())
        .containsExactly(
            anomaly(cancelFirst, INVALID_TRANSITION),
            anomaly(noPlan, MISSING_PLAN),
            anomaly(unknown, UNKNOWN_EVENT_TYPE),
            anomaly(again, DUPLICATE_SIGNUP),
            anomaly(againNoPlan, MISSING_PLAN),
            anomaly(recovered, INVALID_TRANSITION));
  }

  @Test
  void rejoinAfterCancelContinuesTheSegmentNumbers() {
    LifecycleResult result =
        LifecycleRecompute.recompute(
            List.of(
                ev("a", "SIGNUP", "basic", "08:00"),
                ev("b", "CANCEL", null, "09:00"),
                ev("c", "PLAN_CHANGE", "premium", "09:30"),
                ev("d", "SIGNUP", "premium", "10:00"),
                ev("e", "CANCEL", null, "11:00"),
                ev("f", "SIGNUP", "basic", "12:00")));
    assertThat(result.segments())
        .containsExactly(
            seg(1, ACTIVE, "basic", "08:00", "09:00", "a"),
            seg(2, CANCELED, "basic", "09:00", "10:00", "b"),
            seg(3, ACTIVE, "premium", "10:00", "11:00", "d"),
            seg(4, CANCELED, "premium", "11:00", "12:00", "e"),
            seg(5, ACTIVE, "basic", "12:00", null, "f"));
    assertThat(result.anomalies())
        .extracting(Anomaly::eventId, Anomaly::reason)
        .containsExactly(tuple("c", INVALID_TRANSITION));
  }

  @Test
  void planChangeWhileOnHoldStaysOnHoldAndRecoveryKeepsTheNewPlan() {
    LifecycleResult result =
        LifecycleRecompute.recompute(
            List.of(
                ev("a", "SIGNUP", "basic", "08:00"),
                ev("b", "PAYMENT_HOLD", null, "09:00"),
                ev("c", "PLAN_CHANGE", "premium", "10:00"),
                ev("d", "PLAN_CHANGE", "premium", "10:30"),
                ev("e", "PAYMENT_RECOVERED", null, "11:00")));
    assertThat(result.segments())
        .containsExactly(
            seg(1, ACTIVE, "basic", "08:00", "09:00", "a"),
            seg(2, ON_HOLD, "basic", "09:00", "10:00", "b"),
            seg(3, ON_HOLD, "premium", "10:00", "11:00", "c"),
            seg(4, ACTIVE, "premium", "11:00", null, "e"));
    assertThat(result.anomalies()).isEmpty(); // the same-plan change at 10:30 is a silent no-op
  }

  @Test
  void accountsAreIndependent() {
    LifecycleResult result =
        LifecycleRecompute.recompute(
            List.of(
                ev("a", 2L, "SIGNUP", "basic", "08:00"),
                ev("b", 1L, "SIGNUP", "premium", "09:00"),
                ev("c", 2L, "SIGNUP", "basic", "10:00")));
    assertThat(result.segments())
        .extracting(Segment::accountId, Segment::segmentNo)
        .containsExactly(tuple(1L, 1), tuple(2L, 1));
    assertThat(result.anomalies()).extracting(Anomaly::eventId).containsExactly("c");
  }

  @Test
  void agreesWithTheNaiveOracleOnRandomHistories() {
    for (long seed = 0; seed < 5; seed++) {
      List<LifecycleEvent> events = new EventGenerator(seed).generate(300);
      LifecycleResult result = LifecycleRecompute.recompute(events);
      LifecycleOracle.Expected expected = LifecycleOracle.expected(events);
      assertThat(result.segments()).containsExactlyElementsOf(expected.segments().values());
      assertThat(result.anomalies())
          .containsExactlyInAnyOrderElementsOf(expected.anomalies().values());
    }
  }
}
