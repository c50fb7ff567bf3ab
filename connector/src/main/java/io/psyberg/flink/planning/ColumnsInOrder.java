package io.psyberg.flink.planning;

import java.util.List;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/**
 * Picks columns by name, in the order asked for, from rows of a table's type (an Iceberg read gives
 * them in table order, with any other columns): what a keyed operator reading fields by position
 * needs.
 */
@PublicEvolving
public final class ColumnsInOrder implements MapFunction<RowData, RowData> {
  private static final long serialVersionUID = 1L;

  private final RowData.FieldGetter[] fields;
  private final RowType type;

  /** Fails naming the column when {@code from} lacks one of {@code columns}. */
  public ColumnsInOrder(RowType from, List<String> columns) {
    fields = new RowData.FieldGetter[columns.size()];
    LogicalType[] types = new LogicalType[columns.size()];
    for (int i = 0; i < fields.length; i++) {
      int at = from.getFieldIndex(columns.get(i));
      if (at < 0) {
        throw new IllegalArgumentException(
            "Rows of type " + from.asSummaryString() + " have no column '" + columns.get(i) + "'");
      }
      types[i] = from.getTypeAt(at);
      fields[i] = RowData.createFieldGetter(types[i], at);
    }
    type = RowType.of(types, columns.toArray(String[]::new));
  }

  /** The type of the rows this gives. */
  public RowType type() {
    return type;
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
