package io.psyberg.flink.planning;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.metadata.SnapshotPoint;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * For code that re-reads a planned source range (e.g. the row-count audit): where snapshot expiry
 * cut the range's history (or removed its start), the oldest snapshot left in the range and the
 * files the planner read there; {@code appendsBetween(oldest, to)} reads the rest. Empty when the
 * range's snapshots are all there, so {@code appendsBetween(from, to)} reads the same rows.
 */
@Internal
public final class SourceHistory {
  /** The oldest snapshot left in the range and the files new since the range's start there. */
  public static final class Stretch {
    public final long oldestSnapshotId;
    public final Set<String> newFilePaths;

    /** How the files live there were told apart, when snapshots after 'from' were expired too. */
    @Nullable final ExpiredStretch expired;

    Stretch(long oldestSnapshotId, Set<String> newFilePaths, @Nullable ExpiredStretch expired) {
      this.oldestSnapshotId = oldestSnapshotId;
      this.newFilePaths = newFilePaths;
      this.expired = expired;
    }
  }

  private SourceHistory() {}

  public static Optional<Stretch> expiredStretch(
      Table table, String name, long fromSnapshotId, long toSnapshotId) {
    return expiredStretch(
        table,
        name,
        fromSnapshotId,
        toSnapshotId,
        () ->
            new PsybergException(
                String.format(
                    "Snapshot %d of %s, the start of the session's range, was expired and its"
                        + " sequence number is not recorded; cannot count the session's source"
                        + " rows.",
                    fromSnapshotId, name)));
  }

  /** As above; {@code unrecorded} is the error when 'from' is expired without a recorded point. */
  static Optional<Stretch> expiredStretch(
      Table table,
      String name,
      long fromSnapshotId,
      long toSnapshotId,
      Supplier<PsybergException> unrecorded) {
    Snapshot to = table.snapshot(toSnapshotId);
    if (to == null) {
      throw new PsybergException(
          String.format(
              "Snapshot %d of %s, the end of the session's range, was expired before the session"
                  + " was audited; re-run to plan a new session.",
              toSnapshotId, name));
    }
    Lineage lineage = Lineage.walk(table, to, fromSnapshotId);
    if (lineage.reached) {
      if (table.snapshot(fromSnapshotId) != null || lineage.snapshots.isEmpty()) {
        return Optional.empty();
      }
      // Only 'from' itself was expired: the range's first snapshot adds its own files.
      Snapshot first = lineage.snapshots.get(0);
      Set<String> paths = new HashSet<>();
      if (DataOperations.APPEND.equals(first.operation())) {
        first.addedDataFiles(table.io()).forEach(f -> paths.add(f.path().toString()));
      }
      return Optional.of(new Stretch(first.snapshotId(), paths, null));
    }
    Snapshot oldest = lineage.oldestAfterGap();
    if (oldest == null) {
      return Optional.empty();
    }
    SnapshotPoint point = SnapshotPoint.lookup(table, name, fromSnapshotId).orElseThrow(unrecorded);
    ExpiredStretch expired = ExpiredStretch.at(table, oldest, point);
    Set<String> paths = new HashSet<>();
    for (DataFile f : expired.newFiles) {
      paths.add(f.path().toString());
    }
    return Optional.of(new Stretch(oldest.snapshotId(), paths, expired));
  }
}
