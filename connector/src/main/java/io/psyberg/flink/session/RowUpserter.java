package io.psyberg.flink.session;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.deletes.EqualityDeleteWriter;
import org.apache.iceberg.encryption.EncryptedOutputFile;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;

/**
 * Upserts small batches of rows into a format v2 table keyed by its identifier fields: one data file
 * with the new rows and one equality-delete file with their keys, in one row-delta commit.
 */
final class RowUpserter {
  private static final AtomicInteger TASK_IDS = new AtomicInteger();

  private RowUpserter() {}

  static void upsert(Table table, List<Record> rows) {
    if (rows.isEmpty()) {
      return;
    }
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
    try {
      EncryptedOutputFile dataOut = files.newOutputFile();
      DataWriter<Record> dataWriter = factory.newDataWriter(dataOut, FileFormat.PARQUET, null);
      try (DataWriter<Record> w = dataWriter) {
        rows.forEach(w::write);
      }
      DataFile dataFile = dataWriter.toDataFile();

      EncryptedOutputFile deleteOut = files.newOutputFile();
      EqualityDeleteWriter<Record> deleteWriter =
          factory.newEqDeleteWriter(deleteOut, FileFormat.PARQUET, null);
      try (EqualityDeleteWriter<Record> w = deleteWriter) {
        List<Record> keys = new ArrayList<>();
        for (Record row : rows) {
          Record key = GenericRecord.create(keySchema);
          keySchema.columns().forEach(c -> key.setField(c.name(), row.getField(c.name())));
          keys.add(key);
        }
        keys.forEach(w::write);
      }
      DeleteFile deleteFile = deleteWriter.toDeleteFile();

      RowDelta delta = table.newRowDelta().addRows(dataFile).addDeletes(deleteFile);
      delta.commit();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Could not write metadata rows to " + table.name() + ": " + e.getMessage(), e);
    }
  }
}
