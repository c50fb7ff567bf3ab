package io.psyberg.flink.changes;

import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SourceRange;
import org.apache.flink.annotation.PublicEvolving;

/**
 * The result of a capture: the session (as recorded in {@code psyberg.sessions}), the change table
 * whose current snapshot references its new data files, that snapshot, and whether the capture
 * returned a session captured earlier and not committed yet.
 */
@PublicEvolving
public final class CapturedSession {
  private final Session session;
  private final String changeTable;
  private final long changeSnapshotId;
  private final boolean repeated;

  CapturedSession(Session session, String changeTable, long changeSnapshotId, boolean repeated) {
    this.session = session;
    this.changeTable = changeTable;
    this.changeSnapshotId = changeSnapshotId;
    this.repeated = repeated;
  }

  public Session session() {
    return session;
  }

  public String sessionId() {
    return session.sessionId();
  }

  /** The session's range of its (single) source table. */
  public SourceRange range() {
    return session.ranges().get(0);
  }

  /** The change table as {@code namespace.table}. */
  public String changeTable() {
    return changeTable;
  }

  /** The change table's snapshot that holds the session's new data files. */
  public long changeSnapshotId() {
    return changeSnapshotId;
  }

  /** Whether this is a session captured before and not committed yet (nothing new was planned). */
  public boolean repeated() {
    return repeated;
  }

  /** Whether the session has new snapshots to process; an empty one needs no commit. */
  public boolean hasNewData() {
    return session.hasNewSnapshots();
  }

  /** The target branch the user's job writes this session's output to. */
  public String auditBranch() {
    return ChangeCommit.auditBranchOf(session.sessionId());
  }
}
