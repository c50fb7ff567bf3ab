package io.psyberg.flink.examples.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * One subcommand of the CLI. The CLI parses the arguments against {@link #options()} (plus the
 * common {@code --warehouse} and {@code --help}), handles {@code --help} and usage errors, and
 * calls {@link #execute}.
 */
public interface Command {

  /** The name users type, e.g. {@code sql}. */
  String name();

  /** One line for the command list. */
  String summary();

  /** The arguments part of the usage line, e.g. {@code (--file F | --execute STMTS)}. */
  String synopsis();

  /** Options of this command, without the common ones. */
  List<OptionSpec> options();

  /**
   * Runs the command.
   *
   * @return the exit code, see {@link ExitCodes}
   * @throws UsageException when the arguments are valid syntax but make no sense together
   * @throws CommandException when the command fails in a way the user can act on
   */
  int execute(ParsedArgs args, PrintStream out, PrintStream err) throws Exception;

  /**
   * Whether the CLI checks the arguments against {@link #options()} before {@link #execute}. Only
   * placeholders of commands to come answer {@code false}.
   */
  default boolean checksArguments() {
    return true;
  }
}
