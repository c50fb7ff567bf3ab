package io.psyberg.flink.examples.lifecycle;

import io.psyberg.flink.planning.StatefulRunPlan;
import io.psyberg.flink.stateful.lifecycle.LifecycleEvent;
import io.psyberg.flink.stateful.lifecycle.LifecycleStatus;
import io.psyberg.flink.stateful.lifecycle.Segment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.VarCharType;

/**
 * One row type for everything a bounded lifecycle run brings to an account: new events, already
 * processed events of the lookback, and published segments. Field 0 says which; for a new event,
 * field 12 holds the targets that already published it (bit {@link #LIFECYCLE_TARGET} and bit
 * {@link #ANOMALIES_TARGET}), as a run that died between two publishes leaves one target ahead.
 */
final class LifecycleInputs {
  static final int NEW_EVENT = 0;
  static final int PROCESSED_EVENT = 1;
  static final int SEGMENT = 2;

  /** Bit of {@code account_lifecycle} in the published-to mask. */
  static final int LIFECYCLE_TARGET = 0;

  /** Bit of {@code lifecycle_anomalies} in the published-to mask. */
  static final int ANOMALIES_TARGET = 1;

  static final RowType TYPE =
      RowType.of(
          new LogicalType[] {
            new IntType(false),
            new BigIntType(false),
            str(),
            str(),
            str(),
            ts(), // event: id, type, plan, ts
            new IntType(),
            str(),
            str(),
            ts(),
            ts(),
            str(), // segment: no, state, plan, from, to, opened by
            new IntType(false) // new event: targets that already published it
          },
          new String[] {
            "kind",
            "account_id",
            "event_id",
            "event_type",
            "plan",
            "event_ts",
            "segment_no",
            "state",
            "segment_plan",
            "valid_from",
            "valid_to",
            "opened_by_event_id",
            "published_to"
          });

  private LifecycleInputs() {}

  private static LogicalType str() {
    return new VarCharType(true, VarCharType.MAX_LENGTH);
  }

  private static LogicalType ts() {
    return new TimestampType(true, 6);
  }

  /**
   * From an event row {@code event_id, account_id, event_type, plan, event_ts}; {@code
   * publishedTo}: the mask of targets whose published high watermark already covers it.
   */
  static RowData event(int kind, RowData e, int publishedTo) {
    GenericRowData r = new GenericRowData(13);
    r.setField(0, kind);
    r.setField(12, publishedTo);
    r.setField(1, e.getLong(1));
    r.setField(2, e.getString(0));
    r.setField(3, e.getString(2));
    r.setField(4, e.isNullAt(3) ? null : e.getString(3));
    r.setField(5, e.getTimestamp(4, 6));
    return r;
  }

  /**
   * From a segment row {@code account_id, segment_no, state, plan, valid_from, valid_to,
   * opened_by_event_id}.
   */
  static RowData segment(RowData s) {
    GenericRowData r = new GenericRowData(13);
    r.setField(12, 0);
    r.setField(0, SEGMENT);
    r.setField(1, s.getLong(0));
    r.setField(6, s.getInt(1));
    r.setField(7, s.getString(2));
    r.setField(8, s.isNullAt(3) ? null : s.getString(3));
    r.setField(9, s.getTimestamp(4, 6));
    r.setField(10, s.isNullAt(5) ? null : s.getTimestamp(5, 6));
    r.setField(11, s.getString(6));
    return r;
  }

  static LifecycleEvent toEvent(RowData r) {
    return new LifecycleEvent(
        r.getString(2).toString(),
        r.getLong(1),
        r.getString(3).toString(),
        r.isNullAt(4) ? null : r.getString(4).toString(),
        micros(r.getTimestamp(5, 6)));
  }

  /** Whether the target with bit {@code target} already published the event in {@code r}. */
  static boolean publishedTo(RowData r, int target) {
    return StatefulRunPlan.isPublishedTo(r.getInt(12), target);
  }

  static Segment toSegment(RowData r) {
    return new Segment(
        r.getLong(1),
        r.getInt(6),
        LifecycleStatus.valueOf(r.getString(7).toString()),
        r.isNullAt(8) ? null : r.getString(8).toString(),
        micros(r.getTimestamp(9, 6)),
        r.isNullAt(10) ? null : micros(r.getTimestamp(10, 6)),
        r.getString(11).toString());
  }

  static long micros(TimestampData t) {
    return t.getMillisecond() * 1000L + t.getNanoOfMillisecond() / 1000;
  }

  static StringData s(String v) {
    return v == null ? null : StringData.fromString(v);
  }
}
