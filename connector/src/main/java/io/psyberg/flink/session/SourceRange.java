package io.psyberg.flink.session;

import java.io.Serializable;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * The snapshots of one source table that a session covers: those after {@code from} (exclusive) up
 * to {@code to} (inclusive) on the table's main branch, with counts taken from metadata. A null
 * {@code from} means "from the table's first snapshot"; {@code from == to} means nothing new.
 */
@PublicEvolving
public final class SourceRange implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String table;
  @Nullable private final Long fromSnapshotId;
  @Nullable private final Long toSnapshotId;
  private final int snapshotCount;
  private final int skippedSnapshotCount;
  private final long dataFileCount;
  private final long recordCount;
  @Nullable private final ChangeRange changeRange;
  @Nullable private final Long toCommittedAtMillis;
  @Nullable private final String note;

  public SourceRange(
      String table,
      @Nullable Long fromSnapshotId,
      @Nullable Long toSnapshotId,
      int snapshotCount,
      int skippedSnapshotCount,
      long dataFileCount,
      long recordCount,
      @Nullable ChangeRange changeRange,
      @Nullable Long toCommittedAtMillis) {
    this(
        table,
        fromSnapshotId,
        toSnapshotId,
        snapshotCount,
        skippedSnapshotCount,
        dataFileCount,
        recordCount,
        changeRange,
        toCommittedAtMillis,
        null);
  }

  /** As above, with a note on how the range was read (e.g. a changelog read without a key). */
  public SourceRange(
      String table,
      @Nullable Long fromSnapshotId,
      @Nullable Long toSnapshotId,
      int snapshotCount,
      int skippedSnapshotCount,
      long dataFileCount,
      long recordCount,
      @Nullable ChangeRange changeRange,
      @Nullable Long toCommittedAtMillis,
      @Nullable String note) {
    this.table = Objects.requireNonNull(table, "table");
    this.fromSnapshotId = fromSnapshotId;
    this.toSnapshotId = toSnapshotId;
    this.snapshotCount = snapshotCount;
    this.skippedSnapshotCount = skippedSnapshotCount;
    this.dataFileCount = dataFileCount;
    this.recordCount = recordCount;
    this.changeRange = changeRange;
    this.toCommittedAtMillis = toCommittedAtMillis;
    this.note = note;
  }

  /** A range with nothing in it, at the given position. */
  public static SourceRange empty(
      String table, @Nullable Long position, @Nullable Long committedAt) {
    return new SourceRange(table, position, position, 0, 0, 0, 0, null, committedAt);
  }

  public String table() {
    return table;
  }

  @Nullable
  public Long fromSnapshotId() {
    return fromSnapshotId;
  }

  @Nullable
  public Long toSnapshotId() {
    return toSnapshotId;
  }

  public int snapshotCount() {
    return snapshotCount;
  }

  public int skippedSnapshotCount() {
    return skippedSnapshotCount;
  }

  public long dataFileCount() {
    return dataFileCount;
  }

  public long recordCount() {
    return recordCount;
  }

  @Nullable
  public ChangeRange changeRange() {
    return changeRange;
  }

  /** Commit time of the {@code to} snapshot, epoch millis. */
  @Nullable
  public Long toCommittedAtMillis() {
    return toCommittedAtMillis;
  }

  /** How the range was read where that differs from what its options ask for; null otherwise. */
  @Nullable
  public String note() {
    return note;
  }

  /**
   * Whether the range moves the position at all (it may still hold no rows, e.g. only skipped
   * snapshots).
   */
  public boolean advances() {
    return !Objects.equals(fromSnapshotId, toSnapshotId);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof SourceRange)) {
      return false;
    }
    SourceRange that = (SourceRange) o;
    return snapshotCount == that.snapshotCount
        && skippedSnapshotCount == that.skippedSnapshotCount
        && dataFileCount == that.dataFileCount
        && recordCount == that.recordCount
        && table.equals(that.table)
        && Objects.equals(fromSnapshotId, that.fromSnapshotId)
        && Objects.equals(toSnapshotId, that.toSnapshotId)
        && Objects.equals(changeRange, that.changeRange)
        && Objects.equals(toCommittedAtMillis, that.toCommittedAtMillis)
        && Objects.equals(note, that.note);
  }

  @Override
  public int hashCode() {
    return Objects.hash(table, fromSnapshotId, toSnapshotId, snapshotCount, recordCount);
  }

  @Override
  public String toString() {
    return String.format(
        "%s (%s, %s] snapshots=%d skipped=%d files=%d records=%d%s%s",
        table,
        fromSnapshotId,
        toSnapshotId,
        snapshotCount,
        skippedSnapshotCount,
        dataFileCount,
        recordCount,
        changeRange == null ? "" : " change=" + changeRange,
        note == null ? "" : " note=" + note);
  }
}
