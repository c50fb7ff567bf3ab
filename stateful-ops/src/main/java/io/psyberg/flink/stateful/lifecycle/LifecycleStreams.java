package io.psyberg.flink.stateful.lifecycle;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.data.RowData;

/**
 * The outputs of the lifecycle operator.
 *
 * @param segments {@code account_lifecycle} changelog ({@link LifecycleRows#SEGMENT_ROW_TYPE});
 *     each row's {@code RowKind} is INSERT, UPDATE_BEFORE followed by UPDATE_AFTER (a replaced row
 *     of key {@code (account_id, segment_no)}: its old, then its new value) or DELETE
 * @param anomalies {@code lifecycle_anomalies} changelog ({@link LifecycleRows#ANOMALY_ROW_TYPE}),
 *     keyed by {@code event_id}, same row kinds
 * @param tooLate events that arrived beyond the retention horizon, as {@link
 *     LifecycleRows#EVENT_ROW_TYPE} rows
 */
public record LifecycleStreams(
    DataStream<RowData> segments, DataStream<RowData> anomalies, DataStream<RowData> tooLate) {}
