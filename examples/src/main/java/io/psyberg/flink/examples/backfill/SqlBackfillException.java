package io.psyberg.flink.examples.backfill;

/**
 * A {@code --job sql} backfill cannot go on for a reason in its script or its file; the message
 * names the file (and statement) and what to change.
 */
public final class SqlBackfillException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SqlBackfillException(String message) {
    super(message);
  }
}
