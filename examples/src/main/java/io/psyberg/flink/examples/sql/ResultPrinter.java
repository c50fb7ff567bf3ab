package io.psyberg.flink.examples.sql;

import java.io.PrintStream;

/** Prints a {@link ResultTable} in one output format. */
public interface ResultPrinter {

  void print(ResultTable table, PrintStream out);

  /** The printer for a {@code --format} value: {@code table} or {@code csv}. */
  static ResultPrinter forFormat(String format, ValueFormatter values) {
    switch (format) {
      case "table":
        return new TablePrinter(values);
      case "csv":
        return new CsvPrinter(values);
      default:
        throw new IllegalArgumentException("unknown format " + format);
    }
  }
}
