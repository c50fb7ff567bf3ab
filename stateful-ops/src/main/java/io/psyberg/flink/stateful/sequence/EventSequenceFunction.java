package io.psyberg.flink.stateful.sequence;

import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.configuration.Configuration;
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

  final EventSequenceStateMachine<E, S, O, A> machine;
  final TypeInformation<E> eventType;
  final TypeInformation<S> stateType;
  final TypeInformation<O> outputType;
  final OutputTag<Change<A>> anomalyTag;
  final OutputTag<E> tooLateTag;

  /** Zero: keep every event. */
  final long retentionMicros;

  private transient KeyedSequence<E, S, O, A> sequence;

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

  /**
   * The State Processor API function that writes this function's keyed state for a job that starts
   * over a published history instead of restored state: see {@link EventSequenceBootstrapFunction}.
   */
  public EventSequenceBootstrapFunction<K, E, S, O, A> bootstrap() {
    return new EventSequenceBootstrapFunction<>(this);
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
    sequence =
        new KeyedSequence<>(machine, retentionMicros, eventType, stateType, getRuntimeContext());
    LOG.info(
        "{} subtask {}: retention {}; events beyond it go to side output '{}'",
        machine.getClass().getSimpleName(),
        getRuntimeContext().getIndexOfThisSubtask(),
        KeyedSequence.describe(retentionMicros),
        tooLateTag.getId());
  }

  @Override
  public void processElement(E event, Context ctx, Collector<Change<O>> out) throws Exception {
    SequenceReplay.Diff<S, O, A> diff = sequence.add(event);
    if (diff == null) {
      ctx.output(tooLateTag, event);
      return;
    }
    for (Change<O> change : diff.outputs()) {
      out.collect(change);
    }
    for (Change<A> change : diff.anomalies()) {
      ctx.output(anomalyTag, change);
    }
  }

  static long toMicros(Duration duration) {
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
