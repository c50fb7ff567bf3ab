package io.psyberg.flink.examples.reliability;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.planning.ProcessedHistory;
import io.psyberg.flink.planning.StatefulRunPlan;
import io.psyberg.flink.session.Processing;
import io.psyberg.flink.sink.PsybergSink;
import io.psyberg.flink.sink.PsybergSinkHooks;
import io.psyberg.flink.sink.WriteMode;
import io.psyberg.flink.sink.commit.PublishHook;
import io.psyberg.flink.source.PsybergSource;
import io.psyberg.flink.source.PsybergSourceBuilder;
import io.psyberg.flink.stateful.sequence.Change;
import io.psyberg.flink.stateful.sequence.EventSequences;
import io.psyberg.flink.stateful.sequence.SequenceSeed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.api.java.tuple.Tuple6;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.iceberg.Schema;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.types.Types.IntegerType;
import org.apache.iceberg.types.Types.LongType;
import org.apache.iceberg.types.Types.NestedField;
import org.apache.iceberg.types.Types.StringType;

/**
 * {@link AccountActivity} into three targets, built as the README's "your own keyed stateful logic"
 * says. A bounded run: {@link StatefulRunPlan} for the session and which target already holds each
 * new event, the processed history of the touched accounts, and per target {@link
 * EventSequences#corrections} against the events that target's own high watermark covers. A
 * continuous job: {@link AccountActivity#function()} over the live events, its changes split among
 * the three sinks.
 */
final class ActivityJob {
  static final String EVENTS_TARGET = "facts.activity_events";
  static final String COUNTS_TARGET = "facts.activity_counts";
  static final String ANOMALIES_TARGET = "facts.activity_anomalies";

  /** Bit {@code i} of a published-to mask is {@code TARGETS.get(i)}. */
  static final List<String> TARGETS = List.of(EVENTS_TARGET, COUNTS_TARGET, ANOMALIES_TARGET);

  static final Schema EVENT_ROWS =
      new Schema(
          List.of(
              NestedField.required(1, "account_id", LongType.get()),
              NestedField.required(2, "event_id", StringType.get()),
              NestedField.required(3, "ordinal", IntegerType.get()),
              NestedField.required(4, "event_type", StringType.get())),
          Set.of(1, 2));
  static final Schema COUNT_ROWS =
      new Schema(
          List.of(
              NestedField.required(1, "account_id", LongType.get()),
              NestedField.required(2, "events", IntegerType.get()),
              NestedField.required(3, "last_event_type", StringType.get())),
          Set.of(1));
  static final Schema ANOMALY_ROWS =
      new Schema(
          List.of(
              NestedField.required(1, "account_id", LongType.get()),
              NestedField.required(2, "event_id", StringType.get()),
              NestedField.required(3, "event_type", StringType.get())),
          Set.of(1, 2));

  private static final List<String> EVENT_COLUMNS =
      List.of("event_id", "account_id", "event_type", "plan", "event_ts");
  private static final int SOURCE_TABLE = 5;
  private static final int SNAPSHOT_ID = 6;

  /** (event id, account, type, time in micros, published-to mask, new in this session). */
  private static final TypeInformation<Tuple6<String, Long, String, Long, Integer, Boolean>> INPUT =
      Types.TUPLE(Types.STRING, Types.LONG, Types.STRING, Types.LONG, Types.INT, Types.BOOLEAN);

  private static final OutputTag<RowData> COUNTS =
      new OutputTag<>("counts", InternalTypeInfo.of(rowType(COUNT_ROWS)));
  private static final OutputTag<RowData> ANOMALIES =
      new OutputTag<>("anomalies", InternalTypeInfo.of(rowType(ANOMALY_ROWS)));

  private final CatalogSpec catalog;
  private final String process;
  private final String source;
  private final PublishHook hook;

  ActivityJob(CatalogSpec catalog, String process, String source, PublishHook hook) {
    this.catalog = catalog;
    this.process = process;
    this.source = source;
    this.hook = hook;
  }

