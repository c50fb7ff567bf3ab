package io.psyberg.flink.table;

import io.psyberg.flink.catalog.CatalogSpec;
import java.util.Map;
import org.apache.flink.configuration.ReadableConfig;

/** The validated options of one psyberg SQL table, with its resolved catalog. */
final class TableOptions {
  final String sqlName;
  final ReadableConfig options;
  final Map<String, String> raw;
  final CatalogSpec catalog;

  TableOptions(
      String sqlName, ReadableConfig options, Map<String, String> raw, CatalogSpec catalog) {
    this.sqlName = sqlName;
    this.options = options;
    this.raw = raw;
    this.catalog = catalog;
  }
}
