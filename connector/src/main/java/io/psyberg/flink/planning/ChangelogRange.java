package io.psyberg.flink.planning;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.metadata.SnapshotPoint;
import io.psyberg.flink.session.ChangeRange;
import io.psyberg.flink.session.SourceRange;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plans one source table's range for a process that reads changes ({@code non-append-snapshots} =
 * {@code changelog}): every snapshot but {@code replace} becomes its per-file changes against its
 * parent. Where expiry cut the history inside the range (the start is still there, snapshots after
 * it are not), the stretch up to the oldest snapshot after the cut is one net difference of the
 * files live at the two. Where the start itself is gone and its changes need it, the changes cannot
 * be told; that fails, or by {@code on-lost-hwm} starts over from the oldest snapshot's live rows
 * as inserts.
 */
final class ChangelogRange {
  private static final Logger LOG = LoggerFactory.getLogger(ChangelogRange.class);

  /** Recorded on a keyless table's ranges: what a reader of the session log needs to know. */
  static final String KEYLESS_NOTE =
      "changelog without a key (no identifier fields or 'changelog-key'): updates come as -D/+I,"
          + " not -U/+U";

  private ChangelogRange() {}

  private static boolean keyless(SessionSettings settings, Table table) {
    return settings.changelogKey().isEmpty() && table.schema().identifierFieldIds().isEmpty();
  }

  static SessionPlanner.TableRange plan(
      SessionSettings settings,
      LostHistory history,
      String name,
      Table table,
      @Nullable Long from,
      Lineage lineage) {
    boolean restart = false;
    // Expiry cut the history inside the range: the last state before the cut is the range's start.
    Snapshot beforeGap = null;
    if (!lineage.reached) {
      beforeGap = from == null || lineage.oldestAfterGap() == null ? null : table.snapshot(from);
      if (beforeGap == null) {
        if (from != null) {
          history.lost(name, table, from, true);
        }
        // Earliest start (or on-lost-hwm allows it): the oldest snapshot left is read whole.
        restart = true;
      } else {
        LOG.info(
            "Process {}: snapshots of {} between {} and {} were expired; reading the net"
                + " difference of the files live at the two.",
            settings.processName(),
            name,
            from,
            lineage.snapshots.get(0).snapshotId());
      }
    }
    List<Snapshot> range = new ArrayList<>(lineage.snapshots);
    boolean capped = false;
    int cap = settings.maxSnapshotsPerSession();
    if (cap > 0 && range.size() > cap) {
      range = range.subList(0, cap);
      capped = true;
    }
    List<PlannedSnapshot> planned = new ArrayList<>();
    List<DataFile> files = new ArrayList<>();
    long records = 0;
    for (int i = 0; i < range.size(); i++) {
      Snapshot s = range.get(i);
      List<FileChange> changes;
      if (i == 0 && restart) {
        changes = SnapshotChanges.fullState(table, s);
      } else if (i == 0 && beforeGap != null) {
        // Whatever its operation: the diff holds the expired snapshots' changes too.
        changes = SnapshotChanges.between(table, beforeGap, s);
      } else if (DataOperations.REPLACE.equals(s.operation())) {
        continue; // compaction: the same rows in other files
      } else {
        changes = SnapshotChanges.of(table, s);
        if (changes == null) {
          // Only the range's first snapshot can have an expired parent: the high watermark.
          lostParent(settings, name, s);
          changes = SnapshotChanges.fullState(table, s);
        }
      }
      for (FileChange c : changes) {
        files.add(c.file());
        records += c.file().recordCount();
      }
      planned.add(new PlannedSnapshot(name, table, s, changes));
    }
    Snapshot last = range.get(range.size() - 1);
    SnapshotPoint.of(last).ifPresent(p -> SnapshotPoint.remember(name, p));
    String column = settings.changeRangeColumn();
    ChangeRange change =
        column == null || table.schema().findField(column) == null
            ? null
            : ChangeRanges.of(table.schema(), column, files);
    SourceRange sourceRange =
        new SourceRange(
            name,
            from,
            last.snapshotId(),
            range.size(),
            0,
            files.size(),
            records,
            change,
            last.timestampMillis(),
            keyless(settings, table) ? KEYLESS_NOTE : null);
    return new SessionPlanner.TableRange(sourceRange, planned, capped);
  }

  private static void lostParent(SessionSettings settings, String name, Snapshot s) {
    if (settings.onLostHighWatermark() == OnLostHighWatermark.FAIL) {
      throw new PsybergException(
          String.format(
              "Process %s: source table %s: snapshot %d removed or deleted rows, and the snapshot"
                  + " before it (%d, the high watermark) was expired, so the rows it removed can"
                  + " no longer be read and its changes cannot be told. Nothing was read or"
                  + " published. Set 'on-lost-hwm' = 'reprocess-by-key' (or 'earliest') to"
                  + " re-read every live row of snapshot %d as inserts (a keyed upsert target"
                  + " absorbs them, but rows deleted meanwhile stay there: rebuild it to drop"
                  + " them); to avoid this, expire a source's snapshots only after the process has"
                  + " read them.",
              settings.processName(), name, s.snapshotId(), s.parentId(), s.snapshotId()));
    }
    LOG.warn(
        "Process {}: the parent of snapshot {} of {} was expired; reading its live rows as inserts"
            + " ('on-lost-hwm' = '{}').",
        settings.processName(),
        s.snapshotId(),
        name,
        settings.onLostHighWatermark());
  }
}
