package io.psyberg.flink.planning;

/**
 * What to do when a process's high-watermark snapshot is no longer an ancestor of the source
 * table's main branch (expired, or the table was rolled back): fail by default, or reprocess from
 * the earliest snapshot still there.
 */
public enum OnLostHighWatermark {
  FAIL,
  EARLIEST
}
