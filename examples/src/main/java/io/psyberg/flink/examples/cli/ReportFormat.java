package io.psyberg.flink.examples.cli;

import java.util.Locale;

/** How a command prints its report: {@code --format table|json}. */
public enum ReportFormat {
  /** For people: aligned text. */
  TABLE,
  /** For scripts: one JSON object. */
  JSON;

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
