package io.psyberg.flink.examples.sessions;

import io.psyberg.flink.examples.sql.ResultTable;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.flink.types.Row;

/** Builds a {@link ResultTable} of text and number columns for the table printer. */
public final class TableBuilder {
  private final List<String> names = new ArrayList<>();
  private final List<LogicalType> types = new ArrayList<>();
  private final List<Row> rows = new ArrayList<>();

  /** A left-aligned text column. */
  public TableBuilder text(String name) {
    names.add(name);
    types.add(new VarCharType(VarCharType.MAX_LENGTH));
    return this;
  }

  /** A right-aligned number column (values are {@code Long}s or null). */
  public TableBuilder number(String name) {
    names.add(name);
    types.add(new BigIntType());
    return this;
  }

  /** A row with one value per column, in column order. */
  public TableBuilder row(Object... values) {
    if (values.length != names.size()) {
      throw new IllegalArgumentException(
          "row has " + values.length + " values for " + names.size() + " columns");
    }
    rows.add(Row.of(values));
    return this;
  }

  public ResultTable build() {
    return new ResultTable(List.copyOf(names), List.copyOf(types), List.copyOf(rows));
  }
}