  /** Adds one bounded run to {@code env}. */
  void bounded(StreamExecutionEnvironment env) {
    StatefulRunPlan plan =
        StatefulRunPlan.plan(catalog, process, List.of(source), "event_ts", TARGETS);
    DataStream<Tuple6<String, Long, String, Long, Integer, Boolean>> inputs =
        env.fromSource(
                source().endAt(plan.end()).withMetadataColumns(true).build(),
                WatermarkStrategy.noWatermarks(),
                "new events")
            .map(
                r ->
                    input(
                        r,
                        plan.publishedTo(
                            r.getString(SOURCE_TABLE).toString(), r.getLong(SNAPSHOT_ID)),
                        true))
            .returns(INPUT);
    if (plan.hasNewEvents() && !plan.processedThrough().isEmpty()) {
      // This machine's rows depend on every earlier event of the account: replay the touched
      // accounts' whole processed history (a machine with a compact seed reads from the lookback).
      Expression touched =
          StatefulRunPlan.keyFilter(
              "account_id", plan.keysOfNewEvents(catalog, "account_id", 10_000));
      for (DataStream<RowData> processed :
          ProcessedHistory.asOf(catalog, process, plan.processedThrough(), TARGETS)
              .read(env, catalog, EVENT_COLUMNS, touched)) {
        inputs = inputs.union(processed.map(r -> input(r, 0, false)).returns(INPUT));
      }
    }
    SingleOutputStreamOperator<RowData> events =
        inputs
            .keyBy(e -> e.f1)
            .process(new Corrector())
            .returns(InternalTypeInfo.of(rowType(EVENT_ROWS)))
            .name("activity corrections");
    sink(EVENTS_TARGET, events);
    sink(COUNTS_TARGET, events.getSideOutput(COUNTS));
    sink(ANOMALIES_TARGET, events.getSideOutput(ANOMALIES));
  }

  /**
   * Adds the continuous job to {@code env} (the caller enables checkpointing): a fresh start over
   * empty targets, or a restore from a checkpoint.
   */
  void continuous(StreamExecutionEnvironment env, Duration monitorInterval) {
    var function = AccountActivity.function();
    SingleOutputStreamOperator<Change<Tuple4<Long, String, Integer, String>>> changes =
        env.fromSource(
                source().continuous(monitorInterval).build(),
                WatermarkStrategy.noWatermarks(),
                "events")
            .uid("activity-source")
            .map(ActivityJob::event)
            .returns(AccountActivity.EVENT)
            .keyBy(e -> e.f1, Types.LONG)
            .process(function)
            .uid("activity-sequence");
    sink(
        EVENTS_TARGET,
        changes
            .filter(c -> !AccountActivity.isCount(c.value()))
            .map(c -> eventRow(c.kind(), c.value()))
            .returns(InternalTypeInfo.of(rowType(EVENT_ROWS))));
    sink(
        COUNTS_TARGET,
        changes
            .filter(c -> AccountActivity.isCount(c.value()))
            .map(c -> countRow(c.kind(), c.value()))
            .returns(InternalTypeInfo.of(rowType(COUNT_ROWS))));
    sink(
        ANOMALIES_TARGET,
        changes
            .getSideOutput(function.anomalyTag())
            .map(c -> anomalyRow(c.kind(), c.value()))
            .returns(InternalTypeInfo.of(rowType(ANOMALY_ROWS))));
  }

  private PsybergSourceBuilder source() {
    return PsybergSource.builder()
        .catalog(catalog)
        .processName(process)
        .tables(source)
        .processing(Processing.STATEFUL)
        .changeRangeColumn("event_ts")
        .targetTable(EVENTS_TARGET)
        .targetTable(COUNTS_TARGET)
        .targetTable(ANOMALIES_TARGET)
        .project(EVENT_COLUMNS);
  }

  private void sink(String target, DataStream<RowData> rows) {
    PsybergSinkHooks.withPublishHook(
            PsybergSink.builder()
                .catalog(catalog)
                .processName(process)
                .table(target)
                .writeMode(WriteMode.RETRACT),
            hook)
        .build()
        .append(rows);
  }

