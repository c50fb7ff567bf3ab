package io.psyberg.flink.stateful.lifecycle;

import io.psyberg.flink.stateful.StatefulOptions;
import io.psyberg.flink.stateful.sequence.Change;
import io.psyberg.flink.stateful.sequence.EventSequenceFunction;
import io.psyberg.flink.stateful.sequence.SeededEventSequenceFunction;
import java.time.Duration;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.ReadableConfig;
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
            .uid(uidPrefix + "-event-sequence");
    return streams(changes, function);
  }

  /**
   * Adds the lifecycle operator for a job that starts without restored state over a published
   * history (see {@link SeededEventSequenceFunction}): {@code history} is every event the targets
   * already hold, {@code live} the events after them, with {@link
   * SeededEventSequenceFunction#liveWatermarks()}. Only the live events' changes are emitted.
   */
  public LifecycleStreams processSeeded(DataStream<RowData> history, DataStream<RowData> live) {
    EventSequenceFunction<Long, LifecycleEvent, LifecycleState, Segment, Anomaly> function =
        function(retention);
    SeededEventSequenceFunction<Long, LifecycleEvent, LifecycleState, Segment, Anomaly> seeded =
        function.seeded();
    DataStream<Tuple2<Boolean, LifecycleEvent>> tagged =
        tag(read(history, "history "), true, seeded).union(tag(read(live, ""), false, seeded));
    SingleOutputStreamOperator<Change<Segment>> changes =
        tagged
            .keyBy(t -> t.f1.accountId(), Types.LONG)
            .process(seeded, LifecycleTypes.SEGMENT_CHANGE)
            .name("lifecycle: event sequence over history")
            .uid(uidPrefix + "-event-sequence");
    return streams(changes, function);
  }

  private SingleOutputStreamOperator<LifecycleEvent> read(DataStream<RowData> rows, String what) {
    EventRowReader reader = new EventRowReader(eventRowType);
    return rows.map((MapFunction<RowData, LifecycleEvent>) reader::read)
        .returns(LifecycleTypes.EVENT)
        .name("lifecycle: read " + what + "events")
        .uid(uidPrefix + "-read-" + what.replace(' ', '-') + "events");
  }

  private DataStream<Tuple2<Boolean, LifecycleEvent>> tag(
      DataStream<LifecycleEvent> events,
      boolean history,
      SeededEventSequenceFunction<Long, LifecycleEvent, LifecycleState, Segment, Anomaly> seeded) {
    return events
        .map(e -> Tuple2.of(history, e))
        .returns(seeded.inputType())
        .name(history ? "lifecycle: history" : "lifecycle: live")
        .uid(uidPrefix + (history ? "-history" : "-live"));
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
