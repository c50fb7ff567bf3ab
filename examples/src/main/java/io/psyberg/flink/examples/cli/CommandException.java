package io.psyberg.flink.examples.cli;

/**
 * A command failed for a reason the user can act on. The CLI prints the message (no stack trace)
 * and exits with {@link ExitCodes#FAILURE}.
 */
public final class CommandException extends Exception {
  private static final long serialVersionUID = 1L;

  public CommandException(String message) {
    super(message);
  }

  public CommandException(String message, Throwable cause) {
    super(message, cause);
  }
}
