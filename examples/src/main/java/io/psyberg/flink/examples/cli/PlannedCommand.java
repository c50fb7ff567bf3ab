package io.psyberg.flink.examples.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * A command whose name and usage are reserved but which this build does not implement yet: it
 * answers {@code --help} and otherwise fails with {@link ExitCodes#USAGE}.
 */
public final class PlannedCommand implements Command {
  private final String name;
  private final String summary;
  private final String synopsis;

  public PlannedCommand(String name, String summary, String synopsis) {
    this.name = name;
    this.summary = summary;
    this.synopsis = synopsis;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String summary() {
    return summary + " (not available in this build yet)";
  }

  @Override
  public String synopsis() {
    return synopsis;
  }

  @Override
  public List<OptionSpec> options() {
    return List.of();
  }

  @Override
  public boolean checksArguments() {
    return false;
  }

  @Override
  public int execute(ParsedArgs args, PrintStream out, PrintStream err) {
    err.println(
        "psyberg: command '" + name + "' is not available in this build yet. Available now:"
            + " sql, generate, signups, sessions.");
    return ExitCodes.USAGE;
  }
}