  private static Tuple6<String, Long, String, Long, Integer, Boolean> input(
      RowData r, int publishedTo, boolean fresh) {
    Tuple4<String, Long, String, Long> e = event(r);
    return Tuple6.of(e.f0, e.f1, e.f2, e.f3, publishedTo, fresh);
  }

  /** The event of a row of {@code EVENT_COLUMNS}. */
  private static Tuple4<String, Long, String, Long> event(RowData r) {
    return AccountActivity.event(
        r.getString(0).toString(), r.getLong(1), r.getString(2).toString(), micros(r, 4));
  }

  private static long micros(RowData r, int pos) {
    var t = r.getTimestamp(pos, 6);
    return t.getMillisecond() * 1000 + t.getNanoOfMillisecond() / 1000;
  }

  static Tuple4<String, Long, String, Long> event(
      Tuple6<String, Long, String, Long, Integer, Boolean> in) {
    return AccountActivity.event(in.f0, in.f1, in.f2, in.f3);
  }

  static RowData eventRow(RowKind kind, Tuple4<Long, String, Integer, String> r) {
    return row(kind, r.f0, r.f1, r.f2, r.f3);
  }

  static RowData countRow(RowKind kind, Tuple4<Long, String, Integer, String> r) {
    return row(kind, r.f0, r.f2, r.f3);
  }

  static RowData anomalyRow(RowKind kind, Tuple3<Long, String, String> a) {
    return row(kind, a.f0, a.f1, a.f2);
  }

  private static RowData row(RowKind kind, Object... fields) {
    GenericRowData row = new GenericRowData(kind, fields.length);
    for (int i = 0; i < fields.length; i++) {
      Object f = fields[i];
      row.setField(i, f instanceof String ? StringData.fromString((String) f) : f);
    }
    return row;
  }

  static RowType rowType(Schema schema) {
    return FlinkSchemaUtil.convert(schema);
  }

  /**
   * Per account, once every input is in: each target's corrections, its old output replayed from
   * the processed events plus the new events its own high watermark already covers.
   */
  private static final class Corrector
      extends KeyedProcessFunction<
          Long, Tuple6<String, Long, String, Long, Integer, Boolean>, RowData> {
    private static final long serialVersionUID = 1L;
    private static final AccountActivity MACHINE = new AccountActivity();
    private transient ListState<Tuple6<String, Long, String, Long, Integer, Boolean>> inputs;

    @Override
    public void open(Configuration parameters) {
      inputs = getRuntimeContext().getListState(new ListStateDescriptor<>("inputs", INPUT));
    }

    @Override
    public void processElement(
        Tuple6<String, Long, String, Long, Integer, Boolean> in,
        Context ctx,
        Collector<RowData> out)
        throws Exception {
      inputs.add(in);
      ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RowData> out)
        throws Exception {
      List<Tuple4<String, Long, String, Long>> arriving = new ArrayList<>();
      List<Tuple6<String, Long, String, Long, Integer, Boolean>> all = new ArrayList<>();
      inputs.get().forEach(all::add);
      inputs.clear();
      for (var in : all) {
        if (in.f5) {
          arriving.add(event(in));
        }
      }
      if (arriving.isEmpty()) {
        return;
      }
      for (int target = 0; target < TARGETS.size(); target++) {
        List<Tuple4<String, Long, String, Long>> old = new ArrayList<>();
        for (var in : all) {
          if (!in.f5 || StatefulRunPlan.isPublishedTo(in.f4, target)) {
            old.add(event(in));
          }
        }
        var c = EventSequences.corrections(MACHINE, SequenceSeed.initial(MACHINE), old, arriving);
        if (target == 2) {
          c.anomalies().forEach(a -> ctx.output(ANOMALIES, anomalyRow(a.kind(), a.value())));
          continue;
        }
        for (var o : c.outputs()) {
          if (target == 0 && !AccountActivity.isCount(o.value())) {
            out.collect(eventRow(o.kind(), o.value()));
          } else if (target == 1 && AccountActivity.isCount(o.value())) {
            ctx.output(COUNTS, countRow(o.kind(), o.value()));
          }
        }
      }
    }
  }
}
