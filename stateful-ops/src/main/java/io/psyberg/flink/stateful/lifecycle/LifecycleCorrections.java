package io.psyberg.flink.stateful.lifecycle;

import io.psyberg.flink.stateful.sequence.Corrections;
import io.psyberg.flink.stateful.sequence.EventSequences;
import io.psyberg.flink.stateful.sequence.SequencePosition;
import io.psyberg.flink.stateful.sequence.SequenceSeed;
import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/**
 * Bounded-run corrections for one account: given what is already published (a seed segment plus the
 * events processed since it opened) and newly arrived events, the segment and anomaly changes to
 * publish.
 *
 * <p>Typical use: pick the seed with {@link #seedSegment} from the account's published segments,
 * read the account's already-processed events with {@code event_ts >= seed.validFrom} (or the whole
 * history when there is no seed), and call {@link #correct}. Only history since the seed is read,
 * not the whole account.
 */
public final class LifecycleCorrections {

  private LifecycleCorrections() {}

  /**
   * The latest published segment that opened strictly before every arriving event: replaying from
   * it needs only the events since its start. Empty when an arriving event precedes all segments
   * (replay the full history).
   */
  public static Optional<Segment> seedSegment(
      Collection<Segment> publishedSegments, Collection<LifecycleEvent> arriving) {
    long earliest =
        arriving.stream().mapToLong(LifecycleEvent::eventTimeMicros).min().orElse(Long.MAX_VALUE);
    return publishedSegments.stream()
        .filter(segment -> segment.validFromMicros() < earliest)
        .max(Comparator.comparingInt(Segment::segmentNo));
  }

  /**
   * Changes to published rows of one account.
   *
   * @param seedSegment the published segment to restart from, or {@code null} to replay from the
   *     start
   * @param processed every already-published event of the account after the seed's opening event
   *     (earlier ones are ignored), in arrival order; without a seed, the account's whole processed
   *     history
   * @param arriving the new events in arrival order; those not after the seed's opening event are
   *     returned as too late (choose an earlier seed). Ids repeated among {@code arriving} and
   *     {@code processed} are ignored; an id already processed <em>before</em> the lookback is not
   *     visible here, so a copy with a different event time would count as a new event: drop
   *     arriving ids already in the processed history first (an anti-join on {@code event_id}).
   *     Exact copies need no such step: they fall inside the lookback.
   */
  public static Corrections<LifecycleEvent, Segment, Anomaly> correct(
      Segment seedSegment,
      Collection<LifecycleEvent> processed,
      Collection<LifecycleEvent> arriving) {
    SequenceSeed<LifecycleState> seed =
        seedSegment == null
            ? SequenceSeed.initial(LifecycleStateMachine.INSTANCE)
            : new SequenceSeed<>(
                LifecycleState.openedBy(seedSegment),
                new SequencePosition(seedSegment.validFromMicros(), seedSegment.openedByEventId()));
    return EventSequences.corrections(LifecycleStateMachine.INSTANCE, seed, processed, arriving);
  }
}
