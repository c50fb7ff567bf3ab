package io.psyberg.flink.examples;

import io.psyberg.flink.examples.backfill.BackfillCommand;
import io.psyberg.flink.examples.changes.CaptureCommand;
import io.psyberg.flink.examples.changes.CommitCommand;
import io.psyberg.flink.examples.changes.PendingCommand;
import io.psyberg.flink.examples.cli.CatalogArgs;
import io.psyberg.flink.examples.cli.Command;
import io.psyberg.flink.examples.cli.CommandException;
import io.psyberg.flink.examples.cli.CommandGroup;
import io.psyberg.flink.examples.cli.ErrorMessages;
import io.psyberg.flink.examples.cli.ExitCodes;
import io.psyberg.flink.examples.cli.OptionSpec;
import io.psyberg.flink.examples.cli.ParsedArgs;
import io.psyberg.flink.examples.cli.Usage;
import io.psyberg.flink.examples.cli.UsageException;
import io.psyberg.flink.examples.demo.DemoCommand;
import io.psyberg.flink.examples.generate.GenerateCommand;
import io.psyberg.flink.examples.lifecycle.LifecycleCommand;
import io.psyberg.flink.examples.sessions.DropProcessCommand;
import io.psyberg.flink.examples.sessions.SessionsCommand;
import io.psyberg.flink.examples.signups.SignupsCommand;
import io.psyberg.flink.examples.sql.SqlCommand;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The command line of the examples: {@code java -jar psyberg-examples.jar <command> [options]}.
 * {@link #run} returns the exit code instead of exiting, so tests call it in-process.
 */
public final class PsybergCli {

  /** Options every command takes. */
  public static final List<OptionSpec> COMMON_OPTIONS =
      Stream.concat(
              CatalogArgs.OPTIONS.stream(),
              Stream.of(OptionSpec.flag("help", "show this help and exit")))
          .collect(Collectors.toUnmodifiableList());

  private final Map<String, Command> commands = new LinkedHashMap<>();

  /** A CLI with all commands of this build. */
  public PsybergCli() {
    register(new DemoCommand());
    register(new SqlCommand());
    register(new GenerateCommand());
    register(new SignupsCommand());
    register(new LifecycleCommand());
    register(new SessionsCommand());
    register(new DropProcessCommand());
    register(new CaptureCommand());
    register(new CommitCommand());
    register(new PendingCommand());
    register(new BackfillCommand());
  }

  private void register(Command command) {
    commands.put(command.name(), command);
  }

  public static void main(String[] args) {
    System.exit(new PsybergCli().run(args, System.out, System.err));
  }

  /**
   * Runs one command.
   *
   * @return {@link ExitCodes#OK}, {@link ExitCodes#FAILURE} when the command failed, or {@link
   *     ExitCodes#USAGE} for bad arguments
   */
  public int run(String[] args, PrintStream out, PrintStream err) {
    try {
      return dispatch(args, out, err);
    } finally {
      out.flush();
      err.flush();
    }
  }

  private int dispatch(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      err.println("psyberg: missing command.");
      err.print(Usage.ofProgram(commands.values()));
      return ExitCodes.USAGE;
    }
    String name = args[0];
    if (name.equals("--help") || name.equals("-h") || name.equals("help")) {
      out.print(Usage.ofProgram(commands.values()));
      return ExitCodes.OK;
    }
    Command command = commands.get(name);
    if (command == null) {
      err.println("psyberg: unknown command '" + name + "'.");
      err.print(Usage.ofProgram(commands.values()));
      return ExitCodes.USAGE;
    }
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    if (command instanceof CommandGroup group && !rest.isEmpty() && !rest.get(0).startsWith("-")) {
      try {
        CommandGroup.Invocation invocation = group.resolve(rest);
        command = invocation.command();
        rest = invocation.options();
      } catch (UsageException e) {
        return usageError(name, e, Usage.of(command, COMMON_OPTIONS), err);
      }
    }
    String usage = Usage.of(command, COMMON_OPTIONS);
    boolean helpWanted = rest.contains("--help") || rest.contains("-h");
    ParsedArgs parsed;
    try {
      parsed =
          command.checksArguments()
              ? ParsedArgs.parse(withCommonOptions(command), rest)
              : ParsedArgs.parse(List.of(), List.of());
    } catch (UsageException e) {
      return helpWanted ? help(usage, out) : usageError(name, e, usage, err);
    }
    // helpWanted alone could also mean "--help" given as the value of an option.
    if (helpWanted && (parsed.has("help") || !command.checksArguments())) {
      return help(usage, out);
    }
    try {
      return command.execute(parsed, out, err);
    } catch (UsageException e) {
      return usageError(name, e, usage, err);
    } catch (CommandException e) {
      err.println("ERROR: " + e.getMessage() + ErrorMessages.javaVersionHint());
      return ExitCodes.FAILURE;
    } catch (Exception | LinkageError e) {
      err.println(
          "ERROR: "
              + name
              + " failed: "
              + ErrorMessages.describe(e)
              + ErrorMessages.javaVersionHint());
      return ExitCodes.FAILURE;
    }
  }

  private static int help(String usage, PrintStream out) {
    out.print(usage);
    return ExitCodes.OK;
  }

  private static int usageError(String name, UsageException e, String usage, PrintStream err) {
    err.println("psyberg " + name + ": " + e.getMessage());
    err.print(usage);
    return ExitCodes.USAGE;
  }

  private static List<OptionSpec> withCommonOptions(Command command) {
    List<OptionSpec> all = new ArrayList<>(command.options());
    all.addAll(COMMON_OPTIONS);
    return all;
  }
}
