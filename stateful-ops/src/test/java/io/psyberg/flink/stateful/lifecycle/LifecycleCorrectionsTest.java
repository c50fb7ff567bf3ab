package io.psyberg.flink.stateful.lifecycle;

import static io.psyberg.flink.stateful.lifecycle.Events.ev;
import static io.psyberg.flink.stateful.lifecycle.Events.micros;
import static io.psyberg.flink.stateful.testutils.TableAssertions.assertSameRows;
import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.stateful.sequence.Change;
import io.psyberg.flink.stateful.sequence.Corrections;
import io.psyberg.flink.stateful.testutils.ChangelogTable;
import io.psyberg.flink.stateful.testutils.EventGenerator;
import io.psyberg.flink.stateful.testutils.LifecycleOracle;
import io.psyberg.flink.stateful.testutils.LifecycleOracle.SegmentKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Bounded-run corrections from a published seed segment plus a lookback of processed events. */
class LifecycleCorrectionsTest {

  @Test
  void aLateCancelRewritesLaterSegmentsAndDeletesOneThatNoLongerExists() {
    List<LifecycleEvent> processed =
        List.of(
            ev("a", "SIGNUP", "basic", "08:00"),
            ev("b", "PAYMENT_HOLD", null, "10:00"),
            ev("c", "PAYMENT_RECOVERED", null, "11:00"));
    LifecycleEvent cancel = ev("d", "CANCEL", null, "09:00");
    List<Segment> published = LifecycleRecompute.recompute(processed).segments();

    Optional<Segment> seed = LifecycleCorrections.seedSegment(published, List.of(cancel));
    assertThat(seed).contains(published.get(0));
    Corrections<LifecycleEvent, Segment, Anomaly> corrections =
        LifecycleCorrections.correct(seed.get(), processed, List.of(cancel));

    assertThat(corrections.outputs())
        .containsExactlyInAnyOrder(
            Change.updateBefore(published.get(0)),
            Change.updateAfter(published.get(0).closedAt(micros("09:00"))),
            Change.updateBefore(published.get(1)),
            Change.updateAfter(
                new Segment(1L, 2, LifecycleStatus.CANCELED, "basic", micros("09:00"), null, "d")),
            Change.delete(published.get(2)));
    assertThat(corrections.anomalies())
        .extracting(c -> c.kind() + " " + c.value().eventId() + " " + c.value().reason())
        .containsExactlyInAnyOrder("INSERT b INVALID_TRANSITION", "INSERT c INVALID_TRANSITION");
    assertThat(corrections.tooLate()).isEmpty();
  }

  @Test
  void anArrivingEventBeforeTheSeedIsTooLate() {
    List<LifecycleEvent> processed =
        List.of(ev("a", "SIGNUP", "basic", "08:00"), ev("b", "CANCEL", null, "10:00"));
    List<Segment> published = LifecycleRecompute.recompute(processed).segments();
    LifecycleEvent early = ev("z", "PLAN_CHANGE", "premium", "09:00");
    Corrections<LifecycleEvent, Segment, Anomaly> corrections =
        LifecycleCorrections.correct(published.get(1), processed, List.of(early));
    assertThat(corrections.tooLate()).containsExactly(early);
    assertThat(corrections.outputs()).isEmpty();
  }

  @Test
  void correctionsAppliedToPublishedRowsEqualTheFullRecompute() {
    Random random = new Random(3);
    List<LifecycleEvent> all = new EventGenerator(11).generate(1_000);
    Map<Long, List<LifecycleEvent>> byAccount = new TreeMap<>();
    all.forEach(e -> byAccount.computeIfAbsent(e.accountId(), k -> new ArrayList<>()).add(e));

    ChangelogTable<SegmentKey, Segment> segments =
        new ChangelogTable<>("account_lifecycle", SegmentKey::of);
    ChangelogTable<String, Anomaly> anomalies =
        new ChangelogTable<>("lifecycle_anomalies", Anomaly::eventId);
    long lookbackEvents = 0;
    for (List<LifecycleEvent> history : byAccount.values()) {
      // an earlier session published a prefix of the arrivals; this session brings the rest
      int cut = random.nextInt(history.size() + 1);
      List<LifecycleEvent> processed = history.subList(0, cut);
      // the caller's anti-join on event_id against processed history (see
      // LifecycleCorrections#correct)
      Set<String> processedIds = new HashSet<>();
      processed.forEach(e -> processedIds.add(e.eventId()));
      List<LifecycleEvent> arriving =
          history.subList(cut, history.size()).stream()
              .filter(e -> !processedIds.contains(e.eventId()))
              .toList();
      LifecycleResult published = LifecycleRecompute.recompute(processed);
      published.segments().forEach(s -> segments.apply(Change.insert(s)));
      published.anomalies().forEach(a -> anomalies.apply(Change.insert(a)));

      Segment seed = LifecycleCorrections.seedSegment(published.segments(), arriving).orElse(null);
      long from = seed == null ? Long.MIN_VALUE : seed.validFromMicros();
      List<LifecycleEvent> lookback =
          processed.stream().filter(e -> e.eventTimeMicros() >= from).toList();
      lookbackEvents += lookback.size();

      Corrections<LifecycleEvent, Segment, Anomaly> corrections =
          LifecycleCorrections.correct(seed, lookback, arriving);
      assertThat(corrections.tooLate()).isEmpty();
      corrections.outputs().forEach(segments::apply);
      corrections.anomalies().forEach(anomalies::apply);
    }
    LifecycleOracle.Expected expected = LifecycleOracle.expected(all);
    assertSameRows("account_lifecycle", segments.rows(), expected.segments());
    assertSameRows("lifecycle_anomalies", anomalies.rows(), expected.anomalies());
    assertThat(lookbackEvents)
        .as("the lookback reads less than the whole history")
        .isLessThan(all.size());
  }
}
