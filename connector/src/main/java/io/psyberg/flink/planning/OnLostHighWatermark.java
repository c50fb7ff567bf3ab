package io.psyberg.flink.planning;

/**
 * What to do when the history of a source table cannot say which rows are new since a process's
 * high watermark: its snapshot is no longer an ancestor of main (rolled back), it was expired
 * without a recorded sequence number, or a compaction mixed processed and new rows in snapshots
 * expired before they were read. Fail by default; the other two reprocess every live row of the
 * table, which a keyed (upsert) target absorbs and an append target doubles.
 */
public enum OnLostHighWatermark {
  FAIL,
  EARLIEST,
  /** Reprocess every live row, meant for targets with a key (write-mode upsert). */
  REPROCESS_BY_KEY
}
