package io.psyberg.flink.bench;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.generate.MembershipEvents;
import io.psyberg.flink.examples.signups.SignupFactMapper;
import io.psyberg.flink.examples.signups.SignupFacts;
import io.psyberg.flink.stateful.lifecycle.Anomaly;
import io.psyberg.flink.stateful.lifecycle.LifecycleEvent;
import io.psyberg.flink.stateful.lifecycle.LifecycleRecompute;
import io.psyberg.flink.stateful.lifecycle.LifecycleResult;
import io.psyberg.flink.stateful.lifecycle.LifecycleRows;
import io.psyberg.flink.stateful.lifecycle.LifecycleTypes;
import io.psyberg.flink.stateful.lifecycle.Segment;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.flink.sink.FlinkSink;
import org.apache.iceberg.flink.source.IcebergSource;

/**
 * The baseline psyberg replaces: a batch job with Iceberg's own source and sink that re-reads the
 * whole source table, recomputes everything and overwrites its output table. Same logic as the
 * psyberg jobs (the signup fact mapper; the lifecycle recomputed per account by {@link
 * LifecycleRecompute}), no high watermark, no audits.
 */
final class FullRecompute {
  private FullRecompute() {}

  /**
   * All SIGNUP events of {@code source} as facts, overwriting {@code target} (signup fact shape).
   */
  static void signups(CatalogSpec catalog, String source, String target) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    DataStream<RowData> facts =
        read(env, catalog, source)
            .flatMap(new SignupFactMapper())
            .returns(InternalTypeInfo.of(FlinkSchemaUtil.convert(SignupFacts.SCHEMA)))
            .name("signup facts");
    overwrite(facts, catalog, target);
    env.execute("full recompute signups");
  }

  /**
   * The whole lifecycle of every account in {@code source}, overwriting {@code target} and {@code
   * anomalies}.
   */
  static void lifecycle(CatalogSpec catalog, String source, String target, String anomalies)
      throws Exception {
    lifecycle(
        StreamExecutionEnvironment.getExecutionEnvironment(), catalog, source, target, anomalies);
  }

  /** As {@link #lifecycle(CatalogSpec, String, String, String)}, on {@code env}. */
  static JobExecutionResult lifecycle(
      StreamExecutionEnvironment env,
      CatalogSpec catalog,
      String source,
      String target,
      String anomalies)
      throws Exception {
    SingleOutputStreamOperator<RowData> segments =
        read(env, catalog, source)
            .map(FullRecompute::event)
            .returns(LifecycleTypes.EVENT)
            .name("events")
            .keyBy(LifecycleEvent::accountId, Types.LONG)
            .process(new WholeHistory())
            .returns(InternalTypeInfo.of(LifecycleRows.SEGMENT_ROW_TYPE))
            .name("lifecycle recompute");
    overwrite(segments, catalog, target);
    overwrite(segments.getSideOutput(WholeHistory.ANOMALIES), catalog, anomalies);
    return env.execute("full recompute lifecycle");
  }

  private static DataStream<RowData> read(
      StreamExecutionEnvironment env, CatalogSpec catalog, String table) {
    IcebergSource<RowData> source =
        IcebergSource.forRowData()
            .tableLoader(TableLoader.fromCatalog(catalog.loader(), TableIdentifier.parse(table)))
            .streaming(false)
            .build();
    return env.fromSource(
        source,
        WatermarkStrategy.noWatermarks(),
        "iceberg " + table,
        InternalTypeInfo.of(FlinkSchemaUtil.convert(MembershipEvents.SCHEMA)));
  }

  private static void overwrite(DataStream<RowData> rows, CatalogSpec catalog, String table) {
    FlinkSink.forRowData(rows)
        .tableLoader(TableLoader.fromCatalog(catalog.loader(), TableIdentifier.parse(table)))
        .overwrite(true)
        .append();
  }

  private static LifecycleEvent event(RowData r) {
    var ts = r.getTimestamp(4, 6);
    return new LifecycleEvent(
        r.getString(0).toString(),
        r.getLong(1),
        r.getString(2).toString(),
        r.isNullAt(3) ? null : r.getString(3).toString(),
        ts.getMillisecond() * 1000L + ts.getNanoOfMillisecond() / 1000);
  }

  /** Collects an account's whole history and recomputes its lifecycle once the input has ended. */
  private static final class WholeHistory
      extends KeyedProcessFunction<Long, LifecycleEvent, RowData> {
    private static final long serialVersionUID = 1L;
    static final OutputTag<RowData> ANOMALIES =
        new OutputTag<>("full-anomalies", InternalTypeInfo.of(LifecycleRows.ANOMALY_ROW_TYPE));
    private transient ListState<LifecycleEvent> events;

    @Override
    public void open(Configuration parameters) {
      events =
          getRuntimeContext()
              .getListState(new ListStateDescriptor<>("events", LifecycleTypes.EVENT));
    }

    @Override
    public void processElement(LifecycleEvent e, Context ctx, Collector<RowData> out)
        throws Exception {
      events.add(e);
      ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RowData> out)
        throws Exception {
      List<LifecycleEvent> history = new ArrayList<>();
      events.get().forEach(history::add);
      events.clear();
      LifecycleResult result = LifecycleRecompute.recompute(history);
      for (Segment s : result.segments()) {
        out.collect(LifecycleRows.toRow(s, RowKind.INSERT));
      }
      for (Anomaly a : result.anomalies()) {
        ctx.output(ANOMALIES, LifecycleRows.toRow(a, RowKind.INSERT));
      }
    }
  }
}
