package io.psyberg.flink.stateful.sequence;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.api.java.typeutils.TupleTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * {@link EventSequenceFunction} for a continuous job that starts without restored state over a
 * history that is already published: input {@code (true, event)} is history, added to the key's
 * state without emitting anything (its rows are published); input {@code (false, event)} is live
 * and emits its changes exactly as {@link EventSequenceFunction} would, once the key's history is
 * in. Live events are held in keyed state until the operator's watermark reaches its maximum, which
 * is when the bounded history input has ended: give the live input {@link #liveWatermarks()} and
 * the history input any strategy (a bounded source ends with the maximum watermark).
 *
 * <p>The history must be what the targets hold: run a bounded correction up to the same position
 * first, so that every target equals the full recompute of the history.
 */
public class SeededEventSequenceFunction<K, E, S, O, A>
    extends KeyedProcessFunction<K, Tuple2<Boolean, E>, Change<O>>
    implements ResultTypeQueryable<Change<O>> {
  private static final long serialVersionUID = 1L;

  private final EventSequenceFunction<K, E, S, O, A> plain;

  private transient KeyedSequence<E, S, O, A> sequence;
  private transient ListState<E> waiting;

  SeededEventSequenceFunction(EventSequenceFunction<K, E, S, O, A> plain) {
    this.plain = plain;
  }

  /** The input type: {@code (history?, event)}. */
  public TypeInformation<Tuple2<Boolean, E>> inputType() {
    return new TupleTypeInfo<>(Types.BOOLEAN, plain.eventType);
  }

  /**
   * Watermarks for the live input: always the maximum, so that the operator's watermark is the
   * history input's, which reaches the maximum when the history has been read.
   */
  public static <T> WatermarkStrategy<T> liveWatermarks() {
    return context ->
        new WatermarkGenerator<T>() {
          @Override
          public void onEvent(T event, long timestamp, WatermarkOutput output) {
            output.emitWatermark(new Watermark(Long.MAX_VALUE));
          }

          @Override
          public void onPeriodicEmit(WatermarkOutput output) {
            output.emitWatermark(new Watermark(Long.MAX_VALUE));
          }
        };
  }

  @Override
  public TypeInformation<Change<O>> getProducedType() {
    return plain.getProducedType();
  }

  @Override
  public void open(Configuration parameters) {
    sequence =
        new KeyedSequence<>(
            plain.machine,
            plain.retentionMicros,
            plain.eventType,
            plain.stateType,
            getRuntimeContext());
    waiting =
        getRuntimeContext()
            .getListState(new ListStateDescriptor<>("waiting-for-history", plain.eventType));
  }

  @Override
  public void processElement(Tuple2<Boolean, E> input, Context ctx, Collector<Change<O>> out)
      throws Exception {
    if (input.f0) {
      if (sequence.add(input.f1) == null) {
        throw new IllegalStateException(
            "History event "
                + input.f1
                + " of key "
                + ctx.getCurrentKey()
                + " falls before the retention horizon; a job seeded from history needs no"
                + " retention, or a retention longer than the history.");
      }
    } else if (ctx.timerService().currentWatermark() == Long.MAX_VALUE) {
      emit(input.f1, ctx, out);
    } else {
      waiting.add(input.f1);
      ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Change<O>> out)
      throws Exception {
    for (E event : waiting.get()) {
      emit(event, ctx, out);
    }
    waiting.clear();
  }

  private void emit(E event, Context ctx, Collector<Change<O>> out) throws Exception {
    SequenceReplay.Diff<S, O, A> diff = sequence.add(event);
    if (diff == null) {
      ctx.output(plain.tooLateTag, event);
      return;
    }
    diff.outputs().forEach(out::collect);
    for (Change<A> change : diff.anomalies()) {
      ctx.output(plain.anomalyTag, change);
    }
  }
}
