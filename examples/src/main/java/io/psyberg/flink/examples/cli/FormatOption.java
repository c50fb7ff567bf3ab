package io.psyberg.flink.examples.cli;

import picocli.CommandLine.Option;

/** The {@code --format table|json} option of commands that print a report, as a mixin. */
public final class FormatOption {

  @Option(
      names = "--format",
      paramLabel = "table|json",
      defaultValue = "table",
      description = "output format (default: ${DEFAULT-VALUE})")
  private ReportFormat format;

  /** Whether the report is wanted as JSON. */
  public boolean json() {
    return format == ReportFormat.JSON;
  }
}
