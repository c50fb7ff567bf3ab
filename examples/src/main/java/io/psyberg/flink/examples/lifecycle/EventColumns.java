package io.psyberg.flink.examples.lifecycle;

import io.psyberg.flink.stateful.lifecycle.LifecycleRows;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

/**
 * Rows of an event table, whatever its other columns, as rows of {@link
 * LifecycleRows#EVENT_ROW_TYPE}: the five event fields picked by name.
 */
final class EventColumns implements MapFunction<RowData, RowData> {
  private static final long serialVersionUID = 1L;

  private final RowData.FieldGetter[] fields;

  EventColumns(RowType tableType) {
    RowType events = LifecycleRows.EVENT_ROW_TYPE;
    fields = new RowData.FieldGetter[events.getFieldCount()];
    for (int i = 0; i < fields.length; i++) {
      int at = tableType.getFieldIndex(events.getFieldNames().get(i));
      if (at < 0) {
        throw new IllegalArgumentException(
            "Event table of type "
                + tableType.asSummaryString()
                + " has no column "
                + events.getFieldNames().get(i));
      }
      fields[i] = RowData.createFieldGetter(events.getTypeAt(i), at);
    }
  }

  @Override
  public RowData map(RowData row) {
    GenericRowData out = new GenericRowData(fields.length);
    for (int i = 0; i < fields.length; i++) {
      out.setField(i, fields[i].getFieldOrNull(row));
    }
    return out;
  }
}
