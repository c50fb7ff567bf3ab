package io.psyberg.flink.planning;

import io.psyberg.flink.session.Session;
import java.util.List;
import org.apache.flink.annotation.Internal;

/** A planned session and the snapshots (with their files) it reads, oldest first per table. */
@Internal
public final class SessionPlan {
  private final Session session;
  private final List<PlannedSnapshot> snapshots;
  private final boolean capped;

  SessionPlan(Session session, List<PlannedSnapshot> snapshots, boolean capped) {
    this.session = session;
    this.snapshots = List.copyOf(snapshots);
    this.capped = capped;
  }

  public Session session() {
    return session;
  }

  public List<PlannedSnapshot> snapshots() {
    return snapshots;
  }

  /** Whether 'max-snapshots-per-session' left newer snapshots for a later session. */
  public boolean capped() {
    return capped;
  }
}
