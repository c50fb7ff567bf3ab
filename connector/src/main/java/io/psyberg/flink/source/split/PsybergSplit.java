package io.psyberg.flink.source.split;

import java.util.Objects;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.iceberg.flink.source.split.IcebergSourceSplit;

/**
 * A piece of one session's work: data files one snapshot of one source table appended, wrapped
 * around Iceberg's own split (which carries the file scan tasks and the read position). A process
 * that reads changes also gets splits of rows a snapshot removed, and of files whose deletes it
 * changed ({@link Kind}).
 */
@Internal
public final class PsybergSplit implements SourceSplit {
  /** What the split's rows mean. */
  public enum Kind {
    /** Rows added (the task's deletes applied): emitted as inserts. */
    ADDED,
    /** Rows of a removed file as they were live before (the task's deletes applied): deletes. */
    REMOVED,
    /**
     * One file read twice over, with the deletes before (first task) and after (second task) the
     * snapshot: rows live only before are deletes, rows live only after are inserts.
     */
    CHANGED
  }

  private final String sessionId;
  private final String table;
  private final long snapshotId;
  private final long committedAtMillis;
  private final int index;
  private final IcebergSourceSplit icebergSplit;
  private final Kind kind;

  public PsybergSplit(
      String sessionId,
      String table,
      long snapshotId,
      long committedAtMillis,
      int index,
      IcebergSourceSplit icebergSplit) {
    this(sessionId, table, snapshotId, committedAtMillis, index, icebergSplit, Kind.ADDED);
  }

  public PsybergSplit(
      String sessionId,
      String table,
      long snapshotId,
      long committedAtMillis,
      int index,
      IcebergSourceSplit icebergSplit,
      Kind kind) {
    this.kind = Objects.requireNonNull(kind);
    this.sessionId = Objects.requireNonNull(sessionId);
    this.table = Objects.requireNonNull(table);
    this.snapshotId = snapshotId;
    this.committedAtMillis = committedAtMillis;
    this.index = index;
    this.icebergSplit = Objects.requireNonNull(icebergSplit);
  }

  @Override
  public String splitId() {
    return sessionId + "/" + table + "/" + snapshotId + "/" + index;
  }

  public String sessionId() {
    return sessionId;
  }

  public String table() {
    return table;
  }

  public long snapshotId() {
    return snapshotId;
  }

  public long committedAtMillis() {
    return committedAtMillis;
  }

  public Kind kind() {
    return kind;
  }

  public int index() {
    return index;
  }

  /** Iceberg's split; its file and record offsets are the read position. */
  public IcebergSourceSplit icebergSplit() {
    return icebergSplit;
  }

  /** This split positioned after {@code recordOffset} records of file {@code fileOffset}. */
  public PsybergSplit withPosition(int fileOffset, long recordOffset) {
    IcebergSourceSplit moved =
        IcebergSourceSplit.fromCombinedScanTask(icebergSplit.task(), fileOffset, recordOffset);
    return new PsybergSplit(sessionId, table, snapshotId, committedAtMillis, index, moved, kind);
  }

  @Override
  public String toString() {
    return String.format(
        "PsybergSplit{%s, %s, position=(%d, %d)}",
        splitId(), kind, icebergSplit.fileOffset(), icebergSplit.recordOffset());
  }
}
