package io.psyberg.flink.examples.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.CloseableIterator;

/**
 * The rows of a statement's result, materialized: an update or delete in a changelog (a streaming
 * aggregate, say) replaces or removes the row it retracts, so only the final rows remain, as in the
 * SQL client's table mode.
 *
 * @param names column names
 * @param types column types
 * @param rows final rows, all of kind {@link RowKind#INSERT}
 */
public record ResultTable(List<String> names, List<LogicalType> types, List<Row> rows) {

  /** Reads all rows of {@code result}; blocks until the job behind it finishes. */
  public static ResultTable collect(TableResult result) throws Exception {
    List<String> names = new ArrayList<>();
    List<LogicalType> types = new ArrayList<>();
    for (Column c : result.getResolvedSchema().getColumns()) {
      names.add(c.getName());
      types.add(c.getDataType().getLogicalType());
    }
    List<Row> rows = new ArrayList<>();
    try (CloseableIterator<Row> it = result.collect()) {
      while (it.hasNext()) {
        apply(rows, it.next());
      }
    }
    return new ResultTable(names, types, rows);
  }

  private static void apply(List<Row> rows, Row change) {
    RowKind kind = change.getKind();
    change.setKind(RowKind.INSERT);
    if (kind == RowKind.INSERT || kind == RowKind.UPDATE_AFTER) {
      rows.add(change);
      return;
    }
    // UPDATE_BEFORE or DELETE: retract the latest equal row.
    ListIterator<Row> it = rows.listIterator(rows.size());
    while (it.hasPrevious()) {
      if (it.previous().equals(change)) {
        it.remove();
        return;
      }
    }
  }
}
