package io.psyberg.flink.examples.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Builds the picocli command line of the CLI: streams, help layout, choices, error reporting. */
public final class CliSetup {

  private CliSetup() {}

  /**
   * A command line over {@code root} (a command whose subcommands picocli makes from its
   * annotations) that writes to {@code out} and {@code err}.
   */
  public static CommandLine commandLine(PsybergCommand root, PrintStream out, PrintStream err) {
    root.streams(out, err);
    CommandLine cli = new CommandLine(root, new CommandFactory(out, err));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    // An argument starting with '@' is a value (a SQL statement may hold one), not a file to
    // expand.
    cli.setExpandAtFiles(false);
    cli.setHelpFactory(new HelpLayout());
    ErrorReporter errors = new ErrorReporter();
    cli.setParameterExceptionHandler(errors);
    cli.setExecutionExceptionHandler(errors);
    ChoiceConverter.registerAll(cli);
    NumberConverters.registerAll(cli);
    return cli;
  }
}
