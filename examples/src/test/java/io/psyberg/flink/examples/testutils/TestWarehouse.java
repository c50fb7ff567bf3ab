package io.psyberg.flink.examples.testutils;

import io.psyberg.flink.catalog.CatalogSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;

/** A warehouse folder opened with the embedded catalog, to create tables, land rows, read them. */
public final class TestWarehouse implements AutoCloseable {
  private final Path dir;
  private final Catalog catalog;
  private int files;

  public TestWarehouse(Path dir) {
    this.dir = dir;
    this.catalog = CatalogSpec.embedded(dir.toString()).open();
  }

  /** The folder, as the CLI's --warehouse takes it. */
  public String dir() {
    return dir.toString();
  }

  public Catalog catalog() {
    return catalog;
  }

  public Table create(String name, Schema schema) {
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

  /** Appends the rows as one snapshot; returns its id. */
  public long append(String name, List<Record> rows) {
    Table t = load(name);
    GenericAppenderFactory factory = new GenericAppenderFactory(t.schema(), t.spec());
    OutputFileFactory out =
        OutputFileFactory.builderFor(t, 1, ++files).format(FileFormat.PARQUET).build();
    DataWriter<Record> writer =
        factory.newDataWriter(out.newOutputFile(), FileFormat.PARQUET, null);
    try (DataWriter<Record> w = writer) {
      rows.forEach(w::write);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    DataFile file = writer.toDataFile();
    t.newAppend().appendFile(file).commit();
    return t.currentSnapshot().snapshotId();
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

  @Override
  public void close() throws Exception {
    if (catalog instanceof AutoCloseable) {
      ((AutoCloseable) catalog).close();
    }
  }
}
