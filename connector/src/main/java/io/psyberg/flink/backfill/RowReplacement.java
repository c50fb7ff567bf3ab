package io.psyberg.flink.backfill;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.metadata.MetadataRows;
import io.psyberg.flink.metadata.SideBySide;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.deletes.EqualityDeleteWriter;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.types.TypeUtil;

/**
 * One atomic commit on a branch of a keyed format v2 table: the live rows matching a filter are
 * removed (equality deletes on the table's identifier fields, in each row's partition) and new rows
 * added. Deletes and data share the commit's sequence number, so the deletes never hide the rows
 * added with them. The commit validates that nobody added or deleted rows matching the filter on
 * that branch since the rows to remove were read (or, on a backfill branch, that nobody else wrote
 * the branch meanwhile).
 */
@Internal
final class RowReplacement {
  private static final AtomicInteger TASK_IDS = new AtomicInteger();

  /** Rows below which a partition's rows are written as one file, on one thread. */
  static final int ROWS_PER_SLICE = 100_000;

  private RowReplacement() {}

  /**
   * Commits the replacement on {@code ref} and returns the new snapshot id.
   *
   * @param conflicts the rows that nobody may have added or deleted on {@code ref} since {@code
   *     validateFrom}
   * @param validateFrom the snapshot of {@code ref} the change is based on; null: the ref's head,
   *     as read here
   * @throws org.apache.iceberg.exceptions.ValidationException when rows matching {@code replaced}
   *     were added or deleted on {@code ref} meanwhile (nothing is committed)
   */
  static long commit(
      Table table,
      String ref,
      Expression replaced,
      Expression conflicts,
      List<Record> rows,
      Map<String, String> summary,
      @Nullable Long validateFrom) {
    checkShape(table);
    SnapshotRef head = table.refs().get(ref);
    Long base = head == null ? null : head.snapshotId();
    Schema schema = table.schema();
    List<Record> old =
        base == null || replaced.equals(Expressions.alwaysFalse())
            ? List.of()
            : MetadataRows.read(table, replaced, base, task -> true);
    int[] keyIds = schema.identifierFieldIds().stream().mapToInt(Integer::intValue).toArray();
    Schema keySchema = TypeUtil.select(schema, schema.identifierFieldIds());
    GenericAppenderFactory factory =
        new GenericAppenderFactory(schema, table.spec(), keyIds, keySchema, null);
    OutputFileFactory files =
        OutputFileFactory.builderFor(table, 0, TASK_IDS.incrementAndGet())
            .format(FileFormat.PARQUET)
            .operationId(UUID.randomUUID().toString())
            .build();
    RowDelta delta = table.newRowDelta().toBranch(ref);
    try {
      writeData(table, factory, files, rows).forEach(delta::addRows);
      // A row's delete goes to the partition it lives in (its old values), where it applies.
      for (Map.Entry<PartitionKey, List<Record>> part : byPartition(table, old).entrySet()) {
        PartitionKey partition = part.getKey();
        EqualityDeleteWriter<Record> deletes =
            factory.newEqDeleteWriter(
                files.newOutputFile(table.spec(), partition), FileFormat.PARQUET, partition);
        try (EqualityDeleteWriter<Record> w = deletes) {
          for (Record row : part.getValue()) {
            Record key = GenericRecord.create(keySchema);
            keySchema.columns().forEach(c -> key.setField(c.name(), row.getField(c.name())));
            w.write(key);
          }
        }
        delta.addDeletes(deletes.toDeleteFile());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Could not write the backfill's files for " + table.name() + ": " + e.getMessage(), e);
    }
    summary.forEach(delta::set);
    if (base != null) {
      delta
          .validateFromSnapshot(validateFrom == null ? base : validateFrom)
          .conflictDetectionFilter(conflicts)
          .validateNoConflictingDataFiles()
          .validateNoConflictingDeleteFiles();
    }
    delta.commit();
    table.refresh();
    return table.refs().get(ref).snapshotId();
  }

  /**
   * Writes {@code rows} as data files, one or more per partition: a partition of more than {@link
   * #ROWS_PER_SLICE} rows is cut into slices (at most one per core) written side by side, as
   * Parquet encoding is most of a large chunk's cost. The files come back in the rows' order.
   */
  private static List<DataFile> writeData(
      Table table, GenericAppenderFactory factory, OutputFileFactory files, List<Record> rows) {
    int cores = Runtime.getRuntime().availableProcessors();
    List<Slice> slices = new ArrayList<>();
    for (Map.Entry<PartitionKey, List<Record>> part : byPartition(table, rows).entrySet()) {
      List<Record> partRows = part.getValue();
      int count = (int) Math.min(cores, Math.max(1, partRows.size() / ROWS_PER_SLICE));
      int size = (partRows.size() + count - 1) / count;
      for (int from = 0; from < partRows.size(); from += size) {
        slices.add(
            new Slice(
                part.getKey(), partRows.subList(from, Math.min(partRows.size(), from + size))));
      }
    }
    List<Callable<DataFile>> writes = new ArrayList<>();
    slices.forEach(slice -> writes.add(() -> slice.write(table, factory, files)));
    return SideBySide.run(
        "psyberg-write " + table.name(),
        cores,
        "Could not write the backfill's files for " + table.name(),
        writes);
  }

  /** Rows of one partition that go into one data file. */
  private record Slice(PartitionKey partition, List<Record> rows) {
    DataFile write(Table table, GenericAppenderFactory factory, OutputFileFactory files)
        throws IOException {
      DataWriter<Record> data =
          factory.newDataWriter(
              files.newOutputFile(table.spec(), partition), FileFormat.PARQUET, partition);
      try (DataWriter<Record> w = data) {
        rows.forEach(w::write);
      }
      return data.toDataFile();
    }
  }

  /** Rows grouped by the partition they belong to (one group, unpartitioned, for no spec). */
  private static Map<PartitionKey, List<Record>> byPartition(Table table, List<Record> rows) {
    Map<PartitionKey, List<Record>> parts = new LinkedHashMap<>();
    InternalRecordWrapper internal = new InternalRecordWrapper(table.schema().asStruct());
    for (Record row : rows) {
      PartitionKey key = new PartitionKey(table.spec(), table.schema());
      key.partition(internal.wrap(row));
      parts.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
    }
    return parts;
  }

  static void checkShape(Table table) {
    if (table.schema().identifierFieldIds().isEmpty()) {
      throw new PsybergException(
          "Target "
              + table.name()
              + " has no identifier fields: a backfill replaces rows by key. Set its key with"
              + " ALTER TABLE ... SET IDENTIFIER FIELDS.");
    }
  }
}
