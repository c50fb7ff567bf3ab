package io.psyberg.flink.backfill;

import org.apache.flink.annotation.PublicEvolving;

/** Where a managed backfill stands (DESIGN section 13). */
@PublicEvolving
public enum BackfillStatus {
  /** Recorded, source snapshots fixed, branches created; no chunk written yet. */
  STARTED,
  /** Writing chunks into its branches. */
  RUNNING,
  /** Every chunk is committed on the branches. */
  BUILT,
  /** Audited and compared with main; ready to publish. */
  VALIDATED,
  /** Its rows replaced the range on main. */
  PUBLISHED,
  /** Dropped by the user: branches removed, main untouched. */
  ABORTED,
  /** A chunk failed; {@code backfill resume} continues after the last committed chunk. */
  FAILED;

  /** Whether chunks may still be written (start or resume). */
  public boolean canBuild() {
    return this == STARTED || this == RUNNING || this == FAILED;
  }

  /** Whether the backfill is over (published or aborted) and nothing more may change it. */
  public boolean isFinal() {
    return this == PUBLISHED || this == ABORTED;
  }
}
