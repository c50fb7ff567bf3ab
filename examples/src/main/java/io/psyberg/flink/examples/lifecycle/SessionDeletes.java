package io.psyberg.flink.examples.lifecycle;

import io.psyberg.flink.sink.audit.AuditContext;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
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
  private record Key(long account, int segmentNo, @Nullable Integer month) {}

  private final Set<Key> keys = new HashSet<>();
  private final Set<Long> accounts = new HashSet<>();
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
          long account = (Long) r.getField("account_id");
          deletes.accounts.add(account);
          if (byKey) {
            deletes.keys.add(new Key(account, (Integer) r.getField("segment_no"), month));
          }
        }
      }
    }
    return deletes;
  }

  /** Accounts whose rows the deletes remove. */
  Set<Long> accounts() {
    return accounts;
  }

  /**
   * True when every delete file removes rows by key in its partition, so that {@link #removes}
   * tells exactly which rows of a partition by month of {@code valid_to} they remove.
   */
  boolean byKeyOnly() {
    return byKeyOnly;
  }

  /** Whether the deletes remove this row of the published parent. */
  boolean removes(long account, int segmentNo, @Nullable Long validToMicros) {
    return keys.contains(
        new Key(
            account, segmentNo, validToMicros == null ? null : ChangedMonths.month(validToMicros)));
  }
}
