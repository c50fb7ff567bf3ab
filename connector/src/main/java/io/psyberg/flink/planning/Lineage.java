package io.psyberg.flink.planning;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * The snapshots on main after a position, walking back from the head as far as snapshot expiry left
 * them: either the walk reaches the position (itself, or a snapshot whose parent it is, even when
 * the position's own snapshot was expired), or it stops at a gap (the oldest snapshot still there
 * has an expired parent), or at the table's first snapshot.
 */
final class Lineage {
  /** Oldest first. */
  final List<Snapshot> snapshots;

  /** Whether the walk reached the position (for a null position: the table's first snapshot). */
  final boolean reached;

  private Lineage(List<Snapshot> snapshots, boolean reached) {
    this.snapshots = snapshots;
    this.reached = reached;
  }

  static Lineage walk(Table table, Snapshot head, @Nullable Long from) {
    List<Snapshot> out = new ArrayList<>();
    boolean reached = false;
    Snapshot s = head;
    while (s != null) {
      if (from != null && s.snapshotId() == from) {
        reached = true;
        break;
      }
      out.add(s);
      Long parent = s.parentId();
      if (parent == null) {
        reached = from == null;
        break;
      }
      if (parent.equals(from)) {
        reached = true;
        break;
      }
      s = table.snapshot(parent);
    }
    Collections.reverse(out);
    return new Lineage(out, reached);
  }

  /** The walk stopped at an expired parent: the oldest snapshot still there. */
  @Nullable
  Snapshot oldestAfterGap() {
    if (reached || snapshots.isEmpty()) {
      return null;
    }
    Snapshot oldest = snapshots.get(0);
    return oldest.parentId() == null ? null : oldest;
  }
}
