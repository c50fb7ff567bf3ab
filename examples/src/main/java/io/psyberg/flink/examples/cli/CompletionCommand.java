package io.psyberg.flink.examples.cli;

import java.io.PrintStream;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code completion}: prints a bash (and zsh) completion script for the command tree, for a short
 * command name users alias to the jar.
 */
@Command(
    name = "completion",
    description = {
      "Prints a bash/zsh completion script for commands, options and choice values.",
      "Use it with an alias:",
      "  alias psyberg='java -jar examples/target/psyberg-examples.jar'",
      "  source <(psyberg completion)"
    },
    customSynopsis = "${COMMAND-FULL-NAME} [--name NAME]")
public final class CompletionCommand extends PsybergCommand {

  @Option(
      names = "--name",
      paramLabel = "NAME",
      defaultValue = "psyberg",
      description = "the command name the script completes (default: ${DEFAULT-VALUE})")
  private String name;

  @Override
  protected int execute(PrintStream out, PrintStream err) throws UsageException {
    if (!name.matches("[A-Za-z0-9_.\\-]+")) {
      throw new UsageException(
          "option '--name' must be a command name (letters, digits, '_', '-', '.'), got '"
              + name
              + "'");
    }
    out.print(AutoComplete.bash(name, spec().root().commandLine()));
    return ExitCodes.OK;
  }
}
