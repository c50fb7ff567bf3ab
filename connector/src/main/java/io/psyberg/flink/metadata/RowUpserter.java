package io.psyberg.flink.metadata;

import io.psyberg.flink.catalog.SameThreadExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.annotation.Nullable;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.deletes.EqualityDeleteWriter;
import org.apache.iceberg.encryption.EncryptedOutputFile;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.types.TypeUtil;

/**
 * Upserts small batches of rows into a format v2 table keyed by its identifier fields: per
 * partition one data file with the new rows and one equality-delete file with their keys, all in
 * one row-delta commit. The files this leaves behind are folded together by {@link
 * MetadataCompaction}.
 */
final class RowUpserter {
  private static final AtomicInteger TASK_IDS = new AtomicInteger();

  private RowUpserter() {}

  static boolean upsert(Table table, List<Record> rows) {
    return write(table, rows, true, null, null);
  }

  /**
   * Upserts as a compare-and-set: the commit fails with a {@link
   * org.apache.iceberg.exceptions.ValidationException} when a data file that may hold rows matching
   * {@code conflicts} was added after {@code checked} (null: the table was empty when checked).
   */
  static boolean upsert(
      Table table, List<Record> rows, @Nullable Snapshot checked, Expression conflicts) {
    return write(table, rows, true, checked, conflicts);
  }

  /** Deletes the rows with the keys of {@code rows} (only their key fields are read). */
  static boolean delete(Table table, List<Record> rows) {
    return write(table, rows, false, null, null);
  }

  private static boolean write(
      Table table,
      List<Record> rows,
      boolean addRows,
      @Nullable Snapshot checked,
      @Nullable Expression conflicts) {
    if (rows.isEmpty()) {
      return false;
    }
    MetadataTableSchemas.mergeManifestsOnCommit(table);
    Schema schema = table.schema();
    int[] keyIds = schema.identifierFieldIds().stream().mapToInt(Integer::intValue).toArray();
    Schema keySchema = TypeUtil.select(schema, schema.identifierFieldIds());
    GenericAppenderFactory factory =
        new GenericAppenderFactory(schema, table.spec(), keyIds, keySchema, null);
    OutputFileFactory files =
        OutputFileFactory.builderFor(table, 0, TASK_IDS.incrementAndGet())
            .format(FileFormat.PARQUET)
            .operationId(UUID.randomUUID().toString())
            .build();
    RowDelta delta = table.newRowDelta().scanManifestsWith(SameThreadExecutor.get());
    if (conflicts != null) {
      if (checked != null) {
        delta.validateFromSnapshot(checked.snapshotId());
      }
      delta.conflictDetectionFilter(conflicts).validateNoConflictingDataFiles();
    }
    try {
      for (Map.Entry<PartitionKey, List<Record>> part : byPartition(table, rows).entrySet()) {
        PartitionKey partition = table.spec().isPartitioned() ? part.getKey() : null;
        if (addRows) {
          DataWriter<Record> dataWriter =
              factory.newDataWriter(
                  newOutputFile(table, files, partition), FileFormat.PARQUET, partition);
          try (DataWriter<Record> w = dataWriter) {
            part.getValue().forEach(w::write);
          }
          delta.addRows(dataWriter.toDataFile());
        }

        EqualityDeleteWriter<Record> deleteWriter =
            factory.newEqDeleteWriter(
                newOutputFile(table, files, partition), FileFormat.PARQUET, partition);
        try (EqualityDeleteWriter<Record> w = deleteWriter) {
          for (Record row : part.getValue()) {
            Record key = GenericRecord.create(keySchema);
            keySchema.columns().forEach(c -> key.setField(c.name(), row.getField(c.name())));
            w.write(key);
          }
        }
        delta.addDeletes(deleteWriter.toDeleteFile());
      }
      delta.commit();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Could not write metadata rows to " + table.name() + ": " + e.getMessage(), e);
    }
    return MetadataCompaction.compactIfDue(table);
  }

  /**
   * The rows by the partition they belong to (one group for an unpartitioned table), in first-seen
   * order.
   */
  static Map<PartitionKey, List<Record>> byPartition(Table table, List<Record> rows) {
    Map<PartitionKey, List<Record>> out = new LinkedHashMap<>();
    PartitionKey key = new PartitionKey(table.spec(), table.schema());
    InternalRecordWrapper wrapper = new InternalRecordWrapper(table.schema().asStruct());
    for (Record row : rows) {
      key.partition(wrapper.wrap(row));
      out.computeIfAbsent(key.copy(), k -> new ArrayList<>()).add(row);
    }
    return out;
  }

  static EncryptedOutputFile newOutputFile(
      Table table, OutputFileFactory files, PartitionKey partition) {
    return partition == null ? files.newOutputFile() : files.newOutputFile(table.spec(), partition);
  }
}
