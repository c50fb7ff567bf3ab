package io.psyberg.flink.testutils;

import io.psyberg.flink.catalog.CatalogSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.deletes.EqualityDeleteWriter;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.types.Types;

/**
 * A temporary warehouse (the embedded Hadoop catalog, or any catalog a {@link CatalogSpec} names)
 * with helpers to create membership-event tables, land rows and read them back. Shared with the
 * other modules' tests through this module's test-jar.
 */
public final class Warehouse implements AutoCloseable {
  public static final Schema EVENTS =
      new Schema(
          Types.NestedField.required(1, "event_id", Types.StringType.get()),
          Types.NestedField.required(2, "account_id", Types.LongType.get()),
          Types.NestedField.required(3, "event_type", Types.StringType.get()),
          Types.NestedField.optional(4, "plan", Types.StringType.get()),
          Types.NestedField.required(5, "event_ts", Types.TimestampType.withoutZone()));

  @Nullable private final Path dir;
  private final CatalogSpec spec;
  private final Catalog catalog;
  private int taskIds;

  /** The embedded catalog over a warehouse folder. */
  public Warehouse(Path dir) {
    this(dir, CatalogSpec.embedded(dir.toString()));
  }

  /** Opens its own instance of the catalog, as a separate process would. */
  public Warehouse(CatalogSpec spec) {
    this(null, spec);
  }

  private Warehouse(@Nullable Path dir, CatalogSpec spec) {
    this.dir = dir;
    this.spec = spec;
    this.catalog = spec.open();
  }

  /** The warehouse folder, as the CLI's {@code --warehouse} takes it. */
  public String dir() {
    if (dir == null) {
      throw new IllegalStateException("this warehouse was opened from a catalog spec: " + spec);
    }
    return dir.toString();
  }

  public CatalogSpec spec() {
    return spec;
  }

  public Catalog catalog() {
    return catalog;
  }

  public Table createEventsTable(String name) {
    return createTable(name, EVENTS);
  }

  public Table createTable(String name, Schema schema) {
    TableIdentifier id = TableIdentifier.parse(name);
    SupportsNamespaces ns = (SupportsNamespaces) catalog;
    if (!ns.namespaceExists(id.namespace())) {
      ns.createNamespace(id.namespace());
    }
    return catalog.createTable(
        id, schema, PartitionSpec.unpartitioned(), Map.of(TableProperties.FORMAT_VERSION, "2"));
  }

  public Table load(String name) {
    return catalog.loadTable(TableIdentifier.parse(name));
  }

  /** The rows on the table's main branch; none when the table does not exist (yet). */
  public List<Record> rows(String name) {
    List<Record> out = new ArrayList<>();
    if (!catalog.tableExists(TableIdentifier.parse(name))) {
      return out;
    }
    Table t = load(name);
    if (t.currentSnapshot() == null) {
      return out;
    }
    try (CloseableIterable<Record> rows = IcebergGenerics.read(t).build()) {
      rows.forEach(r -> out.add(r.copy()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** An event row. */
  public static Record event(String id, long account, String type, String plan, LocalDateTime ts) {
    Record r = GenericRecord.create(EVENTS);
    r.setField("event_id", id);
    r.setField("account_id", account);
    r.setField("event_type", type);
    r.setField("plan", plan);
    r.setField("event_ts", ts);
    return r;
  }

  /** Appends the rows as one new snapshot (one data file) and returns its id. */
  public long append(String table, List<Record> rows) {
    Table t = load(table);
    t.newAppend().appendFile(writeFile(t, rows)).commit();
    return t.currentSnapshot().snapshotId();
  }

  /**
   * The rows as data files of the table, one per partition (one file for an unpartitioned table).
   */
  public List<DataFile> writeFiles(Table t, List<Record> rows) {
    Map<PartitionKey, List<Record>> parts = new LinkedHashMap<>();
    InternalRecordWrapper internal = new InternalRecordWrapper(t.schema().asStruct());
    for (Record row : rows) {
      PartitionKey key = new PartitionKey(t.spec(), t.schema());
      key.partition(internal.wrap(row));
      parts.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
    }
    GenericAppenderFactory factory = new GenericAppenderFactory(t.schema(), t.spec());
    OutputFileFactory files =
        OutputFileFactory.builderFor(t, 1, ++taskIds).format(FileFormat.PARQUET).build();
    List<DataFile> written = new ArrayList<>();
    for (Map.Entry<PartitionKey, List<Record>> part : parts.entrySet()) {
      DataWriter<Record> writer =
          factory.newDataWriter(
              files.newOutputFile(t.spec(), part.getKey()), FileFormat.PARQUET, part.getKey());
      try (DataWriter<Record> w = writer) {
        part.getValue().forEach(w::write);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      written.add(writer.toDataFile());
    }
    return written;
  }

  /**
   * Equality deletes of the rows' {@code keyColumns}, one file per partition of the rows (each in
   * the partition its row is in, as a row-level delete of those rows is written).
   */
  public List<DeleteFile> writeEqualityDeletes(Table t, List<Record> rows, String... keyColumns) {
    Schema key = t.schema().select(keyColumns);
    int[] ids = key.columns().stream().mapToInt(Types.NestedField::fieldId).toArray();
    GenericAppenderFactory factory =
        new GenericAppenderFactory(t.schema(), t.spec(), ids, key, null);
    OutputFileFactory files =
        OutputFileFactory.builderFor(t, 1, ++taskIds).format(FileFormat.PARQUET).build();
    Map<PartitionKey, List<Record>> parts = new LinkedHashMap<>();
    InternalRecordWrapper internal = new InternalRecordWrapper(t.schema().asStruct());
    for (Record row : rows) {
      PartitionKey partition = new PartitionKey(t.spec(), t.schema());
      partition.partition(internal.wrap(row));
      parts.computeIfAbsent(partition, k -> new ArrayList<>()).add(row);
    }
    List<DeleteFile> written = new ArrayList<>();
    for (Map.Entry<PartitionKey, List<Record>> part : parts.entrySet()) {
      PartitionKey partition = t.spec().isPartitioned() ? part.getKey() : null;
      EqualityDeleteWriter<Record> writer =
          factory.newEqDeleteWriter(
              partition == null ? files.newOutputFile() : files.newOutputFile(t.spec(), partition),
              FileFormat.PARQUET,
              partition);
      try (EqualityDeleteWriter<Record> w = writer) {
        for (Record row : part.getValue()) {
          Record k = GenericRecord.create(key);
          for (String column : keyColumns) {
            k.setField(column, row.getField(column));
          }
          w.write(k);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      written.add(writer.toDeleteFile());
    }
    return written;
  }

  public DataFile writeFile(Table t, List<Record> rows) {
    GenericAppenderFactory factory = new GenericAppenderFactory(t.schema(), t.spec());
    OutputFileFactory files =
        OutputFileFactory.builderFor(t, 1, ++taskIds).format(FileFormat.PARQUET).build();
    DataWriter<Record> writer =
        factory.newDataWriter(files.newOutputFile(), FileFormat.PARQUET, null);
    try (DataWriter<Record> w = writer) {
      rows.forEach(w::write);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return writer.toDataFile();
  }

  /**
   * {@code n} events for accounts starting at {@code firstAccount}, at the given day (ids are
   * unique per prefix).
   */
  public static List<Record> events(String prefix, int n, LocalDateTime at) {
    List<Record> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(event(prefix + "-" + i, i, "SIGNUP", "basic", at.plusMinutes(i)));
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    CatalogSpec.close(catalog);
  }
}
