package io.psyberg.flink.metadata;

import org.apache.flink.annotation.Internal;

/**
 * Snapshot summary keys that psyberg writes on every commit it publishes to a target table. The
 * high watermark lives here, in the same commit as the data: this is what makes publish and HWM
 * atomic.
 */
@Internal
public final class SummaryKeys {
  public static final String PREFIX = "psyberg.";
  public static final String PROCESS_NAME = PREFIX + "process-name";

  /**
   * Comma-separated ids of the sessions this commit publishes (continuous mode may merge several).
   */
  public static final String SESSION_IDS = PREFIX + "session-ids";

  public static final String JOB_ID = PREFIX + "job-id";
  public static final String CHECKPOINT_ID = PREFIX + "checkpoint-id";

  /** Prefix of one key per source table: {@code psyberg.hwm.<namespace.table>} = snapshot id. */
  public static final String HWM_PREFIX = PREFIX + "hwm.";

  /**
   * Prefix of one key per source table: {@code psyberg.hwm-point.<namespace.table>} = the HWM
   * snapshot's {@link SnapshotPoint}, which lets a process go on once that snapshot is expired.
   */
  public static final String HWM_POINT_PREFIX = PREFIX + "hwm-point.";

  /** Value of an HWM key for a source table that had no snapshot yet. */
  public static final String NO_SNAPSHOT = "none";

  /** Marks a staged snapshot: the session whose audit decides whether it is published. */
  public static final String STAGED_SESSION = PREFIX + "staged-session";

  private SummaryKeys() {}

  public static String hwmKey(String sourceTable) {
    return HWM_PREFIX + sourceTable;
  }

  public static String hwmPointKey(String sourceTable) {
    return HWM_POINT_PREFIX + sourceTable;
  }
}
