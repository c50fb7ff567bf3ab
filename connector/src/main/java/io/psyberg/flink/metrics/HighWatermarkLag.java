package io.psyberg.flink.metrics;

import javax.annotation.Nullable;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * How far a position (the snapshot read up to) is behind a table's head: the snapshots after it on
 * main's lineage, and the head's commit time minus the position's. With no position, or one no
 * longer on the lineage (expired, rolled back), every snapshot on the lineage is behind and the
 * time is measured from the oldest of them.
 */
final class HighWatermarkLag {
  final long snapshots;
  final long seconds;

  private HighWatermarkLag(long snapshots, long seconds) {
    this.snapshots = snapshots;
    this.seconds = seconds;
  }

  static HighWatermarkLag of(Table table, @Nullable Long position) {
    Snapshot head = table.currentSnapshot();
    if (head == null) {
      return new HighWatermarkLag(0, 0);
    }
    long behind = 0;
    Snapshot oldest = head;
    for (Snapshot s = head;
        s != null;
        s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
      if (position != null && s.snapshotId() == position) {
        return new HighWatermarkLag(behind, secondsBetween(s, head));
      }
      behind++;
      oldest = s;
    }
    return new HighWatermarkLag(behind, secondsBetween(oldest, head));
  }

  private static long secondsBetween(Snapshot from, Snapshot to) {
    return Math.max(0, to.timestampMillis() - from.timestampMillis()) / 1000;
  }
}
