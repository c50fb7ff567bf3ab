package io.psyberg.flink.examples.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How errors reach users: a usage error prints {@code psyberg <command>: <what is wrong>},
 * picocli's suggestions for a typo and the command's usage, and exits 2; a failed command prints
 * {@code ERROR: <message>} without a stack trace and exits 1. Arguments that may hold a secret are
 * never echoed.
 */
final class ErrorReporter implements IParameterExceptionHandler, IExecutionExceptionHandler {

  @Override
  public int handleParseException(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    ParameterException shown = e;
    List<String> unmatched = command.getUnmatchedArguments();
    if (e instanceof MissingParameterException && !unmatched.isEmpty()) {
      // A mistyped option also leaves its option missing: the typo is what to report.
      shown = new UnmatchedArgumentException(command, unmatched);
    }
    PrintWriter err = command.getErr();
    err.println(prefix(command) + ": " + message(shown));
    suggest(shown, err);
    err.print(command.getUsageMessage());
    err.flush();
    return ExitCodes.USAGE;
  }

  @Override
  public int handleExecutionException(Exception e, CommandLine command, ParseResult parsed) {
    PrintWriter err = command.getErr();
    if (e instanceof UsageException) {
      err.println(prefix(command) + ": " + e.getMessage());
      err.print(command.getUsageMessage());
      err.flush();
      return ExitCodes.USAGE;
    }
    if (e instanceof CommandException) {
      err.println("ERROR: " + e.getMessage() + ErrorMessages.javaVersionHint());
    } else {
      err.println(
          "ERROR: "
              + path(command.getCommandSpec())
              + " failed: "
              + ErrorMessages.describe(e)
              + ErrorMessages.javaVersionHint());
    }
    err.flush();
    return ExitCodes.FAILURE;
  }

  /**
   * Picocli's suggestions for a typo: its own line for options ({@code Possible solutions:
   * --table}); for commands, the names alone (picocli would repeat the whole program name).
   */
  private static void suggest(ParameterException e, PrintWriter err) {
    if (e instanceof UnmatchedArgumentException unmatched
        && !unmatched.isUnknownOption()
        && !unmatched.getSuggestions().isEmpty()) {
      err.println("Did you mean: " + String.join(" or ", unmatched.getSuggestions()) + "?");
    } else {
      UnmatchedArgumentException.printSuggestions(e, err);
    }
  }

  private static String message(ParameterException e) {
    if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
      String first = unmatched.getUnmatched().get(0);
      CommandSpec spec = e.getCommandLine().getCommandSpec();
      if (first.startsWith("-")) {
        int eq = first.indexOf('=');
        return "unknown option '" + (eq > 0 ? first.substring(0, eq) : first) + "'";
      }
      if (!spec.subcommands().isEmpty()) {
        return (spec.parent() == null ? "unknown command " : "unknown subcommand ")
            + CatalogOptions.shown(first);
      }
      return "unexpected argument " + CatalogOptions.shown(first) + " (options start with --)";
    }
    if (e instanceof MissingParameterException missing
        && !e.getMessage().startsWith("Missing required parameter for option")) {
      // Picocli names a required option with its value label; users need its name only.
      return missing(missing.getMissing());
    }
    return e.getMessage();
  }

  private static String missing(List<ArgSpec> specs) {
    List<String> options = new ArrayList<>();
    List<String> parameters = new ArrayList<>();
    for (ArgSpec spec : specs) {
      if (spec instanceof OptionSpec option) {
        options.add("'" + option.longestName() + "'");
      } else {
        parameters.add(spec.paramLabel());
      }
    }
    if (!options.isEmpty()) {
      return (options.size() == 1 ? "missing required option " : "missing required options ")
          + String.join(", ", options);
    }
    return "missing required parameter " + String.join(" ", parameters);
  }

  /** {@code psyberg backfill start}: the command as users typed it, for error lines. */
  private static String prefix(CommandLine command) {
    String path = path(command.getCommandSpec());
    return path.isEmpty() ? "psyberg" : "psyberg " + path;
  }

  private static String path(CommandSpec spec) {
    List<String> names = new ArrayList<>();
    for (CommandSpec s = spec; s.parent() != null; s = s.parent()) {
      names.add(0, s.name());
    }
    return names.stream().collect(Collectors.joining(" "));
  }
}
