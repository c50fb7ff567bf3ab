package io.psyberg.flink.stateful.sequence;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;

/**
 * The keyed state of one event sequence (kept events, seed and current state, progress) and the
 * step that adds an event to it: shared by {@link EventSequenceFunction} and {@link
 * EventSequenceBootstrapFunction} so that the state written from history is the state the function
 * restores.
 */
final class KeyedSequence<E, S, O, A> {
  private final EventSequenceStateMachine<E, S, O, A> machine;

  /** Zero: keep every event. */
  private final long retentionMicros;

  // keyed state; names are part of the savepoint layout, do not rename
  private final MapState<String, E> keptEvents;
  private final ValueState<S> seedState;
  private final ValueState<S> currentState;
  private final ValueState<SequenceProgress> progressState;

  private final Counter tooLate;
  private final Counter duplicates;
  private final Counter lateEvents;
  private final Counter folded;

  KeyedSequence(
      EventSequenceStateMachine<E, S, O, A> machine,
      long retentionMicros,
      TypeInformation<E> eventType,
      TypeInformation<S> stateType,
      RuntimeContext context) {
    this.machine = machine;
    this.retentionMicros = retentionMicros;
    keptEvents = context.getMapState(new MapStateDescriptor<>("events", Types.STRING, eventType));
    seedState = context.getState(new ValueStateDescriptor<>("seed-state", stateType));
    currentState = context.getState(new ValueStateDescriptor<>("current-state", stateType));
    progressState =
        context.getState(
            new ValueStateDescriptor<>("progress", SequenceProgressSerializer.INSTANCE));
    tooLate = context.getMetricGroup().counter(EventSequenceFunction.TOO_LATE_COUNTER);
    duplicates = context.getMetricGroup().counter(EventSequenceFunction.DUPLICATE_COUNTER);
    lateEvents = context.getMetricGroup().counter(EventSequenceFunction.LATE_COUNTER);
    folded = context.getMetricGroup().counter(EventSequenceFunction.FOLDED_COUNTER);
  }

  static String describe(long retentionMicros) {
    return retentionMicros == 0
        ? "unbounded"
        : Duration.of(retentionMicros, ChronoUnit.MICROS).toString();
  }

  /**
   * Adds the event of the current key: the changes it makes to the key's rows (none for a repeated
   * id, counted), or null when it is older than the key's retention horizon (counted as too late;
   * the caller routes it to its too-late output).
   */
  @Nullable
  SequenceReplay.Diff<S, O, A> add(E event) throws Exception {
    SequencePosition position = SequencePosition.of(machine, event);
    if (keptEvents.contains(position.eventId())) {
      duplicates.inc();
      return new SequenceReplay.Diff<>(null, List.of(), List.of());
    }
    SequenceProgress before = progressState.value();
    if (isTooLate(before, position)) {
      // its place may already be folded into the seed: it cannot be ordered correctly any more
      tooLate.inc();
      return null;
    }
    SequenceReplay.Diff<S, O, A> diff =
        before == null || position.isAfter(before.last())
            ? SequenceReplay.diff(machine, current(), List.of(), List.of(event))
            : recomputeFrom(position, event);
    keptEvents.put(position.eventId(), event);
    currentState.update(diff.finalState());
    SequenceProgress after =
        before == null ? SequenceProgress.first(position) : before.keep(position);
    progressState.update(foldExpired(after));
    return diff;
  }

  private boolean isTooLate(@Nullable SequenceProgress progress, SequencePosition position) {
    return progress != null && position.timeMicros() < horizon(progress);
  }

  private SequenceReplay.Diff<S, O, A> recomputeFrom(SequencePosition position, E event)
      throws Exception {
    lateEvents.inc();
    List<E> kept = keptInOrder();
    int split = 0;
    while (split < kept.size() && position.isAfter(SequencePosition.of(machine, kept.get(split)))) {
      split++;
    }
    S atPosition = SequenceReplay.advance(machine, seed(), kept.subList(0, split));
    List<E> before = kept.subList(split, kept.size());
    List<E> after = new ArrayList<>(before.size() + 1);
    after.add(event);
    after.addAll(before);
    return SequenceReplay.diff(machine, atPosition, before, after);
  }

  /** Folds kept events older than the horizon into the seed state; returns the updated progress. */
  private SequenceProgress foldExpired(SequenceProgress progress) throws Exception {
    long horizon = horizon(progress);
    if (progress.oldestKeptMicros() >= horizon) {
      return progress;
    }
    S seed = seed();
    long oldestKept = SequenceProgress.NONE_KEPT;
    for (E event : keptInOrder()) {
      long time = machine.eventTimeMicros(event);
      if (time >= horizon) {
        oldestKept = time;
        break;
      }
      seed = SequenceReplay.step(machine, seed, event).nextState();
      keptEvents.remove(machine.eventId(event));
      folded.inc();
    }
    seedState.update(seed);
    return progress.withOldestKept(oldestKept);
  }

  /** Events older than this may already be folded; {@link Long#MIN_VALUE} without retention. */
  private long horizon(SequenceProgress progress) {
    if (retentionMicros == 0) {
      return Long.MIN_VALUE;
    }
    long latest = progress.last().timeMicros();
    return latest < Long.MIN_VALUE + retentionMicros ? Long.MIN_VALUE : latest - retentionMicros;
  }

  private List<E> keptInOrder() throws Exception {
    List<E> kept = new ArrayList<>();
    for (E event : keptEvents.values()) {
      kept.add(event);
    }
    kept.sort(Comparator.comparing(e -> SequencePosition.of(machine, e)));
    return kept;
  }

  private S seed() throws Exception {
    S seed = seedState.value();
    return seed != null ? seed : machine.initialState();
  }

  private S current() throws Exception {
    S current = currentState.value();
    return current != null ? current : seed();
  }
}
