package io.psyberg.flink.examples.lifecycle;

import io.psyberg.flink.sink.audit.AuditContext;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileContent;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;

/**
 * The rows a session's equality deletes remove from {@code account_lifecycle}: keys {@code
 * (account_id, segment_no)}, each within its delete file's partition. Applied to the published
 * parent's rows, they give the staged table's rows there without reading it a second time; and
 * their accounts are ones the session changed even when it wrote no row for them.
 */
final class SessionDeletes {
  /** Partition value standing for the open segments' partition (a null month). */
  private static final int OPEN_PARTITION = Integer.MIN_VALUE;

  /**
   * One account's deleted keys: segment numbers, each with its partition's month. A session
   * retracts a few segments of an account, so these are scanned, not hashed.
   */
  static final class Keys {
    private int size;
    private int[] segments = new int[2];
    private int[] months = new int[2];

    private void add(int segmentNo, int month) {
      if (indexOf(segmentNo, month) >= 0) {
        return;
      }
      if (size == segments.length) {
        segments = Arrays.copyOf(segments, size * 2);
        months = Arrays.copyOf(months, size * 2);
      }
      segments[size] = segmentNo;
      months[size] = month;
      size++;
    }

    int size() {
      return size;
    }

    /**
     * Which of these keys removes the published row with this segment number closed at {@code
     * validToMicros} (null: open), or -1 when none does.
     */
    int removing(int segmentNo, @Nullable Long validToMicros) {
      for (int i = 0; i < size; i++) {
        if (segments[i] == segmentNo) {
          return indexOf(
              segmentNo,
              validToMicros == null ? OPEN_PARTITION : ChangedMonths.month(validToMicros));
        }
      }
      return -1;
    }

    private int indexOf(int segmentNo, int month) {
      for (int i = 0; i < size; i++) {
        if (segments[i] == segmentNo && months[i] == month) {
          return i;
        }
      }
      return -1;
    }
  }

  private static final Keys NONE = new Keys();

  private final Map<Long, Keys> byAccount = new HashMap<>();
  private boolean byKeyOnly = true;

  private SessionDeletes() {}

  /** Reads the session's delete files (they are small: a session's retractions). */
  static SessionDeletes read(AuditContext ctx) throws IOException {
    Schema schema = ctx.table().schema();
    int accountId = schema.findField("account_id").fieldId();
    Set<Integer> key = Set.of(accountId, schema.findField("segment_no").fieldId());
    SessionDeletes deletes = new SessionDeletes();
    for (DeleteFile file : ctx.deleteFiles()) {
      boolean equality =
          file.content() == FileContent.EQUALITY_DELETES && file.format() == FileFormat.PARQUET;
      boolean byKey = equality && Set.copyOf(file.equalityFieldIds()).equals(key);
      deletes.byKeyOnly &= byKey;
      if (!equality || !file.equalityFieldIds().contains(accountId)) {
        continue;
      }
      Integer month = file.partition().size() == 1 ? file.partition().get(0, Integer.class) : null;
      Schema projection =
          schema.select(byKey ? List.of("account_id", "segment_no") : List.of("account_id"));
      try (CloseableIterable<Record> rows =
          Parquet.read(ctx.table().io().newInputFile(file.path().toString()))
              .project(projection)
              .createReaderFunc(s -> GenericParquetReaders.buildReader(projection, s))
              .build()) {
        for (Record r : rows) {
          Keys keys =
              deletes.byAccount.computeIfAbsent((Long) r.getField("account_id"), a -> new Keys());
          if (byKey) {
            keys.add((Integer) r.getField("segment_no"), month == null ? OPEN_PARTITION : month);
          }
        }
      }
    }
    return deletes;
  }

  /** Accounts whose rows the deletes remove. */
  Set<Long> accounts() {
    return byAccount.keySet();
  }

  /** The account's deleted keys (none when the deletes name no row of it). */
  Keys of(long account) {
    return byAccount.getOrDefault(account, NONE);
  }

  /**
   * How many distinct keys the deletes hold, each removing at most one row of a contiguous table.
   */
  int keyCount() {
    return byAccount.values().stream().mapToInt(Keys::size).sum();
  }

  /**
   * True when every delete file removes rows by key in its partition, so that {@link Keys#removing}
   * tells exactly which rows of a partition by month of {@code valid_to} they remove.
   */
  boolean byKeyOnly() {
    return byKeyOnly;
  }
}
