package io.psyberg.flink.source.split;

import java.util.Objects;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.iceberg.flink.source.split.IcebergSourceSplit;

/**
 * A piece of one session's work: data files one snapshot of one source table appended, wrapped
 * around Iceberg's own split (which carries the file scan tasks and the read position).
 */
@Internal
public final class PsybergSplit implements SourceSplit {
  private final String sessionId;
  private final String table;
  private final long snapshotId;
  private final long committedAtMillis;
  private final int index;
  private final IcebergSourceSplit icebergSplit;

  public PsybergSplit(
      String sessionId,
      String table,
      long snapshotId,
      long committedAtMillis,
      int index,
      IcebergSourceSplit icebergSplit) {
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
    return new PsybergSplit(sessionId, table, snapshotId, committedAtMillis, index, moved);
  }

  @Override
  public String toString() {
    return String.format(
        "PsybergSplit{%s, position=(%d, %d)}",
        splitId(), icebergSplit.fileOffset(), icebergSplit.recordOffset());
  }
}
