package io.psyberg.flink.examples.sql;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeFamily;
import org.apache.flink.types.Row;

/**
 * Prints rows as an aligned table with a header and a row count; numeric columns are right-aligned,
 * {@code NULL} shown as such. A single multi-line value (EXPLAIN, SHOW CREATE TABLE) is printed as
 * it is.
 */
public final class TablePrinter implements ResultPrinter {
  private final ValueFormatter values;
  private final boolean rowCount;

  public TablePrinter(ValueFormatter values) {
    this(values, true);
  }

  /** A printer that ends each table with {@code N rows} only when {@code rowCount} is set. */
  public TablePrinter(ValueFormatter values, boolean rowCount) {
    this.values = values;
    this.rowCount = rowCount;
  }

  @Override
  public void print(ResultTable table, PrintStream out) {
    if (table.names().size() == 1 && table.rows().size() == 1) {
      Object only = table.rows().get(0).getField(0);
      if (only instanceof String && ((String) only).contains("\n")) {
        out.println(((String) only).stripTrailing());
        return;
      }
    }
    int columns = table.names().size();
    List<String[]> cells = new ArrayList<>();
    int[] width = new int[columns];
    for (int c = 0; c < columns; c++) {
      width[c] = table.names().get(c).length();
    }
    for (Row row : table.rows()) {
      String[] line = new String[columns];
      for (int c = 0; c < columns; c++) {
        Object v = row.getField(c);
        line[c] = v == null ? "NULL" : values.format(v).replace("\n", "\\n");
        width[c] = Math.max(width[c], line[c].length());
      }
      cells.add(line);
    }
    boolean[] right = new boolean[columns];
    for (int c = 0; c < columns; c++) {
      LogicalType t = table.types().get(c);
      right[c] = t.is(LogicalTypeFamily.NUMERIC);
    }
    String border = border(width);
    out.println(border);
    out.println(line(table.names().toArray(new String[0]), width, right));
    out.println(border);
    for (String[] line : cells) {
      out.println(line(line, width, right));
    }
    if (!cells.isEmpty()) {
      out.println(border);
    }
    if (rowCount) {
      int n = cells.size();
      out.println(n == 1 ? "1 row" : n + " rows");
    }
  }

  private static String border(int[] width) {
    StringBuilder sb = new StringBuilder("+");
    for (int w : width) {
      sb.append("-".repeat(w + 2)).append('+');
    }
    return sb.toString();
  }

  private static String line(String[] cells, int[] width, boolean[] right) {
    StringBuilder sb = new StringBuilder("|");
    for (int c = 0; c < cells.length; c++) {
      String pad = " ".repeat(width[c] - cells[c].length());
      sb.append(' ').append(right[c] ? pad + cells[c] : cells[c] + pad).append(" |");
    }
    return sb.toString();
  }
}
