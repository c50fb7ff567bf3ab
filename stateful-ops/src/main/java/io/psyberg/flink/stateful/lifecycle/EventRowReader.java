package io.psyberg.flink.stateful.lifecycle;

import java.io.Serializable;
import java.util.EnumSet;
import java.util.Set;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;

/**
 * Reads {@link LifecycleEvent}s from rows of any type that has the five event fields by name (extra
 * columns such as source metadata are ignored). Field types are checked once, when the reader is
 * created.
 */
public final class EventRowReader implements Serializable {

  private static final long serialVersionUID = 1L;

  private static final Set<LogicalTypeRoot> STRINGS =
      EnumSet.of(LogicalTypeRoot.VARCHAR, LogicalTypeRoot.CHAR);

  private final int eventId;
  private final int accountId;
  private final int eventType;
  private final int plan;
  private final int eventTs;
  private final int eventTsPrecision;

  public EventRowReader(RowType rowType) {
    this.eventId = field(rowType, "event_id", STRINGS);
    this.accountId = field(rowType, "account_id", EnumSet.of(LogicalTypeRoot.BIGINT));
    this.eventType = field(rowType, "event_type", STRINGS);
    this.plan = field(rowType, "plan", STRINGS);
    this.eventTs =
        field(rowType, "event_ts", EnumSet.of(LogicalTypeRoot.TIMESTAMP_WITHOUT_TIME_ZONE));
    this.eventTsPrecision = LogicalTypeChecks.getPrecision(rowType.getTypeAt(eventTs));
  }

  /**
   * The event in {@code row}; a NULL in a NOT NULL event field fails with a message naming field
   * and row.
   */
  public LifecycleEvent read(RowData row) {
    require(row, eventId, "event_id");
    require(row, accountId, "account_id");
    require(row, eventType, "event_type");
    require(row, eventTs, "event_ts");
    return new LifecycleEvent(
        row.getString(eventId).toString(),
        row.getLong(accountId),
        row.getString(eventType).toString(),
        row.isNullAt(plan) ? null : row.getString(plan).toString(),
        TimestampMicros.of(row.getTimestamp(eventTs, eventTsPrecision)));
  }

  private static void require(RowData row, int pos, String name) {
    if (row.isNullAt(pos)) {
      throw new IllegalArgumentException(
          String.format(
              "Lifecycle event row has NULL %s, which must not be NULL (DESIGN section 7): %s. "
                  + "Filter or fix such rows before the lifecycle operator.",
              name, row));
    }
  }

  private static int field(RowType rowType, String name, Set<LogicalTypeRoot> allowed) {
    int index = rowType.getFieldIndex(name);
    if (index < 0) {
      throw new IllegalArgumentException(
          String.format(
              "Lifecycle events need a field '%s'; the input row type %s has fields %s.",
              name, rowType.asSummaryString(), rowType.getFieldNames()));
    }
    LogicalType type = rowType.getTypeAt(index);
    if (!allowed.contains(type.getTypeRoot())) {
      throw new IllegalArgumentException(
          String.format(
              "Lifecycle event field '%s' must be one of %s, got %s.",
              name, allowed, type.asSummaryString()));
    }
    return index;
  }
}
