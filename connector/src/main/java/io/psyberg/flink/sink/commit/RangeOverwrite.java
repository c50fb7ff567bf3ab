package io.psyberg.flink.sink.commit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.annotation.Nullable;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.expressions.Evaluator;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Copy-on-write removal of the target rows whose column lies in a range: only files whose metrics
 * overlap the range are read; each is replaced by a file of the rows outside the range (or
 * dropped).
 */
final class RangeOverwrite {
  final List<DataFile> removed = new ArrayList<>();
  final List<DataFile> kept = new ArrayList<>();
  final Expression range;

  private RangeOverwrite(Expression range) {
    this.range = range;
  }

  /**
   * Range filter for {@code column} in [min, max], parsing the change-range strings by the column
   * type.
   */
  static Expression rangeFilter(Schema schema, String column, String min, String max) {
    Types.NestedField field = schema.findField(column);
    if (field == null) {
      throw new IllegalArgumentException("No column '" + column + "' in the target table");
    }
    return Expressions.and(
        Expressions.greaterThanOrEqual(column, literal(field.type(), min)),
        Expressions.lessThanOrEqual(column, literal(field.type(), max)));
  }

  private static Object literal(Type type, String value) {
    switch (type.typeId()) {
      case INTEGER:
        return Integer.parseInt(value);
      case LONG:
        return Long.parseLong(value);
      case DOUBLE:
        return Double.parseDouble(value);
      case FLOAT:
        return Float.parseFloat(value);
      default:
        return value; // strings, dates and timestamps convert from ISO text when bound
    }
  }

  static RangeOverwrite plan(Table table, @Nullable Long snapshotId, Expression range) {
    RangeOverwrite out = new RangeOverwrite(range);
    if (snapshotId == null) {
      return out;
    }
    Schema schema = table.schema();
    Evaluator inRange = new Evaluator(schema.asStruct(), range, true);
    // Generic records hold Java time values; the evaluator compares Iceberg's internal ones.
    InternalRecordWrapper internal = new InternalRecordWrapper(schema.asStruct());
    GenericAppenderFactory appenders = new GenericAppenderFactory(schema, table.spec());
    OutputFileFactory files =
        OutputFileFactory.builderFor(table, 0, 0)
            .format(FileFormat.PARQUET)
            .operationId(UUID.randomUUID().toString())
            .build();
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().useSnapshot(snapshotId).filter(range).planFiles()) {
      for (FileScanTask task : tasks) {
        if (!task.deletes().isEmpty()) {
          throw new IllegalStateException(
              "overwrite-range cannot rewrite "
                  + task.file().path()
                  + ": it has delete files; compact the table first");
        }
        List<Record> keep = new ArrayList<>();
        boolean dropsAny = false;
        try (CloseableIterable<Record> rows =
            Parquet.read(table.io().newInputFile(task.file().path().toString()))
                .project(schema)
                .createReaderFunc(s -> GenericParquetReaders.buildReader(schema, s))
                .build()) {
          for (Record r : rows) {
            if (inRange.eval(internal.wrap(r))) {
              dropsAny = true;
            } else {
              keep.add(r.copy());
            }
          }
        }
        if (!dropsAny) {
          continue;
        }
        out.removed.add(task.file());
        if (!keep.isEmpty()) {
          DataWriter<Record> writer =
              appenders.newDataWriter(
                  files.newOutputFile(task.file().partition()),
                  FileFormat.PARQUET,
                  task.file().partition());
          try (DataWriter<Record> w = writer) {
            keep.forEach(w::write);
          }
          out.kept.add(writer.toDataFile());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Could not rewrite the range of " + table.name() + ": " + e.getMessage(), e);
    }
    return out;
  }
}
