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
  private final boolean lastOfSession;
  private final int replayThroughFile;
  private final long replayThroughRecord;

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
    this(sessionId, table, snapshotId, committedAtMillis, index, icebergSplit, kind, false, -1, -1);
  }

  /**
   * As above; {@code lastOfSession} marks the session's last split, and a replay position (file,
   * record; -1 for none) says up to where the split's rows were emitted before a restore.
   */
  public PsybergSplit(
      String sessionId,
      String table,
      long snapshotId,
      long committedAtMillis,
      int index,
      IcebergSourceSplit icebergSplit,
      Kind kind,
      boolean lastOfSession,
      int replayThroughFile,
      long replayThroughRecord) {
    this.lastOfSession = lastOfSession;
    this.replayThroughFile = replayThroughFile;
    this.replayThroughRecord = replayThroughRecord;
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

  /** Whether this is the last split of its session (the enumerator marks it). */
  public boolean lastOfSession() {
    return lastOfSession;
  }

  public int replayThroughFile() {
    return replayThroughFile;
  }

  public long replayThroughRecord() {
    return replayThroughRecord;
  }

  /**
   * Whether the row read at this position (the position after it, as the split's read position
   * counts) was emitted before a restore: it is read again only to rebuild the reader's state.
   */
  public boolean replays(int fileOffset, long recordOffset) {
    return fileOffset < replayThroughFile
        || (fileOffset == replayThroughFile && recordOffset <= replayThroughRecord);
  }

  /** This split positioned after {@code recordOffset} records of file {@code fileOffset}. */
  public PsybergSplit withPosition(int fileOffset, long recordOffset) {
    IcebergSourceSplit moved =
        IcebergSourceSplit.fromCombinedScanTask(icebergSplit.task(), fileOffset, recordOffset);
    return copy(moved, lastOfSession, replayThroughFile, replayThroughRecord);
  }

  /** This split marked as the last of its session. */
  public PsybergSplit asLastOfSession() {
    return copy(icebergSplit, true, replayThroughFile, replayThroughRecord);
  }

  /**
   * This split read again from its start, its rows up to the given position (or a replay position
   * it already has, whichever is further) only replayed.
   */
  public PsybergSplit replayedThrough(int fileOffset, long recordOffset) {
    boolean further =
        fileOffset > replayThroughFile
            || (fileOffset == replayThroughFile && recordOffset > replayThroughRecord);
    IcebergSourceSplit start = IcebergSourceSplit.fromCombinedScanTask(icebergSplit.task(), 0, 0);
    return copy(
        start,
        lastOfSession,
        further ? fileOffset : replayThroughFile,
        further ? recordOffset : replayThroughRecord);
  }

  private PsybergSplit copy(
      IcebergSourceSplit split, boolean last, int replayFile, long replayRecord) {
    return new PsybergSplit(
        sessionId,
        table,
        snapshotId,
        committedAtMillis,
        index,
        split,
        kind,
        last,
        replayFile,
        replayRecord);
  }

  @Override
  public String toString() {
    return String.format(
        "PsybergSplit{%s, %s, position=(%d, %d)%s%s}",
        splitId(),
        kind,
        icebergSplit.fileOffset(),
        icebergSplit.recordOffset(),
        lastOfSession ? ", last of session" : "",
        replayThroughFile < 0
            ? ""
            : ", replay through (" + replayThroughFile + ", " + replayThroughRecord + ")");
  }
}
