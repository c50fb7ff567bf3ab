package io.psyberg.flink.examples.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Formats usage texts for the CLI and its commands. */
public final class Usage {
  /** How users start the CLI. */
  public static final String PROGRAM = "java -jar psyberg-examples.jar";

  private Usage() {}

  /** The usage of one command: its synopsis, summary and options (common ones included). */
  public static String of(Command command, List<OptionSpec> commonOptions) {
    StringBuilder sb = new StringBuilder();
    sb.append("Usage: ").append(PROGRAM).append(' ').append(command.name());
    if (!command.synopsis().isEmpty()) {
      sb.append(' ').append(command.synopsis());
    }
    sb.append(" [catalog options]\n\n").append(command.summary()).append("\n\nOptions:\n");
    List<OptionSpec> all = new ArrayList<>(command.options());
    all.addAll(commonOptions);
    int width = all.stream().mapToInt(o -> o.synopsis().length()).max().orElse(0) + 2;
    for (OptionSpec o : all) {
      sb.append("  ").append(pad(o.synopsis(), width)).append(o.description());
      if (o.defaultValue() != null) {
        sb.append(" (default: ").append(o.defaultValue()).append(')');
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** The usage of the CLI as a whole: the list of commands. */
  public static String ofProgram(Collection<Command> commands) {
    StringBuilder sb = new StringBuilder();
    sb.append("Usage: ").append(PROGRAM).append(" <command> [options]\n\nCommands:\n");
    int width = commands.stream().mapToInt(c -> c.name().length()).max().orElse(0) + 2;
    for (Command c : commands) {
      sb.append("  ").append(pad(c.name(), width)).append(c.summary()).append('\n');
    }
    sb.append(
        "\nEvery command takes the catalog options --warehouse DIR|URI (default"
            + " ./psyberg-warehouse, an embedded local catalog), --catalog-type"
            + " hadoop|jdbc|rest|hive, --uri URI, --catalog-option KEY=VALUE (repeatable) and"
            + " --catalog-conf FILE, and --help.\n");
    return sb.toString();
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
  }
}
