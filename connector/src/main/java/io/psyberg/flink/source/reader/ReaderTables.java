package io.psyberg.flink.source.reader;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.catalog.ReadOnlyTables;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.flink.source.reader.ReaderFunction;
import org.apache.iceberg.flink.source.reader.RowDataReaderFunction;

/**
 * The source tables and their Iceberg reader functions, loaded once per source reader: Flink closes
 * an idle split fetcher and starts a new one for the next split, and loading a table parses its
 * whole metadata file, so a per-fetcher load made a session of many splits cost splits x history. A
 * split of a snapshot the loaded table does not know yet reloads it.
 */
final class ReaderTables implements AutoCloseable {
  private final CatalogSpec catalogSpec;
  @Nullable private final List<String> projectedColumns;
  private final List<Expression> filters;
  private final Map<String, Table> tables = new HashMap<>();
  private final Map<String, ReaderFunction<RowData>> functions = new HashMap<>();
  @Nullable private Catalog catalog;

  ReaderTables(
      CatalogSpec catalogSpec, @Nullable List<String> projectedColumns, List<Expression> filters) {
    this.catalogSpec = catalogSpec;
    this.projectedColumns = projectedColumns;
    this.filters = filters;
  }

  /** The table as of a metadata version that holds {@code snapshotId}. */
  synchronized Table table(String name, long snapshotId) {
    Table table = tables.get(name);
    if (table == null || table.snapshot(snapshotId) == null) {
      if (catalog == null) {
        catalog = catalogSpec.open();
      }
      table = ReadOnlyTables.load(catalog, TableIdentifier.parse(name));
      tables.put(name, table);
      functions.remove(name);
    }
    return table;
  }

  /** Iceberg's RowData reader function for the table's splits (projection and filters applied). */
  synchronized ReaderFunction<RowData> function(String name, long snapshotId) {
    Table table = table(name, snapshotId);
    return functions.computeIfAbsent(
        name,
        n -> {
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

  @Nullable
  List<String> projectedColumns() {
    return projectedColumns;
  }

  List<Expression> filters() {
    return filters;
  }

  @Override
  public synchronized void close() throws IOException {
    tables.clear();
    functions.clear();
    CatalogSpec.close(catalog);
    catalog = null;
  }
}
