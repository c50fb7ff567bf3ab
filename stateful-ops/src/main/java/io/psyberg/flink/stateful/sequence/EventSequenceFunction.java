package io.psyberg.flink.stateful.sequence;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an {@link EventSequenceStateMachine} per key and emits a changelog of its output rows (main
 * output) and anomalies ({@link #anomalyTag()}), such that applying every change yields a full
 * recompute over the key's events in (event time, event id) order, whatever the arrival order.
 *
 * <p>An event after the key's latest position is applied to the current state. An earlier (late)
 * event makes the function replay the key's kept events from that position and emit only the rows
 * that differ. A repeated event id is ignored (first arrival wins). With a retention, events older
 * than (latest event time - retention) are folded into a compact seed state; an event arriving
 * older than that horizon goes to {@link #tooLateTag()} and is counted, never dropped silently. All
 * state is Flink keyed state, so it works on RocksDB.
 *
 * <p>Event ids are remembered while their event is kept: a copy of a folded event is older than the
 * horizon and goes to the too-late output; only a copy carrying a different, newer event time would
 * pass as a new event.
 */
public class EventSequenceFunction<K, E, S, O, A> extends KeyedProcessFunction<K, E, Change<O>>
    implements ResultTypeQueryable<Change<O>> {

  /** Counter of events sent to the too-late side output. */
  public static final String TOO_LATE_COUNTER = "psybergTooLateEvents";

  /** Counter of events ignored because their id was already processed. */
  public static final String DUPLICATE_COUNTER = "psybergDuplicateEvents";

  /** Counter of late events that caused a recomputation. */
  public static final String LATE_COUNTER = "psybergLateEvents";

  /** Counter of events folded into the seed state by retention. */
  public static final String FOLDED_COUNTER = "psybergFoldedEvents";

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(EventSequenceFunction.class);

  private final EventSequenceStateMachine<E, S, O, A> machine;
  private final TypeInformation<E> eventType;
  private final TypeInformation<S> stateType;
  private final TypeInformation<O> outputType;
  private final OutputTag<Change<A>> anomalyTag;
  private final OutputTag<E> tooLateTag;

  /** Zero: keep every event. */
  private final long retentionMicros;

  // keyed state; names are part of the savepoint layout, do not rename
  private transient MapState<String, E> keptEvents;
  private transient ValueState<S> seedState;
  private transient ValueState<S> currentState;
  private transient ValueState<SequenceProgress> progressState;

  private transient Counter tooLate;
  private transient Counter duplicates;
  private transient Counter lateEvents;
  private transient Counter folded;

  EventSequenceFunction(EventSequenceFunctionBuilder<E, S, O, A> builder) {
    this.machine = builder.machine;
    this.eventType = builder.eventType;
    this.stateType = builder.stateType;
    this.outputType = builder.outputType;
    this.anomalyTag =
        new OutputTag<>(builder.name + "-anomalies", new ChangeTypeInfo<>(builder.anomalyType));
    this.tooLateTag = new OutputTag<>(builder.name + "-too-late", builder.eventType);
    this.retentionMicros = builder.retention == null ? 0 : toMicros(builder.retention);
  }

  /** Starts a builder for a function running {@code machine}. */
  public static <E, S, O, A> EventSequenceFunctionBuilder<E, S, O, A> builder(
      EventSequenceStateMachine<E, S, O, A> machine) {
    return new EventSequenceFunctionBuilder<>(machine);
  }

  /** Side output with the anomaly changelog. */
  public OutputTag<Change<A>> anomalyTag() {
    return anomalyTag;
  }

  /** Side output with events that arrived older than the retention horizon of their key. */
  public OutputTag<E> tooLateTag() {
    return tooLateTag;
  }

  @Override
  public TypeInformation<Change<O>> getProducedType() {
    return new ChangeTypeInfo<>(outputType);
  }

  @Override
  public void open(Configuration parameters) throws Exception {
    keptEvents =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("events", Types.STRING, eventType));
    seedState = getRuntimeContext().getState(new ValueStateDescriptor<>("seed-state", stateType));
    currentState =
        getRuntimeContext().getState(new ValueStateDescriptor<>("current-state", stateType));
    progressState =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("progress", SequenceProgressSerializer.INSTANCE));
    tooLate = getRuntimeContext().getMetricGroup().counter(TOO_LATE_COUNTER);
    duplicates = getRuntimeContext().getMetricGroup().counter(DUPLICATE_COUNTER);
    lateEvents = getRuntimeContext().getMetricGroup().counter(LATE_COUNTER);
    folded = getRuntimeContext().getMetricGroup().counter(FOLDED_COUNTER);
    LOG.info(
        "{} subtask {}: retention {}; events beyond it go to side output '{}'",
        machine.getClass().getSimpleName(),
        getRuntimeContext().getIndexOfThisSubtask(),
        retentionMicros == 0 ? "unbounded" : Duration.of(retentionMicros, ChronoUnit.MICROS),
        tooLateTag.getId());
  }

  @Override
  public void processElement(E event, Context ctx, Collector<Change<O>> out) throws Exception {
    SequencePosition position = SequencePosition.of(machine, event);
    if (keptEvents.contains(position.eventId())) {
      duplicates.inc();
      return;
    }
    SequenceProgress before = progressState.value();
    if (before != null && position.timeMicros() < horizon(before)) {
      // its place may already be folded into the seed: it cannot be ordered correctly any more
      ctx.output(tooLateTag, event);
      tooLate.inc();
      return;
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

    for (Change<O> change : diff.outputs()) {
      out.collect(change);
    }
    for (Change<A> change : diff.anomalies()) {
      ctx.output(anomalyTag, change);
    }
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

  private static long toMicros(Duration duration) {
    try {
      return Math.addExact(
          Math.multiplyExact(duration.getSeconds(), 1_000_000L), duration.getNano() / 1_000);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE; // longer than any representable history: nothing is ever too late
    }
  }

  @Override
  public String toString() {
    return "EventSequenceFunction{machine="
        + machine.getClass().getSimpleName()
        + ", retentionMicros="
        + (retentionMicros == 0 ? "unbounded" : retentionMicros)
        + '}';
  }
}
