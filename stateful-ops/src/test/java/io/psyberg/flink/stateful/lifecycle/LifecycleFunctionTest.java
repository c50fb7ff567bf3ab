package io.psyberg.flink.stateful.lifecycle;

import static io.psyberg.flink.stateful.lifecycle.Events.ev;
import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.stateful.testutils.LifecycleHarness;
import io.psyberg.flink.stateful.testutils.LifecycleHarness.Backend;
import java.util.List;
import org.apache.flink.types.RowKind;
import org.junit.jupiter.api.Test;

/** The lifecycle operator on hand-written arrival orders, checking the exact changelog it emits. */
class LifecycleFunctionTest {

  @Test
  void aLateCancelEmitsUpdatesADeleteAndNewAnomalies() throws Exception {
    try (LifecycleHarness harness = new LifecycleHarness(null, Backend.HASHMAP)) {
      harness.feed(
          List.of(
              ev("a", "SIGNUP", "basic", "08:00"),
              ev("b", "PAYMENT_HOLD", null, "10:00"),
              ev("c", "PAYMENT_RECOVERED", null, "11:00")));
      assertThat(harness.segments.rows()).hasSize(3);
      assertThat(harness.kinds)
          .containsEntry(RowKind.INSERT, 3L)
          .containsEntry(RowKind.UPDATE_BEFORE, 2L)
          .containsEntry(RowKind.UPDATE_AFTER, 2L);

      harness.feed(List.of(ev("d", "CANCEL", null, "09:00")));
      assertThat(harness.segments.rows().values())
          .extracting(s -> s.segmentNo() + " " + s.state())
          .containsExactly("1 ACTIVE", "2 CANCELED");
      assertThat(harness.kinds)
          .containsEntry(RowKind.DELETE, 1L)
          .containsEntry(RowKind.UPDATE_BEFORE, 4L)
          .containsEntry(RowKind.UPDATE_AFTER, 4L);
      assertThat(harness.anomalies.rows()).containsOnlyKeys("b", "c");

      // a late rejoin before the hold: b and c become valid again, so their anomalies are deleted
      harness.feed(List.of(ev("e", "SIGNUP", "premium", "09:30")));
      assertThat(harness.segments.rows().values())
          .extracting(s -> s.segmentNo() + " " + s.state() + " " + s.plan())
          .containsExactly(
              "1 ACTIVE basic",
              "2 CANCELED basic",
              "3 ACTIVE premium",
              "4 ON_HOLD premium",
              "5 ACTIVE premium");
      assertThat(harness.anomalies.rows()).isEmpty();
    }
  }

  @Test
  void anEarlierSignupTurnsTheFirstSignupIntoADuplicate() throws Exception {
    try (LifecycleHarness harness = new LifecycleHarness(null, Backend.ROCKSDB)) {
      harness.feed(List.of(ev("s2", "SIGNUP", "premium", "09:00")));
      harness.feed(List.of(ev("s1", "SIGNUP", "basic", "08:00")));
      assertThat(harness.segments.rows().values())
          .extracting(s -> s.segmentNo() + " " + s.plan() + " " + s.openedByEventId())
          .containsExactly("1 basic s1");
      assertThat(harness.anomalies.rows().get("s2").reason())
          .isEqualTo(AnomalyReason.DUPLICATE_SIGNUP);
    }
  }
}
