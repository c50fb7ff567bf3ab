package io.psyberg.flink.source.reader;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.source.split.PsybergSplit;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.flink.source.reader.ReaderFunction;
import org.apache.iceberg.flink.source.reader.RecordAndPosition;
import org.apache.iceberg.flink.source.reader.RowDataReaderFunction;
import org.apache.iceberg.io.CloseableIterator;

/**
 * Reads splits one at a time with Iceberg's own RowData readers (Parquet, ORC, Avro), in batches,
 * from the split's recorded position. Changed-file splits go through {@link ChangedFileReader}.
 */
final class PsybergSplitReader implements SplitReader<RecordAndPosition<RowData>, PsybergSplit> {
  private final CatalogSpec catalogSpec;
  @Nullable private final List<String> projectedColumns;
  private final Map<String, ReaderFunction<RowData>> functions = new HashMap<>();
  private final Map<String, Table> tables = new HashMap<>();
  private final Queue<PsybergSplit> splits = new ArrayDeque<>();
  private Catalog catalog;
  private PsybergSplit current;
  private CloseableIterator<RecordsWithSplitIds<RecordAndPosition<RowData>>> batches;

  private final List<Expression> filters;

  PsybergSplitReader(
      CatalogSpec catalogSpec, @Nullable List<String> projectedColumns, List<Expression> filters) {
    this.filters = filters;
    this.catalogSpec = catalogSpec;
    this.projectedColumns = projectedColumns;
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
              ? ChangedFileReader.open(
                  current,
                  table(current.table()),
                  ReadSchemas.project(table(current.table()).schema(), projectedColumns),
                  filters)
              : function(current.table()).apply(current.icebergSplit());
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

  private Table table(String name) {
    return tables.computeIfAbsent(
        name,
        n -> {
          if (catalog == null) {
            catalog = catalogSpec.open();
          }
          return catalog.loadTable(TableIdentifier.parse(n));
        });
  }

  private ReaderFunction<RowData> function(String tableName) {
    return functions.computeIfAbsent(
        tableName,
        name -> {
          Table table = table(name);
          Schema projected = ReadSchemas.project(table.schema(), projectedColumns);
          return new RowDataReaderFunction(
              new Configuration(),
              table.schema(),
              projected,
              table.properties().get(TableProperties.DEFAULT_NAME_MAPPING),
              true,
              table.io(),
              table.encryption(),
              filters);
        });
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
    closeCurrent();
    CatalogSpec.close(catalog);
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
