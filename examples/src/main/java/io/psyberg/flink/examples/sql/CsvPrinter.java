package io.psyberg.flink.examples.sql;

import java.io.PrintStream;
import java.util.List;
import java.util.StringJoiner;
import org.apache.flink.types.Row;

/**
 * Prints rows as CSV (RFC 4180) with a header row: fields with a comma, quote or line break are
 * quoted, {@code NULL} is an empty field and an empty string is {@code ""}.
 */
public final class CsvPrinter implements ResultPrinter {
  private final ValueFormatter values;

  public CsvPrinter(ValueFormatter values) {
    this.values = values;
  }

  @Override
  public void print(ResultTable table, PrintStream out) {
    out.println(line(table.names()));
    for (Row row : table.rows()) {
      StringJoiner j = new StringJoiner(",");
      for (int c = 0; c < row.getArity(); c++) {
        Object v = row.getField(c);
        j.add(v == null ? "" : field(values.format(v)));
      }
      out.println(j);
    }
  }

  private static String line(List<String> fields) {
    StringJoiner j = new StringJoiner(",");
    fields.forEach(f -> j.add(field(f)));
    return j.toString();
  }

  static String field(String s) {
    if (s.isEmpty()) {
      return "\"\"";
    }
    boolean quote =
        s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
    return quote ? '"' + s.replace("\"", "\"\"") + '"' : s;
  }
}
