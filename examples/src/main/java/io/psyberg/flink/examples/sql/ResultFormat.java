package io.psyberg.flink.examples.sql;

import java.util.Locale;

/** How {@code sql} prints query results: {@code --format table|csv}. */
public enum ResultFormat {
  /** Aligned columns with a border. */
  TABLE,
  /** Comma-separated values with a header row. */
  CSV;

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
