package io.psyberg.flink.session;

import org.apache.flink.annotation.PublicEvolving;

/** Life of a session, as recorded in {@code psyberg.sessions}. */
@PublicEvolving
public enum SessionStatus {
  /** Planned by the source; its data is being read and written. */
  PLANNED,
  /** Written and staged as an unpublished snapshot; audits are running. */
  STAGED,
  /** Audited and published to main together with the new high watermark. */
  PUBLISHED,
  /** Nothing new in any source table: nothing to publish. */
  EMPTY,
  /** An error-severity audit failed: nothing was published and the high watermark did not move. */
  AUDIT_FAILED,
  /** The session failed for another reason; nothing was published. */
  FAILED,
  /** The session was given up because another run had published its range first. */
  ABORTED;

  /** Whether the session has ended and will never change again. */
  public boolean isFinal() {
    return this != PLANNED && this != STAGED;
  }
}
