package io.psyberg.flink.catalog;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.TableLoader;

/**
 * A {@link TableLoader} for bounded reads ({@code IcebergSource} with {@code streaming(false)})
 * that loads {@link ReadOnlyTables} views: building such a source and planning its splits each load
 * the table, and with Iceberg's own loader each parsed a metadata file that lists every snapshot of
 * the table, so a run over a long history paid for the history twice per source.
 *
 * <p>A loaded view stays at the metadata it was loaded at and cannot commit: not for continuous
 * reads (their planner refreshes the table to see new snapshots) nor for writers.
 */
@PublicEvolving
public final class ReadOnlyTableLoader implements TableLoader {
  private static final long serialVersionUID = 1L;

  private final CatalogSpec catalog;
  // a name: Iceberg's TableIdentifier is not Serializable
  private final String table;
  private transient Catalog opened;

  private ReadOnlyTableLoader(CatalogSpec catalog, String table) {
    this.catalog = catalog;
    this.table = table;
  }

  /** A loader of {@code table} in {@code catalog}, opened on whichever JVM uses it. */
  public static ReadOnlyTableLoader of(CatalogSpec catalog, TableIdentifier table) {
    return new ReadOnlyTableLoader(catalog, table.toString());
  }

  @Override
  public void open() {
    if (opened == null) {
      opened = catalog.open();
    }
  }

  @Override
  public boolean isOpen() {
    return opened != null;
  }

  /** The table as it is now, read-only ({@link ReadOnlyTables#load}). */
  @Override
  public Table loadTable() {
    if (opened == null) {
      throw new IllegalStateException(
          "Table loader of " + table + " in catalog " + catalog.name() + " is not open");
    }
    return ReadOnlyTables.load(opened, TableIdentifier.parse(table));
  }

  @Override
  @SuppressWarnings({"checkstyle:NoClone", "checkstyle:SuperClone"})
  public ReadOnlyTableLoader clone() {
    return new ReadOnlyTableLoader(catalog, table);
  }

  @Override
  public void close() {
    Catalog c = opened;
    opened = null;
    CatalogSpec.closeQuietly(c);
  }

  @Override
  public String toString() {
    return "ReadOnlyTableLoader{catalog=" + catalog.name() + ", table=" + table + "}";
  }
}
