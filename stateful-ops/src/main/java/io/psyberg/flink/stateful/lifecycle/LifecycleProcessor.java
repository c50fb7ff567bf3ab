package io.psyberg.flink.stateful.lifecycle;

import io.psyberg.flink.stateful.StatefulOptions;
import io.psyberg.flink.stateful.sequence.Change;
import io.psyberg.flink.stateful.sequence.EventSequenceFunction;
import java.time.Duration;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.api.StateBootstrapTransformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;

/**
 * Wires the account lifecycle into a DataStream job: {@code RowData} events in, {@code
 * account_lifecycle} and {@code lifecycle_anomalies} changelogs plus the too-late events out. Keyed
 * by {@code account_id}.
 *
 * <pre>{@code
 * LifecycleStreams out = LifecycleProcessor.builder().retention(Duration.ofDays(30)).build().process(events);
 * }</pre>
 */
public final class LifecycleProcessor {

  private final RowType eventRowType;
  private final Duration retention;
  private final String uidPrefix;

  private LifecycleProcessor(Builder builder) {
    this.eventRowType = builder.eventRowType;
    this.retention = builder.retention;
    this.uidPrefix = builder.uidPrefix;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The keyed function itself, for custom wiring: key a {@code DataStream<LifecycleEvent>} by
   * {@link LifecycleEvent#accountId()} and {@code process} it. {@code retention} may be {@code
   * null} (keep all).
   */
  public static EventSequenceFunction<Long, LifecycleEvent, LifecycleState, Segment, Anomaly>
      function(Duration retention) {
    return EventSequenceFunction.builder(LifecycleStateMachine.INSTANCE)
        .eventType(LifecycleTypes.EVENT)
        .stateType(LifecycleTypes.STATE)
        .outputType(LifecycleTypes.SEGMENT)
        .anomalyType(LifecycleTypes.ANOMALY)
        .retention(retention)
        .name("lifecycle")
        .build();
  }

  /**
   * Adds the lifecycle operator to {@code events}' job. Operator uids start with the builder's uid
   * prefix.
   */
  public LifecycleStreams process(DataStream<RowData> events) {
    EventSequenceFunction<Long, LifecycleEvent, LifecycleState, Segment, Anomaly> function =
        function(retention);
    SingleOutputStreamOperator<Change<Segment>> changes =
        read(events, "")
            .keyBy(LifecycleEvent::accountId, Types.LONG)
            .process(function, LifecycleTypes.SEGMENT_CHANGE)
            .name("lifecycle: event sequence")
            .uid(eventSequenceUid());
    return streams(changes, function);
  }

  /**
   * The uid of the keyed lifecycle operator, under which a savepoint holds its state; derived from
   * the builder's uid prefix.
   */
  public String eventSequenceUid() {
    return uidPrefix + "-event-sequence";
  }

  /**
   * Adds to {@code history}'s job (bounded: run it in batch mode) the writing of a savepoint at
   * {@code path} that holds the lifecycle operator's keyed state after every event of {@code
   * history}, exactly as {@link #process} keeps it. A continuous job over targets that already
   * publish {@code history} starts from that savepoint and emits only the changes of what comes
   * after it. {@code maxParallelism} is the continuous job's (a job that does not set one adopts
   * the savepoint's).
   */
  public void writeState(DataStream<RowData> history, int maxParallelism, String path) {
    StateBootstrapTransformation<LifecycleEvent> state =
        OperatorTransformation.bootstrapWith(read(history, "history "))
            .keyBy(LifecycleEvent::accountId, Types.LONG)
            .transform(function(retention).bootstrap());
    SavepointWriter.newSavepoint(
            history.getExecutionEnvironment(), new HashMapStateBackend(), maxParallelism)
        .withOperator(OperatorIdentifier.forUid(eventSequenceUid()), state)
        .write(path);
  }

  private SingleOutputStreamOperator<LifecycleEvent> read(DataStream<RowData> rows, String what) {
    EventRowReader reader = new EventRowReader(eventRowType);
    return rows.map((MapFunction<RowData, LifecycleEvent>) reader::read)
        .returns(LifecycleTypes.EVENT)
        .name("lifecycle: read " + what + "events")
        .uid(uidPrefix + "-read-" + what.replace(' ', '-') + "events");
  }

  private LifecycleStreams streams(
      SingleOutputStreamOperator<Change<Segment>> changes,
      EventSequenceFunction<Long, LifecycleEvent, LifecycleState, Segment, Anomaly> function) {
    DataStream<RowData> segments =
        changes
            .map(
                (MapFunction<Change<Segment>, RowData>)
                    c -> LifecycleRows.toRow(c.value(), c.kind()))
            .returns(InternalTypeInfo.of(LifecycleRows.SEGMENT_ROW_TYPE))
            .name("lifecycle: segment rows")
            .uid(uidPrefix + "-segment-rows");
    DataStream<RowData> anomalies =
        changes
            .getSideOutput(function.anomalyTag())
            .map(
                (MapFunction<Change<Anomaly>, RowData>)
                    c -> LifecycleRows.toRow(c.value(), c.kind()))
            .returns(InternalTypeInfo.of(LifecycleRows.ANOMALY_ROW_TYPE))
            .name("lifecycle: anomaly rows")
            .uid(uidPrefix + "-anomaly-rows");
    DataStream<RowData> tooLate =
        changes
            .getSideOutput(function.tooLateTag())
            .map((MapFunction<LifecycleEvent, RowData>) LifecycleRows::toRow)
            .returns(InternalTypeInfo.of(LifecycleRows.EVENT_ROW_TYPE))
            .name("lifecycle: too-late events")
            .uid(uidPrefix + "-too-late-rows");
    return new LifecycleStreams(segments, anomalies, tooLate);
  }

  /** Builder of {@link LifecycleProcessor}; {@link #build()} validates the settings. */
  public static final class Builder {

    private RowType eventRowType = LifecycleRows.EVENT_ROW_TYPE;
    private Duration retention;
    private String uidPrefix = "psyberg-lifecycle";

    private Builder() {}

    /** Row type of the input; needs the five event fields by name, other fields are ignored. */
    public Builder eventRowType(RowType rowType) {
      this.eventRowType = rowType;
      return this;
    }

    /** See {@link StatefulOptions#RETENTION}; {@code null} (default) keeps every event. */
    public Builder retention(Duration retention) {
      this.retention = retention;
      return this;
    }

    /** Reads {@link StatefulOptions#RETENTION} if set. */
    public Builder configure(ReadableConfig config) {
      config.getOptional(StatefulOptions.RETENTION).ifPresent(this::retention);
      return this;
    }

    /**
     * Prefix of the operator uids; keep it stable across releases of a job to restore its
     * savepoints.
     */
    public Builder uidPrefix(String uidPrefix) {
      this.uidPrefix = uidPrefix;
      return this;
    }

    public LifecycleProcessor build() {
      if (eventRowType == null) {
        throw new IllegalArgumentException("LifecycleProcessor: 'eventRowType' must be set");
      }
      if (uidPrefix == null || uidPrefix.isBlank()) {
        throw new IllegalArgumentException("LifecycleProcessor: 'uidPrefix' must not be blank");
      }
      new EventRowReader(
          eventRowType); // fails now, naming the field, rather than when the job runs
      function(retention); // validates the retention
      return new LifecycleProcessor(this);
    }
  }
}
