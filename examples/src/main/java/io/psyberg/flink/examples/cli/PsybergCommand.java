package io.psyberg.flink.examples.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Base of every command: picocli fills the annotated options, the CLI hands over its output
 * streams, and {@link #execute} returns the exit code ({@link ExitCodes}).
 */
public abstract class PsybergCommand implements Callable<Integer> {
  /** How users start the CLI; the first word of every usage line. */
  public static final String PROGRAM = "java -jar psyberg-examples.jar";

  @Spec private CommandSpec spec;
  private PrintStream out = System.out;
  private PrintStream err = System.err;

  void streams(PrintStream newOut, PrintStream newErr) {
    this.out = newOut;
    this.err = newErr;
  }

  /** The command's model: its name, options and place in the command tree. */
  protected CommandSpec spec() {
    return spec;
  }

  protected PrintStream out() {
    return out;
  }

  protected PrintStream err() {
    return err;
  }

  @Override
  public final Integer call() throws Exception {
    try {
      return execute(out, err);
    } catch (LinkageError e) {
      // Picocli passes exceptions, not errors, to the CLI's failure handler (a missing class on
      // an unsupported JDK is one of these).
      throw new IllegalStateException(e.toString(), e);
    }
  }

  /**
   * Runs the command with its options set.
   *
   * @return the exit code, see {@link ExitCodes}
   * @throws UsageException when the options are valid one by one but make no sense (exit 2)
   * @throws CommandException when the command fails in a way the user can act on (exit 1)
   */
  protected abstract int execute(PrintStream out, PrintStream err) throws Exception;
}
