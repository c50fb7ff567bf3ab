package io.psyberg.flink.examples;

import io.psyberg.flink.examples.backfill.BackfillCommand;
import io.psyberg.flink.examples.changes.CaptureCommand;
import io.psyberg.flink.examples.changes.CommitCommand;
import io.psyberg.flink.examples.changes.PendingCommand;
import io.psyberg.flink.examples.cli.CliSetup;
import io.psyberg.flink.examples.cli.CompletionCommand;
import io.psyberg.flink.examples.cli.ExitCodes;
import io.psyberg.flink.examples.cli.PsybergCommand;
import io.psyberg.flink.examples.cli.UsageException;
import io.psyberg.flink.examples.cli.VersionInfo;
import io.psyberg.flink.examples.demo.DemoCommand;
import io.psyberg.flink.examples.generate.GenerateCommand;
import io.psyberg.flink.examples.lifecycle.LifecycleCommand;
import io.psyberg.flink.examples.sessions.DropProcessCommand;
import io.psyberg.flink.examples.sessions.SessionsCommand;
import io.psyberg.flink.examples.signups.SignupsCommand;
import io.psyberg.flink.examples.sql.SqlCommand;
import java.io.PrintStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.ScopeType;

/**
 * The command line of the examples: {@code java -jar psyberg-examples.jar <command> [options]}.
 * {@link #run} returns the exit code instead of exiting, so tests call it in-process.
 */
@Command(
    name = PsybergCommand.PROGRAM,
    synopsisSubcommandLabel = "<command>",
    customSynopsis = PsybergCommand.PROGRAM + " <command> [options]",
    description = {
      "Incremental, audited pipelines on Flink over Iceberg: the examples and tools.",
      "",
      "Every command takes the catalog options --warehouse DIR|URI (default ./psyberg-warehouse,"
          + " an embedded local catalog), --catalog-type hadoop|jdbc|rest|hive, --uri URI,"
          + " --catalog-option KEY=VALUE (repeatable) and --catalog-conf FILE, and --help."
          + " Try: completion --help, for shell completion."
    },
    commandListHeading = "%nCommands:%n",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done (an empty result included)",
      "1:the command failed",
      "2:bad arguments: nothing was run"
    },
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = VersionInfo.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    usageHelpWidth = 100,
    subcommands = {
      DemoCommand.class,
      SqlCommand.class,
      GenerateCommand.class,
      SignupsCommand.class,
      LifecycleCommand.class,
      SessionsCommand.class,
      DropProcessCommand.class,
      CaptureCommand.class,
      CommitCommand.class,
      PendingCommand.class,
      BackfillCommand.class,
      CompletionCommand.class,
      HelpCommand.class
    })
public final class PsybergCli extends PsybergCommand {

  public static void main(String[] args) {
    System.exit(new PsybergCli().run(args, System.out, System.err));
  }

  /**
   * Runs one command.
   *
   * @return {@link ExitCodes#OK}, {@link ExitCodes#FAILURE} when the command failed, {@link
   *     ExitCodes#USAGE} for bad arguments, or a command's own code (pending: 3)
   */
  public int run(String[] args, PrintStream out, PrintStream err) {
    try {
      return CliSetup.commandLine(this, out, err).execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  @Override
  protected int execute(PrintStream out, PrintStream err) throws UsageException {
    throw new UsageException("missing command.");
  }
}
