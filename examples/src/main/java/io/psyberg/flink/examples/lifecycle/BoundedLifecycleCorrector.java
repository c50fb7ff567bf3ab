package io.psyberg.flink.examples.lifecycle;

import io.psyberg.flink.stateful.lifecycle.Anomaly;
import io.psyberg.flink.stateful.lifecycle.LifecycleCorrections;
import io.psyberg.flink.stateful.lifecycle.LifecycleEvent;
import io.psyberg.flink.stateful.lifecycle.LifecycleRows;
import io.psyberg.flink.stateful.lifecycle.Segment;
import io.psyberg.flink.stateful.sequence.Change;
import io.psyberg.flink.stateful.sequence.Corrections;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Per account, at the end of a bounded run's input: the corrections that the session's new events
 * make to the published lifecycle, replayed from the published segment in effect before the
 * earliest new event with only the events processed since the lookback start. Accounts without new
 * events emit nothing.
 */
final class BoundedLifecycleCorrector extends KeyedProcessFunction<Long, RowData, RowData> {
  private static final long serialVersionUID = 1L;

  static final OutputTag<RowData> ANOMALIES =
      new OutputTag<>("lifecycle-anomalies", InternalTypeInfo.of(LifecycleRows.ANOMALY_ROW_TYPE));

  private transient ListState<RowData> inputs;

  @Override
  public void open(Configuration parameters) {
    inputs =
        getRuntimeContext()
            .getListState(
                new ListStateDescriptor<>("inputs", InternalTypeInfo.of(LifecycleInputs.TYPE)));
  }

  @Override
  public void processElement(RowData row, Context ctx, Collector<RowData> out) throws Exception {
    inputs.add(row);
    // Bounded inputs end with the maximum watermark: this fires once every input of the run is in.
    ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<RowData> out) throws Exception {
    List<RowData> arriving = new ArrayList<>();
    List<LifecycleEvent> processed = new ArrayList<>();
    List<Segment> published = new ArrayList<>();
    for (RowData r : inputs.get()) {
      switch (r.getInt(0)) {
        case LifecycleInputs.NEW_EVENT:
          arriving.add(r);
          break;
        case LifecycleInputs.PROCESSED_EVENT:
          processed.add(LifecycleInputs.toEvent(r));
          break;
        default:
          published.add(LifecycleInputs.toSegment(r));
      }
    }
    inputs.clear();
    if (arriving.isEmpty()) {
      return;
    }
    List<LifecycleEvent> events = new ArrayList<>();
    arriving.forEach(r -> events.add(LifecycleInputs.toEvent(r)));
    Segment seed = LifecycleCorrections.seedSegment(published, events).orElse(null);
    List<LifecycleEvent> lifecycleOld =
        publishedTo(processed, arriving, events, LifecycleInputs.LIFECYCLE_TARGET);
    List<LifecycleEvent> anomaliesOld =
        publishedTo(processed, arriving, events, LifecycleInputs.ANOMALIES_TARGET);
    Corrections<LifecycleEvent, Segment, Anomaly> forLifecycle =
        correct(ctx, seed, lifecycleOld, events);
    // Both targets stand at one high watermark unless a run stopped between their publishes: then
    // one replay serves both.
    Corrections<LifecycleEvent, Segment, Anomaly> forAnomalies =
        anomaliesOld.equals(lifecycleOld) ? forLifecycle : correct(ctx, seed, anomaliesOld, events);
    for (Change<Segment> change : forLifecycle.outputs()) {
      out.collect(LifecycleRows.toRow(change.value(), change.kind()));
    }
    for (Change<Anomaly> change : forAnomalies.anomalies()) {
      ctx.output(ANOMALIES, LifecycleRows.toRow(change.value(), change.kind()));
    }
  }

  /**
   * What one target published of this account: the events processed by every target plus the new
   * events this target's high watermark already covers (a run that died between the publishes of
   * two targets left this one ahead).
   */
  private static List<LifecycleEvent> publishedTo(
      List<LifecycleEvent> processed,
      List<RowData> arriving,
      List<LifecycleEvent> events,
      int target) {
    List<LifecycleEvent> publishedHere = new ArrayList<>(processed);
    for (int i = 0; i < arriving.size(); i++) {
      if (LifecycleInputs.publishedTo(arriving.get(i), target)) {
        publishedHere.add(events.get(i));
      }
    }
    return publishedHere;
  }

  /** The corrections for one target, against the events it published ({@link #publishedTo}). */
  private static Corrections<LifecycleEvent, Segment, Anomaly> correct(
      OnTimerContext ctx,
      Segment seed,
      List<LifecycleEvent> publishedHere,
      List<LifecycleEvent> events) {
    Corrections<LifecycleEvent, Segment, Anomaly> c =
        LifecycleCorrections.correct(seed, publishedHere, events);
    if (!c.tooLate().isEmpty()) {
      throw new IllegalStateException(
          "Account " + ctx.getCurrentKey() + ": events before the lookback " + c.tooLate());
    }
    return c;
  }
}
