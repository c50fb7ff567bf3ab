package io.psyberg.flink.source.reader;

import io.psyberg.flink.source.split.PsybergSplit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.RowKind;
import org.apache.iceberg.BaseFileScanTask;
import org.apache.iceberg.CombinedScanTask;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileContent;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.MetadataColumns;
import org.apache.iceberg.PartitionSpecParser;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.DeleteFilter;
import org.apache.iceberg.deletes.PositionDeleteIndex;
import org.apache.iceberg.encryption.InputFilesDecryptor;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.expressions.ResidualEvaluator;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.RowDataWrapper;
import org.apache.iceberg.flink.data.RowDataProjection;
import org.apache.iceberg.flink.source.RowDataFileScanTaskReader;
import org.apache.iceberg.flink.source.reader.RecordAndPosition;
import org.apache.iceberg.io.CloseableIterator;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;

/**
 * Reads a {@link PsybergSplit.Kind#CHANGED} split: one data file whose applicable deletes a
 * snapshot changed. The file is read once, without deletes, with each row's position; every row is
 * checked against the deletes before and after the snapshot (Iceberg's own delete loading and
 * matching), and only rows whose liveness changed are emitted: {@code -D} when live only before,
 * {@code +I} when live only after. The read position is the number of file rows passed, so a
 * restore skips exactly those.
 */
final class ChangedFileReader {
  private static final int BATCH = 1024;

  private ChangedFileReader() {}

  static CloseableIterator<RecordsWithSplitIds<RecordAndPosition<RowData>>> open(
      PsybergSplit split, Table table, Schema projected, List<Expression> filters) {
    CombinedScanTask combined = split.icebergSplit().task();
    List<FileScanTask> tasks = new ArrayList<>(combined.files());
    if (tasks.size() != 2) {
      throw new IllegalStateException(
          "A changed-file split holds two tasks (before, after), not " + tasks.size());
    }
    FileScanTask before = tasks.get(0);
    FileScanTask after = tasks.get(1);
    Schema readSchema = readSchema(table.schema(), projected, before, after);
    InputFilesDecryptor decryptor =
        new InputFilesDecryptor(combined, table.io(), table.encryption());
    FileScanTask plain =
        new BaseFileScanTask(
            before.file(),
            new DeleteFile[0],
            SchemaParser.toJson(table.schema()),
            PartitionSpecParser.toJson(before.spec()),
            ResidualEvaluator.of(before.spec(), Expressions.alwaysTrue(), true));
    CloseableIterator<RowData> rows =
        new RowDataFileScanTaskReader(table.schema(), readSchema, null, true, filters)
            .open(plain, decryptor);
    RowType readType = FlinkSchemaUtil.convert(readSchema);
    Deletes deletesBefore = new Deletes(before, table.schema(), readSchema, readType, decryptor);
    Deletes deletesAfter = new Deletes(after, table.schema(), readSchema, readType, decryptor);
    int posIndex =
        readSchema.columns().indexOf(readSchema.findField(MetadataColumns.ROW_POSITION.fieldId()));
    RowDataProjection projection =
        RowDataProjection.create(readType, readSchema.asStruct(), projected.asStruct());
    RowDataSerializer copier = new RowDataSerializer(FlinkSchemaUtil.convert(projected));
    long skip = split.icebergSplit().recordOffset();
    String splitId = split.splitId();
    return new CloseableIterator<>() {
      private long passed;
      private List<RecordAndPosition<RowData>> next;

      @Override
      public boolean hasNext() {
        if (next == null) {
          next = fill();
        }
        return !next.isEmpty();
      }

      private List<RecordAndPosition<RowData>> fill() {
        List<RecordAndPosition<RowData>> out = new ArrayList<>();
        while (out.size() < BATCH && rows.hasNext()) {
          RowData row = rows.next();
          passed++;
          if (passed <= skip) {
            continue;
          }
          long pos = row.getLong(posIndex);
          boolean was = !deletesBefore.deleted(row, pos);
          boolean is = !deletesAfter.deleted(row, pos);
          if (was != is) {
            RowData copy = copier.copy(projection.wrap(row));
            copy.setRowKind(was ? RowKind.DELETE : RowKind.INSERT);
            out.add(new RecordAndPosition<>(copy, 0, passed));
          }
        }
        return out;
      }

      @Override
      public RecordsWithSplitIds<RecordAndPosition<RowData>> next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        List<RecordAndPosition<RowData>> batch = next;
        next = null;
        return new Batch(splitId, batch);
      }

      @Override
      public void close() throws IOException {
        rows.close();
      }
    };
  }

  /** The projected columns, plus the columns the equality deletes compare and the row position. */
  private static Schema readSchema(
      Schema tableSchema, Schema projected, FileScanTask before, FileScanTask after) {
    Set<Integer> ids = new LinkedHashSet<>(TypeUtil.getProjectedIds(projected));
    List<Types.NestedField> fields = new ArrayList<>(projected.columns());
    for (FileScanTask t : List.of(before, after)) {
      for (DeleteFile d : t.deletes()) {
        if (d.content() == FileContent.EQUALITY_DELETES) {
          for (int id : d.equalityFieldIds()) {
            if (ids.add(id)) {
              fields.add(tableSchema.findField(id));
            }
          }
        }
      }
    }
    fields.add(MetadataColumns.ROW_POSITION);
    return new Schema(fields);
  }

  /** The deletes of one state of the file, asked row by row instead of filtering. */
  private static final class Deletes extends DeleteFilter<RowData> {
    private final RowDataWrapper wrapper;
    private final InputFilesDecryptor decryptor;
    @Nullable private final PositionDeleteIndex positions;

    Deletes(
        FileScanTask task,
        Schema tableSchema,
        Schema readSchema,
        RowType readType,
        InputFilesDecryptor decryptor) {
      super(task.file().path().toString(), task.deletes(), tableSchema, readSchema);
      if (!requiredSchema().sameSchema(readSchema)) {
        throw new IllegalStateException(
            "Delete columns missing from the read schema: " + requiredSchema());
      }
      this.wrapper = new RowDataWrapper(readType, readSchema.asStruct());
      this.decryptor = decryptor;
      this.positions = deletedRowPositions();
    }

    boolean deleted(RowData row, long pos) {
      return (positions != null && positions.isDeleted(pos)) || !eqDeletedRowFilter().test(row);
    }

    @Override
    protected StructLike asStructLike(RowData row) {
      return wrapper.wrap(row);
    }

    @Override
    protected InputFile getInputFile(String location) {
      return decryptor.getInputFile(location);
    }
  }

  /** One batch of a changed-file split's rows. */
  private static final class Batch implements RecordsWithSplitIds<RecordAndPosition<RowData>> {
    private final String splitId;
    private final List<RecordAndPosition<RowData>> records;
    private boolean splitTaken;
    private int at;

    Batch(String splitId, List<RecordAndPosition<RowData>> records) {
      this.splitId = splitId;
      this.records = records;
    }

    @Nullable
    @Override
    public String nextSplit() {
      if (splitTaken) {
        return null;
      }
      splitTaken = true;
      return splitId;
    }

    @Nullable
    @Override
    public RecordAndPosition<RowData> nextRecordFromSplit() {
      return at < records.size() ? records.get(at++) : null;
    }

    @Override
    public Set<String> finishedSplits() {
      return Set.of();
    }
  }
}
