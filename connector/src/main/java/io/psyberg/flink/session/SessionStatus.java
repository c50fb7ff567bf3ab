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

  /**
   * Whether the session may still be published: planned, staged, or failed an audit (its job audits
   * it again when it restarts). A session that is published, empty or given up is not open.
   */
  public boolean isOpen() {
    return this == PLANNED || this == STAGED || this == AUDIT_FAILED;
  }

  /**
   * Whether the sink hands the session to the publisher once its rows are committed: an open
   * session is published; a {@code PUBLISHED} one is recognised on the target, so a replay after a
   * restore only completes its metadata. Empty and given-up sessions are never published.
   */
  public boolean isPublishable() {
    return isOpen() || this == PUBLISHED;
  }
}
