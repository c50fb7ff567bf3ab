package io.psyberg.flink.examples.cli;

/** Exit codes of the command line. */
public final class ExitCodes {
  /** The command did what it was asked (an empty result included). */
  public static final int OK = 0;

  /** The command ran and failed: a SQL statement, a job, a table. */
  public static final int FAILURE = 1;

  /** The arguments were wrong, or the command is not available: nothing was run. */
  public static final int USAGE = 2;

  private ExitCodes() {}
}
