package io.psyberg.flink.source.reader;

import io.psyberg.flink.source.split.PsybergSplit;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.Table;
import org.apache.iceberg.flink.source.reader.RecordAndPosition;
import org.apache.iceberg.io.CloseableIterator;

/**
 * Reads splits one at a time with Iceberg's own RowData readers (Parquet, ORC, Avro), in batches,
 * from the split's recorded position. Changed-file splits go through {@link ChangedFileReader}.
 */
final class PsybergSplitReader implements SplitReader<RecordAndPosition<RowData>, PsybergSplit> {
  private final ReaderTables tables;
  private final Queue<PsybergSplit> splits = new ArrayDeque<>();
  private PsybergSplit current;
  private CloseableIterator<RecordsWithSplitIds<RecordAndPosition<RowData>>> batches;

  /**
   * @param tables shared by the source reader's fetchers, closed with the source reader
   */
  PsybergSplitReader(ReaderTables tables) {
    this.tables = tables;
  }

  @Override
  public RecordsWithSplitIds<RecordAndPosition<RowData>> fetch() throws IOException {
    if (current == null) {
      current = splits.poll();
      if (current == null) {
        return new RecordsBySplits.Builder<RecordAndPosition<RowData>>().build();
      }
      batches =
          current.kind() == PsybergSplit.Kind.CHANGED
              ? changed(current)
              : tables
                  .function(current.table(), current.snapshotId())
                  .apply(current.icebergSplit());
    }
    if (batches.hasNext()) {
      return new RenamedBatch(batches.next(), current.splitId());
    }
    String finished = current.splitId();
    closeCurrent();
    RecordsBySplits.Builder<RecordAndPosition<RowData>> done = new RecordsBySplits.Builder<>();
    done.addFinishedSplit(finished);
    return done.build();
  }

  private CloseableIterator<RecordsWithSplitIds<RecordAndPosition<RowData>>> changed(
      PsybergSplit split) throws IOException {
    Table table = tables.table(split.table(), split.snapshotId());
    return ChangedFileReader.open(
        split,
        table,
        ReadSchemas.project(table.schema(), tables.projectedColumns()),
        tables.filters());
  }

  @Override
  public void handleSplitsChanges(SplitsChange<PsybergSplit> change) {
    if (!(change instanceof SplitsAddition)) {
      throw new UnsupportedOperationException("Unsupported split change " + change);
    }
    splits.addAll(change.splits());
  }

  @Override
  public void wakeUp() {}

  private void closeCurrent() throws IOException {
    if (batches != null) {
      batches.close();
    }
    batches = null;
    current = null;
  }

  @Override
  public void close() throws Exception {
    closeCurrent(); // the tables stay open for the source reader's next fetcher
  }

  /** An Iceberg batch under our split id (Iceberg names splits by their files). */
  private static final class RenamedBatch
      implements RecordsWithSplitIds<RecordAndPosition<RowData>> {
    private final RecordsWithSplitIds<RecordAndPosition<RowData>> delegate;
    private final String splitId;

    RenamedBatch(RecordsWithSplitIds<RecordAndPosition<RowData>> delegate, String splitId) {
      this.delegate = delegate;
      this.splitId = splitId;
    }

    @Nullable
    @Override
    public String nextSplit() {
      return delegate.nextSplit() == null ? null : splitId;
    }

    @Nullable
    @Override
    public RecordAndPosition<RowData> nextRecordFromSplit() {
      return delegate.nextRecordFromSplit();
    }

    @Override
    public Set<String> finishedSplits() {
      return Set.of();
    }

    @Override
    public void recycle() {
      delegate.recycle();
    }
  }
}
