package io.psyberg.flink.examples.signups;

import io.psyberg.flink.examples.generate.MembershipEvents;
import io.psyberg.flink.examples.jobs.EventSources;
import io.psyberg.flink.session.Processing;
import io.psyberg.flink.sink.PsybergSink;
import io.psyberg.flink.sink.WriteMode;
import io.psyberg.flink.sink.audit.SourceFilter;
import io.psyberg.flink.source.PsybergSource;
import io.psyberg.flink.source.PsybergSourceBuilder;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.restartstrategy.RestartStrategies;
import org.apache.flink.api.common.time.Time;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.Table;
import org.apache.iceberg.flink.FlinkSchemaUtil;

/**
 * The signup job graph: psyberg source (new snapshots of the event tables since the high watermark
 * published in the target) → {@link SignupFactMapper} → psyberg sink (append, audited: not-null
 * keys, row count equal to the session's {@code SIGNUP} rows). Public so that the same graph can be
 * embedded and tested outside the command (the reliability tests run it under fault injection).
 */
public final class SignupsJob {
  /** The source rows the row-count audit reconciles with: the SIGNUP events. */
  static final String SIGNUP_FILTER = MembershipEvents.EVENT_TYPE + " = 'SIGNUP'";

  /** Restarts of a continuous job after a failure, before it gives up. */
  static final int CONTINUOUS_RESTARTS = 3;

  private final SignupsSettings settings;

  public SignupsJob(SignupsSettings settings) {
    this.settings = settings;
  }

  /** The job's name in Flink. */
  public String name() {
    return "psyberg signups " + settings.process();
  }

  /**
   * Configures {@code env} (checkpoints and restarts for the mode) and adds the job to it.
   *
   * @param target the signup fact table, already checked or created
   */
  public void addTo(StreamExecutionEnvironment env, Table target) {
    addTo(env, target, Map.of());
  }

  /**
   * As {@link #addTo(StreamExecutionEnvironment, Table)}; a bounded session ends no later than
   * {@code endAt} (per source table, a snapshot id; e.g. a catch-up's {@code Backlog}).
   */
  public void addTo(StreamExecutionEnvironment env, Table target, Map<String, Long> endAt) {
    if (settings.continuous()) {
      env.enableCheckpointing(settings.interval().toMillis());
      env.setRestartStrategy(
          RestartStrategies.fixedDelayRestart(
              CONTINUOUS_RESTARTS, Time.milliseconds(settings.interval().toMillis())));
    } else {
      // A failed bounded run publishes nothing; re-running it resumes from the high watermark.
      env.setRestartStrategy(RestartStrategies.noRestart());
    }
    // The mapper makes new rows of the events it reads and the writer writes them at once: no
    // operator keeps a record, so chained operators need not deep-copy each one.
    env.getConfig().enableObjectReuse();
    String process = settings.process();
    DataStream<RowData> events =
        env.fromSource(source(endAt), WatermarkStrategy.noWatermarks(), "psyberg source " + process)
            .uid("signups-source-" + process);
    RowType factType = FlinkSchemaUtil.convert(target.schema());
    DataStream<RowData> facts =
        events
            .flatMap(new SignupFactMapper())
            .returns(InternalTypeInfo.of(factType))
            .name("signup facts")
            .uid("signups-facts-" + process);
    sink().append(facts);
  }

  private PsybergSource source(Map<String, Long> endAt) {
    PsybergSourceBuilder builder =
        PsybergSource.builder()
            .catalog(settings.catalog())
            .processName(settings.process())
            .tables(settings.sourceNames())
            .processing(Processing.STATELESS)
            .changeRangeColumn(MembershipEvents.EVENT_TS)
            .targetTable(settings.target().toString())
            .project(EventSources.COLUMNS)
            .maxSnapshotsPerSession(settings.maxSnapshotsPerSession());
    return (settings.continuous()
            ? builder.continuous(settings.interval())
            : builder.bounded().endAt(endAt))
        .build();
  }

  private PsybergSink sink() {
    return PsybergSink.builder()
        .catalog(settings.catalog())
        .processName(settings.process())
        .table(settings.target().toString())
        .writeMode(WriteMode.APPEND)
        .auditNotNull(SignupFacts.NOT_NULL)
        .auditRowCountMatchesSource(SourceFilter.parse(SIGNUP_FILTER, "signups row-count audit"))
        .build();
  }
}
