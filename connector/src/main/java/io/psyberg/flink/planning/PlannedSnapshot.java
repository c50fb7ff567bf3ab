package io.psyberg.flink.planning;

import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;

/** One snapshot of a source range to read: the data files it appended, with their metrics. */
@Internal
public final class PlannedSnapshot {
  private final String table;
  private final long snapshotId;
  private final long committedAtMillis;
  private final List<DataFile> files;
  private final Table source;

  PlannedSnapshot(
      String table, Table source, long snapshotId, long committedAtMillis, List<DataFile> files) {
    this.table = table;
    this.source = source;
    this.snapshotId = snapshotId;
    this.committedAtMillis = committedAtMillis;
    this.files = List.copyOf(files);
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
