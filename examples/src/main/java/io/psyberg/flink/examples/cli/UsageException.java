package io.psyberg.flink.examples.cli;

/**
 * Bad command-line arguments. The CLI prints the message and the command's usage to stderr and
 * exits with {@link ExitCodes#USAGE}.
 */
public final class UsageException extends Exception {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
