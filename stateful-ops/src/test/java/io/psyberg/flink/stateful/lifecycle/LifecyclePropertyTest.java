package io.psyberg.flink.stateful.lifecycle;

import static io.psyberg.flink.stateful.testutils.TableAssertions.assertSameRows;
import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.stateful.testutils.EventGenerator;
import io.psyberg.flink.stateful.testutils.LifecycleHarness;
import io.psyberg.flink.stateful.testutils.LifecycleHarness.Backend;
import io.psyberg.flink.stateful.testutils.LifecycleOracle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.types.RowKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Random event sets (1,000+ accounts, every event type, unknown types, NULL plans, ties, repeated
 * ids, ~20% late) fed in random batches through the operator: after every batch, the changelog
 * applied to a table must equal the naive oracle over everything that arrived so far, anomalies
 * included.
 */
class LifecyclePropertyTest {

  private static final int ACCOUNTS = 1_200;
  private static final long SEED = Long.getLong("psyberg.test.seed", 20260101L);

  @ParameterizedTest
  @EnumSource(Backend.class)
  void changelogEqualsFullRecomputeAfterEveryBatch(Backend backend) throws Exception {
    EventGenerator generator = new EventGenerator(SEED);
    List<LifecycleEvent> events = generator.generate(ACCOUNTS);
    List<List<LifecycleEvent>> batches = generator.batches(events, 12);
    assertThat(lateShare(events)).as("share of late events").isBetween(0.12, 0.35);

    List<LifecycleEvent> arrived = new ArrayList<>();
    try (LifecycleHarness harness = new LifecycleHarness(null, backend)) {
      for (int i = 0; i < batches.size(); i++) {
        harness.feed(batches.get(i));
        arrived.addAll(batches.get(i));
        LifecycleOracle.Expected expected = LifecycleOracle.expected(arrived);
        String at =
            "seed " + SEED + ", " + backend + ", after batch " + (i + 1) + "/" + batches.size();
        assertSameRows(at + ", segments", harness.segments.rows(), expected.segments());
        assertSameRows(at + ", anomalies", harness.anomalies.rows(), expected.anomalies());
        if (i == batches.size() / 2) {
          harness.restart();
        }
      }
      assertThat(harness.tooLate).isEmpty();
      // the run must have exercised corrections, not only appends
      assertThat(harness.kinds).containsKeys(RowKind.INSERT, RowKind.UPDATE_AFTER, RowKind.DELETE);
      assertThat(harness.anomalies.rows().values())
          .extracting(Anomaly::reason)
          .containsAll(EnumSet.allOf(AnomalyReason.class));
      assertThat(harness.keptEvents()).isEqualTo(new HashSet<>(ids(events)).size());
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void withRetentionOldEventsFoldAndTooLateEventsAreSetAside(Backend backend) throws Exception {
    Duration retention = Duration.ofHours(2);
    long retentionMicros = retention.toMillis() * 1000;
    // identical copies only: a conflicting copy of an already folded event cannot be recognised
    // (documented)
    EventGenerator generator = new EventGenerator(SEED + 1).conflictingDuplicates(false);
    List<LifecycleEvent> events = generator.generate(ACCOUNTS);
    List<List<LifecycleEvent>> batches = generator.batches(events, 10);

    List<LifecycleEvent> accepted = new ArrayList<>();
    List<LifecycleEvent> expectedTooLate = new ArrayList<>();
    Map<Long, Long> latest = new HashMap<>();
    try (LifecycleHarness harness = new LifecycleHarness(retention, backend)) {
      for (int i = 0; i < batches.size(); i++) {
        for (LifecycleEvent e : batches.get(i)) {
          Long max = latest.get(e.accountId());
          if (max != null && e.eventTimeMicros() < max - retentionMicros) {
            expectedTooLate.add(e);
          } else {
            accepted.add(e);
            latest.merge(e.accountId(), e.eventTimeMicros(), Math::max);
          }
        }
        harness.feed(batches.get(i));
        String at = "seed " + SEED + ", " + backend + ", after batch " + (i + 1);
        assertThat(harness.tooLate)
            .as(at + ", too late")
            .containsExactlyElementsOf(expectedTooLate);
        LifecycleOracle.Expected expected = LifecycleOracle.expected(accepted);
        assertSameRows(at + ", segments", harness.segments.rows(), expected.segments());
        assertSameRows(at + ", anomalies", harness.anomalies.rows(), expected.anomalies());
        if (i == 4) {
          harness.restart();
        }
      }
      assertThat(expectedTooLate).hasSizeGreaterThan(events.size() / 50);
      // state holds only the events within retention of their account's latest event
      Set<String> withinRetention = new HashSet<>();
      for (LifecycleEvent e : accepted) {
        if (e.eventTimeMicros() >= latest.get(e.accountId()) - retentionMicros) {
          withinRetention.add(e.eventId());
        }
      }
      assertThat(harness.keptEvents())
          .isEqualTo(withinRetention.size())
          .isLessThan(accepted.size() / 2);
    }
  }

  private static List<String> ids(List<LifecycleEvent> events) {
    List<String> ids = new ArrayList<>();
    for (LifecycleEvent e : events) {
      ids.add(e.eventId());
    }
    return ids;
  }

  /** Share of events arriving after an event of the same account with a later position. */
  private static double lateShare(List<LifecycleEvent> events) {
    Map<Long, LifecycleEvent> latest = new HashMap<>();
    int late = 0;
    for (LifecycleEvent e : events) {
      LifecycleEvent max = latest.get(e.accountId());
      if (max != null
          && (max.eventTimeMicros() > e.eventTimeMicros()
              || (max.eventTimeMicros() == e.eventTimeMicros()
                  && max.eventId().compareTo(e.eventId()) > 0))) {
        late++;
      } else {
        latest.put(e.accountId(), e);
      }
    }
    return (double) late / events.size();
  }
}
