package io.psyberg.flink.stateful.lifecycle;

import java.util.List;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.flink.types.RowKind;

/**
 * The row shapes of DESIGN section 7 as Flink {@link RowType}s, and conversions between them and
 * the lifecycle value types. Field order is the order listed in the design.
 */
public final class LifecycleRows {

  /** Input events: {@code event_id, account_id, event_type, plan, event_ts}. */
  public static final RowType EVENT_ROW_TYPE =
      RowType.of(
          new LogicalType[] {
            string(false),
            new BigIntType(false),
            string(false),
            string(true),
            new TimestampType(false, 6)
          },
          new String[] {"event_id", "account_id", "event_type", "plan", "event_ts"});

  /**
   * {@code account_lifecycle}: {@code account_id, segment_no, state, plan, valid_from, valid_to,
   * opened_by_event_id}; primary key {@code (account_id, segment_no)}.
   */
  public static final RowType SEGMENT_ROW_TYPE =
      RowType.of(
          new LogicalType[] {
            new BigIntType(false),
            new IntType(false),
            string(false),
            string(true),
            new TimestampType(false, 6),
            new TimestampType(true, 6),
            string(false)
          },
          new String[] {
            "account_id",
            "segment_no",
            "state",
            "plan",
            "valid_from",
            "valid_to",
            "opened_by_event_id"
          });

  /** Primary key of {@link #SEGMENT_ROW_TYPE}. */
  public static final List<String> SEGMENT_KEY = List.of("account_id", "segment_no");

  /** {@code lifecycle_anomalies}: {@code event_id, account_id, event_type, event_ts, reason}. */
  public static final RowType ANOMALY_ROW_TYPE =
      RowType.of(
          new LogicalType[] {
            string(false),
            new BigIntType(false),
            string(false),
            new TimestampType(false, 6),
            string(false)
          },
          new String[] {"event_id", "account_id", "event_type", "event_ts", "reason"});

  /** Key of {@link #ANOMALY_ROW_TYPE}: one anomaly per event. */
  public static final List<String> ANOMALY_KEY = List.of("event_id");

  private LifecycleRows() {}

  public static RowData toRow(Segment segment, RowKind kind) {
    GenericRowData row = new GenericRowData(kind, 7);
    row.setField(0, segment.accountId());
    row.setField(1, segment.segmentNo());
    row.setField(2, StringData.fromString(segment.state().name()));
    row.setField(3, StringData.fromString(segment.plan()));
    row.setField(4, TimestampMicros.toTimestampData(segment.validFromMicros()));
    row.setField(
        5,
        segment.validToMicros() == null
            ? null
            : TimestampMicros.toTimestampData(segment.validToMicros()));
    row.setField(6, StringData.fromString(segment.openedByEventId()));
    return row;
  }

  /**
   * A published {@code account_lifecycle} row (in {@link #SEGMENT_ROW_TYPE} order) back as a
   * segment.
   */
  public static Segment toSegment(RowData row) {
    return new Segment(
        row.getLong(0),
        row.getInt(1),
        LifecycleStatus.valueOf(row.getString(2).toString()),
        row.isNullAt(3) ? null : row.getString(3).toString(),
        TimestampMicros.of(row.getTimestamp(4, 6)),
        row.isNullAt(5) ? null : TimestampMicros.of(row.getTimestamp(5, 6)),
        row.getString(6).toString());
  }

  public static RowData toRow(Anomaly anomaly, RowKind kind) {
    GenericRowData row = new GenericRowData(kind, 5);
    row.setField(0, StringData.fromString(anomaly.eventId()));
    row.setField(1, anomaly.accountId());
    row.setField(2, StringData.fromString(anomaly.eventType()));
    row.setField(3, TimestampMicros.toTimestampData(anomaly.eventTimeMicros()));
    row.setField(4, StringData.fromString(anomaly.reason().name()));
    return row;
  }

  /**
   * A published {@code lifecycle_anomalies} row (in {@link #ANOMALY_ROW_TYPE} order) back as an
   * anomaly.
   */
  public static Anomaly toAnomaly(RowData row) {
    return new Anomaly(
        row.getString(0).toString(),
        row.getLong(1),
        row.getString(2).toString(),
        TimestampMicros.of(row.getTimestamp(3, 6)),
        AnomalyReason.valueOf(row.getString(4).toString()));
  }

  /** An event as a row of {@link #EVENT_ROW_TYPE}. */
  public static RowData toRow(LifecycleEvent event) {
    return GenericRowData.of(
        StringData.fromString(event.eventId()),
        event.accountId(),
        StringData.fromString(event.eventType()),
        StringData.fromString(event.plan()),
        TimestampMicros.toTimestampData(event.eventTimeMicros()));
  }

  private static VarCharType string(boolean nullable) {
    return new VarCharType(nullable, VarCharType.MAX_LENGTH);
  }
}
