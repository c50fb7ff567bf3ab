package io.psyberg.flink.planning;

import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * One snapshot of a source range to read: the data files it appended, with their metrics, or, when
 * the process reads changes, how it changed the live rows of each data file it touched.
 */
@Internal
public final class PlannedSnapshot {
  private final String table;
  private final long snapshotId;
  private final long committedAtMillis;
  private final List<DataFile> files;
  private final Table source;
  private final boolean changelog;
  private final List<FileChange> changes;

  PlannedSnapshot(
      String table, Table source, long snapshotId, long committedAtMillis, List<DataFile> files) {
    this.table = table;
    this.source = source;
    this.snapshotId = snapshotId;
    this.committedAtMillis = committedAtMillis;
    this.files = List.copyOf(files);
    this.changelog = false;
    this.changes = List.of();
  }

  PlannedSnapshot(String table, Table source, Snapshot snapshot, List<FileChange> changes) {
    this.table = table;
    this.source = source;
    this.snapshotId = snapshot.snapshotId();
    this.committedAtMillis = snapshot.timestampMillis();
    this.changes = List.copyOf(changes);
    this.files = changes.stream().map(FileChange::file).toList();
    this.changelog = true;
  }

  /** Whether this snapshot is read as changes ({@link #changes()}) rather than appended files. */
  public boolean changelog() {
    return changelog;
  }

  /** Changelog reads: how the snapshot changed each data file it touched. */
  public List<FileChange> changes() {
    return changes;
  }

  public String table() {
    return table;
  }

  /** The loaded source table (schema and specs the files were written with). */
  public Table source() {
    return source;
  }

  public long snapshotId() {
    return snapshotId;
  }

  public long committedAtMillis() {
    return committedAtMillis;
  }

  public List<DataFile> files() {
    return files;
  }
}
