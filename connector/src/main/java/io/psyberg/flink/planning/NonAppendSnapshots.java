package io.psyberg.flink.planning;

/**
 * What to do with overwrite or delete snapshots in a source range: incremental processing only sees
 * appended rows, so by default such a snapshot stops the session with an error that names it.
 * Replace snapshots (compaction) add no rows and are always skipped.
 */
public enum NonAppendSnapshots {
  /** Fail the session, naming the table, snapshot id and operation. */
  FAIL,
  /** Skip the snapshot, log it and count it on the session. */
  SKIP
}
