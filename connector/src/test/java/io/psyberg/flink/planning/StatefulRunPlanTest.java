package io.psyberg.flink.planning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.metadata.SummaryKeys;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expression;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plan of a bounded stateful run over two targets, one of which a stopped run left ahead: the
 * session starts at the target behind, the lookback at the earliest new event, and the new
 * snapshots the target ahead already published are marked for it alone.
 */
class StatefulRunPlanTest {
  private static final String EVENTS = "membership.events";
  private static final String AHEAD = "facts.ahead";
  private static final String BEHIND = "facts.behind";
  private static final LocalDateTime DAY1 = LocalDateTime.of(2026, 1, 1, 8, 0);

  @TempDir Path dir;
  private Warehouse wh;

  @BeforeEach
  void setUp() {
    wh = new Warehouse(dir);
    wh.createEventsTable(EVENTS);
    wh.createTable(AHEAD, Warehouse.EVENTS);
    wh.createTable(BEHIND, Warehouse.EVENTS);
  }

  @AfterEach
  void tearDown() throws Exception {
    wh.close();
  }

  @Test
  void aTargetAheadHasItsNewSnapshotsMarked() {
    long first = wh.append(EVENTS, Warehouse.events("a", 3, DAY1));
    long second = wh.append(EVENTS, Warehouse.events("b", 3, DAY1.plusDays(1)));
    long third = wh.append(EVENTS, Warehouse.events("c", 3, DAY1.minusDays(2)));
    publish(AHEAD, second);
    publish(BEHIND, first);

    StatefulRunPlan plan =
        StatefulRunPlan.plan(wh.spec(), "p", List.of(EVENTS), "event_ts", List.of(AHEAD, BEHIND));

    assertThat(plan.end()).isEqualTo(Map.of(EVENTS, third));
    assertThat(plan.processedThrough()).isEqualTo(Map.of(EVENTS, first));
    assertThat(plan.lookbackFrom()).isEqualTo("2025-12-30T08:00:00.000000");
    assertThat(plan.publishedTo(EVENTS, second)).isEqualTo(0b01);
    assertThat(plan.publishedTo(EVENTS, third)).isZero();
    assertThat(StatefulRunPlan.isPublishedTo(plan.publishedTo(EVENTS, second), 0)).isTrue();
    assertThat(StatefulRunPlan.isPublishedTo(plan.publishedTo(EVENTS, second), 1)).isFalse();
  }

  /**
   * Three targets left at three high watermarks by runs stopped between publishes: the session
   * starts at the one furthest behind, the lookback at the earliest event that one has not
   * processed, and each new snapshot is marked for exactly the targets that already published it.
   */
  @Test
  void threeTargetsAtThreeHighWatermarksEachHaveTheirNewSnapshotsMarked() {
    String middle = "facts.middle";
    wh.createTable(middle, Warehouse.EVENTS);
    long first = wh.append(EVENTS, Warehouse.events("a", 3, DAY1));
    long second = wh.append(EVENTS, Warehouse.events("b", 3, DAY1.minusDays(3)));
    long third = wh.append(EVENTS, Warehouse.events("c", 3, DAY1.plusDays(1)));
    long fourth = wh.append(EVENTS, Warehouse.events("d", 3, DAY1.plusDays(2)));
    publish(AHEAD, third);
    publish(BEHIND, first);
    publish(middle, second);

    StatefulRunPlan plan =
        StatefulRunPlan.plan(
            wh.spec(), "p", List.of(EVENTS), "event_ts", List.of(AHEAD, BEHIND, middle));

    assertThat(plan.end()).isEqualTo(Map.of(EVENTS, fourth));
    assertThat(plan.processedThrough())
        .as("every target holds the events up to the one furthest behind")
        .isEqualTo(Map.of(EVENTS, first));
    assertThat(plan.lookbackFrom())
        .as("the earliest event after the furthest-behind mark: snapshot 2's")
        .isEqualTo("2025-12-29T08:00:00.000000");
    assertThat(plan.publishedTo(EVENTS, second))
        .as("published to AHEAD and middle")
        .isEqualTo(0b101);
    assertThat(plan.publishedTo(EVENTS, third)).as("published to AHEAD only").isEqualTo(0b001);
    assertThat(plan.publishedTo(EVENTS, fourth)).as("new to every target").isZero();
    int mask = plan.publishedTo(EVENTS, second);
    assertThat(StatefulRunPlan.isPublishedTo(mask, 0)).isTrue();
    assertThat(StatefulRunPlan.isPublishedTo(mask, 1)).isFalse();
    assertThat(StatefulRunPlan.isPublishedTo(mask, 2)).isTrue();
  }

  @Test
  void theKeysOfNewEventsAreThoseOfTheSessionOnly() {
    long first = wh.append(EVENTS, Warehouse.events("a", 5, DAY1)); // accounts 0..4
    wh.append(EVENTS, List.of(Warehouse.event("b", 7L, "SIGNUP", "basic", DAY1.plusDays(1))));
    wh.append(EVENTS, List.of(Warehouse.event("c", 9L, "CANCEL", null, DAY1.minusDays(1))));
    publish(AHEAD, first);
    publish(BEHIND, first);
    StatefulRunPlan plan =
        StatefulRunPlan.plan(wh.spec(), "p", List.of(EVENTS), "event_ts", List.of(AHEAD, BEHIND));

    assertThat(plan.keysOfNewEvents(wh.spec(), "account_id", 10)).contains(Set.of(7L, 9L));
    assertThat(plan.keysOfNewEvents(wh.spec(), "account_id", 1))
        .as("more keys than the limit: no key filter")
        .isEmpty();
    assertThat(StatefulRunPlan.keyFilter("account_id", Optional.empty()).op())
        .isEqualTo(Expression.Operation.TRUE);
  }

