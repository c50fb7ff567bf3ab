package io.psyberg.flink.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.WeakHashMap;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.hadoop.fs.Path;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.StaticTableOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.hadoop.HadoopFileIO;

/**
 * Read-only views of catalog tables for planning, each pinned to the table's current metadata, with
 * each metadata file parsed once per JVM. A table's metadata file lists every snapshot it keeps (a
 * source table of 1,000 daily snapshots: ~1 MB of JSON), and a bounded run reads its source and
 * targets a dozen times while it plans; loading the table each time parsed the file each time, a
 * cost that grew with the table's history, not with the new data.
 *
 * <p>A view is as current as a fresh load: the table is looked up in the catalog again (for the
 * embedded Hadoop catalog, whether a newer metadata file exists; for JDBC, the table's metadata
 * pointer) and its file parsed only when it changed. A view cannot commit and its {@code refresh()}
 * changes nothing: writers load the table from the catalog.
 */
@PublicEvolving
public final class ReadOnlyTables {
  private ReadOnlyTables() {}

  private static final int MAX_TABLES = 64;

  /** Catalogs opened by {@link CatalogSpec#open()}, by the spec that opened them. */
  private static final Map<Catalog, CatalogSpec> OPENED =
      Collections.synchronizedMap(new WeakHashMap<>());

  /** Tables kept current by refreshing, least recently used first. */
  private static final Map<Key, Live> LIVE =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Live> eldest) {
          return size() > MAX_TABLES;
        }
      };

  private record Key(CatalogSpec spec, TableIdentifier table) {}

  /**
   * A loaded table, refreshed under its lock, with the modification time of the metadata file it
   * stood at: a Hadoop table's files are named by version, so a table dropped and created again can
   * reach the same file name with other contents.
   */
  private static final class Live {
    final Table table;
    final TableOperations ops;
    final TableMetadata loaded;
    String location;
    long modified;

    Live(Table table) {
      this.table = table;
      this.ops = ((HasTableOperations) table).operations();
      this.loaded = ops.current();
      this.location = loaded.metadataFileLocation();
      this.modified = modified(table, location);
    }

    /** The table's metadata now, or null when it cannot be refreshed (dropped, replaced, ...). */
    synchronized TableMetadata refreshed() {
      try {
        TableMetadata current = ops.refresh();
        if (current == null) {
          return null;
        }
        long stamp = modified(table, current.metadataFileLocation());
        if (current.metadataFileLocation().equals(location) && stamp != modified) {
          return null;
        }
        location = current.metadataFileLocation();
        modified = stamp;
        return current;
      } catch (RuntimeException gone) {
        // loaded again from the catalog, which reports a dropped table as it does
        return null;
      }
    }

    private static long modified(Table table, String location) {
      if (!(table.io() instanceof HadoopFileIO)) {
        return -1;
      }
      try {
        Path path = new Path(location);
        return path.getFileSystem(((HadoopFileIO) table.io()).conf())
            .getFileStatus(path)
            .getModificationTime();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  static void opened(Catalog catalog, CatalogSpec spec) {
    if (spec.refreshesCheaply()) {
      OPENED.put(catalog, spec);
    }
  }

  /**
   * The table {@code id} of {@code catalog} as it is now, read-only. Throws what {@code
   * catalog.loadTable} throws for a table that does not exist. A catalog not opened by {@link
   * CatalogSpec#open()}, or one whose refresh re-reads the whole metadata (REST), gives its loaded
   * table as is.
   */
  public static Table load(Catalog catalog, TableIdentifier id) {
    CatalogSpec spec = OPENED.get(catalog);
    if (spec == null) {
      return catalog.loadTable(id);
    }
    Key key = new Key(spec, id);
    Live live;
    synchronized (LIVE) {
      live = LIVE.get(key);
    }
    if (live != null) {
      TableMetadata current = live.refreshed();
      if (current != null) {
        return view(live, current);
      }
      synchronized (LIVE) {
        LIVE.remove(key);
      }
    }
    Table loaded = catalog.loadTable(id);
    if (!(loaded instanceof HasTableOperations)) {
      return loaded;
    }
    try {
      live = new Live(loaded);
    } catch (RuntimeException e) {
      return loaded;
    }
    synchronized (LIVE) {
      LIVE.put(key, live);
    }
    return view(live, live.loaded);
  }

  /** Whether the table exists, answered as {@link #load} would (a metadata file parsed once). */
  public static boolean exists(Catalog catalog, TableIdentifier id) {
    try {
      load(catalog, id);
      return true;
    } catch (NoSuchTableException e) {
      return false;
    }
  }

  private static Table view(Live live, TableMetadata metadata) {
    return new BaseTable(new StaticTableOperations(metadata, live.table.io()), live.table.name());
  }
}
