package io.psyberg.flink.metadata;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;

/**
 * Where a source snapshot stands in its table's history: its sequence number and the number of rows
 * live in the table then. Recorded with every high watermark (summary key {@code
 * psyberg.hwm-point.<table>}), so that a process can still tell its new rows from the ones it
 * processed once snapshot expiry removed that snapshot: files whose data sequence number is greater
 * are new, and the rows at or below it must all still be there.
 */
@Internal
public final class SnapshotPoint {
  /** "Before the first snapshot": every live row is new. */
  public static final SnapshotPoint START = new SnapshotPoint(-1L, -1L, 0L);

  private static final int REMEMBERED = 4096;

  /**
   * Points seen by this JVM (range ends planned, points read from targets), by "table@snapshot":
   * facts about a snapshot never change, so they stay true once the snapshot is expired.
   */
  private static final Map<String, SnapshotPoint> KNOWN =
      Collections.synchronizedMap(
          new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, SnapshotPoint> eldest) {
              return size() > REMEMBERED;
            }
          });

  private final long snapshotId;
  private final long sequenceNumber;
  private final long totalRecords;

  private SnapshotPoint(long snapshotId, long sequenceNumber, long totalRecords) {
    this.snapshotId = snapshotId;
    this.sequenceNumber = sequenceNumber;
    this.totalRecords = totalRecords;
  }

  /** The point of a snapshot; empty when its summary does not count the table's rows. */
  public static Optional<SnapshotPoint> of(Snapshot snapshot) {
    Map<String, String> summary = snapshot.summary();
    String total = summary == null ? null : summary.get(SnapshotSummary.TOTAL_RECORDS_PROP);
    if (total == null) {
      return Optional.empty();
    }
    return Optional.of(
        new SnapshotPoint(snapshot.snapshotId(), snapshot.sequenceNumber(), Long.parseLong(total)));
  }

  /** The point of snapshot {@code id} of {@code table}: from the table, else as remembered. */
  public static Optional<SnapshotPoint> lookup(Table table, String tableName, long id) {
    Snapshot snapshot = table.snapshot(id);
    if (snapshot != null) {
      Optional<SnapshotPoint> point = of(snapshot);
      point.ifPresent(p -> remember(tableName, p));
      return point;
    }
    return Optional.ofNullable(KNOWN.get(key(tableName, id)));
  }

  public static void remember(String tableName, SnapshotPoint point) {
    if (point.snapshotId >= 0) {
      KNOWN.put(key(tableName, point.snapshotId), point);
    }
  }

  /** Forgets the points this JVM has seen, as a fresh process starts (tests). */
  public static void forgetAll() {
    KNOWN.clear();
  }

  /** Parses {@link #encode()}; null for a value this version cannot read. */
  @Nullable
  public static SnapshotPoint parse(@Nullable String value) {
    if (value == null) {
      return null;
    }
    String[] parts = value.split(":");
    if (parts.length != 3) {
      return null;
    }
    try {
      return new SnapshotPoint(
          Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** {@code snapshot-id:sequence-number:total-records}. */
  public String encode() {
    return snapshotId + ":" + sequenceNumber + ":" + totalRecords;
  }

  private static String key(String tableName, long id) {
    return tableName + "@" + id;
  }

  public long snapshotId() {
    return snapshotId;
  }

  public long sequenceNumber() {
    return sequenceNumber;
  }

  /** Rows live in the table at this snapshot (delete files not subtracted). */
  public long totalRecords() {
    return totalRecords;
  }

  @Override
  public String toString() {
    return this == START
        ? "start"
        : String.format(
            "snapshot %d (sequence number %d, %d rows)", snapshotId, sequenceNumber, totalRecords);
  }
}