  @Test
  void nothingPublishedMeansEverythingIsNewAndNothingProcessed() {
    wh.append(EVENTS, Warehouse.events("a", 3, DAY1));
    StatefulRunPlan plan =
        StatefulRunPlan.plan(wh.spec(), "p", List.of(EVENTS), "event_ts", List.of(AHEAD, BEHIND));
    assertThat(plan.processedThrough()).isEmpty();
    assertThat(plan.hasNewEvents()).isTrue();
  }

  @Test
  void aCappedPlanTakesTheOldestSnapshotsUpToItsEndAndSaysMoreAreLeft() {
    long first = wh.append(EVENTS, Warehouse.events("a", 3, DAY1));
    wh.append(EVENTS, Warehouse.events("b", 3, DAY1.plusDays(1)));
    long third = wh.append(EVENTS, Warehouse.events("c", 3, DAY1.minusDays(2)));
    long fourth = wh.append(EVENTS, Warehouse.events("d", 3, DAY1.minusDays(5)));
    long fifth = wh.append(EVENTS, Warehouse.events("e", 3, DAY1.plusDays(3)));
    publish(AHEAD, first);
    publish(BEHIND, first);

    StatefulRunPlan capped = plan(2, Map.of());
    assertThat(capped.end()).isEqualTo(Map.of(EVENTS, third));
    assertThat(capped.capped()).isTrue();
    assertThat(capped.processedThrough()).isEqualTo(Map.of(EVENTS, first));
    assertThat(capped.lookbackFrom())
        .as("the earliest event of the capped range only, not of the later snapshot 4")
        .isEqualTo("2025-12-30T08:00:00.000000");

    StatefulRunPlan toTheEnd = plan(2, Map.of(EVENTS, fourth));
    assertThat(toTheEnd.end()).isEqualTo(Map.of(EVENTS, third));
    assertThat(toTheEnd.capped()).isTrue();

    publish(AHEAD, third);
    publish(BEHIND, third);
    StatefulRunPlan last = plan(2, Map.of(EVENTS, fourth));
    assertThat(last.end())
        .as("stops at the given end, before snapshot 5")
        .isEqualTo(Map.of(EVENTS, fourth));
    assertThat(last.capped()).as("nothing left up to the given end").isFalse();
    assertThat(plan(2, Map.of()).end()).isEqualTo(Map.of(EVENTS, fifth));
    assertThat(plan(0, Map.of()).capped()).isFalse();
  }

  @Test
  void aCappedPlanNeverEndsBeforeATargetALateRunLeftAhead() {
    long first = wh.append(EVENTS, Warehouse.events("a", 3, DAY1));
    wh.append(EVENTS, Warehouse.events("b", 3, DAY1.plusDays(1)));
    long third = wh.append(EVENTS, Warehouse.events("c", 3, DAY1.minusDays(2)));
    long fourth = wh.append(EVENTS, Warehouse.events("d", 3, DAY1.minusDays(5)));
    wh.append(EVENTS, Warehouse.events("e", 3, DAY1.plusDays(3)));
    publish(AHEAD, fourth);
    publish(BEHIND, first);

    StatefulRunPlan plan = plan(1, Map.of());
    assertThat(plan.end())
        .as("a cap of 1 would end at snapshot 2, behind the target ahead at snapshot 4")
        .isEqualTo(Map.of(EVENTS, fourth));
    assertThat(plan.capped()).isTrue();
    assertThat(plan.publishedTo(EVENTS, third)).isEqualTo(0b01);
    assertThat(plan.publishedTo(EVENTS, fourth)).isEqualTo(0b01);
  }

  @Test
  void aNegativeCapIsRefusedNamingTheProcess() {
    assertThatThrownBy(() -> plan(-1, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Process p")
        .hasMessageContaining("'max-snapshots-per-session' must be 0 (no cap) or more, got -1");
  }

  @Test
  void tooManyTargetsAreRefusedNamingTheProcess() {
    assertThatThrownBy(
            () -> StatefulRunPlan.plan(wh.spec(), "p", List.of(EVENTS), "event_ts", List.of()))
        .hasMessageContaining("Process p")
        .hasMessageContaining("1 to 31 target tables");
  }

  private StatefulRunPlan plan(int maxSnapshotsPerSession, Map<String, Long> endAt) {
    return StatefulRunPlan.plan(
        wh.spec(),
        "p",
        List.of(EVENTS),
        "event_ts",
        List.of(AHEAD, BEHIND),
        maxSnapshotsPerSession,
        endAt);
  }

  /** A publish of process {@code p} through {@code snapshot} of the events, as the sink makes. */
  private void publish(String target, long snapshot) {
    Table t = wh.load(target);
    t.newAppend()
        .set(SummaryKeys.PROCESS_NAME, "p")
        .set(SummaryKeys.SESSION_IDS, "s-" + snapshot)
        .set(SummaryKeys.HWM_PREFIX + EVENTS, Long.toString(snapshot))
        .commit();
  }
}
