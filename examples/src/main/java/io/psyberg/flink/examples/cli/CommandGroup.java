package io.psyberg.flink.examples.cli;

import java.util.List;

/**
 * A command with subcommands ({@code backfill start ...}, {@code backfill status ID}): the CLI asks
 * it which subcommand the arguments name, then parses the options left against that subcommand.
 */
public interface CommandGroup extends Command {

  /**
   * The subcommand {@code args} (the arguments after the group's name) name, bound to its
   * positional arguments, and the options left to parse.
   *
   * @throws UsageException when no subcommand is named, or an unknown one
   */
  Invocation resolve(List<String> args) throws UsageException;

  /** A subcommand ready to run and the option arguments it still has to parse. */
  record Invocation(Command command, List<String> options) {}

  @Override
  default List<OptionSpec> options() {
    return List.of();
  }

  @Override
  default int execute(ParsedArgs args, java.io.PrintStream out, java.io.PrintStream err)
      throws UsageException {
    throw new UsageException("missing subcommand: " + synopsis());
  }
}
