package io.psyberg.flink.sink;

/** How a session's rows land in the target table. */
public enum WriteMode {
  /** Add the rows. */
  APPEND,
  /**
   * Replace rows with the same key (the table's identifier fields or the DDL primary key); for
   * corrections.
   */
  UPSERT,
  /**
   * Replace the target rows inside the session's change range with the new rows (recompute a
   * window).
   */
  OVERWRITE_RANGE
}
