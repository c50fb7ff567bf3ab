package io.psyberg.flink.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Read-only views on a real Hadoop catalog: as current as a fresh load, parsed once. */
class ReadOnlyTablesTest {
  private static final Schema SCHEMA =
      new Schema(Types.NestedField.required(1, "id", Types.LongType.get()));
  private static final TableIdentifier ID = TableIdentifier.of("db", "t");

  @TempDir Path dir;

  private Table create(Catalog catalog) {
    if (!((SupportsNamespaces) catalog).namespaceExists(Namespace.of("db"))) {
      ((SupportsNamespaces) catalog).createNamespace(Namespace.of("db"));
    }
    return catalog.createTable(
        ID, SCHEMA, PartitionSpec.unpartitioned(), Map.of(TableProperties.FORMAT_VERSION, "2"));
  }

  private static void append(Table table, String file) {
    DataFile f =
        DataFiles.builder(PartitionSpec.unpartitioned())
            .withPath(table.location() + "/data/" + file + ".parquet")
            .withFileSizeInBytes(10)
            .withRecordCount(1)
            .build();
    table.newAppend().appendFile(f).commit();
  }

  private static TableMetadata metadataOf(Table view) {
    return ((HasTableOperations) view).operations().current();
  }

  @Test
  void aViewSeesEveryCommitOfAnotherCatalogAndParsesAMetadataFileOnce() {
    CatalogSpec spec = CatalogSpec.embedded(dir.toString());
    Catalog reads = spec.open();
    Catalog writes = spec.open();
    Table writer = create(writes);
    append(writer, "a");

    Table first = ReadOnlyTables.load(reads, ID);
    Table again = ReadOnlyTables.load(spec.open(), ID);
    assertThat(again.currentSnapshot().snapshotId())
        .isEqualTo(first.currentSnapshot().snapshotId());
    assertThat(metadataOf(again))
        .as("an unchanged table is not parsed again")
        .isSameAs(metadataOf(first));

    append(writer, "b");
    Table after = ReadOnlyTables.load(reads, ID);
    assertThat(after.currentSnapshot().snapshotId())
        .isEqualTo(writes.loadTable(ID).currentSnapshot().snapshotId())
        .isNotEqualTo(first.currentSnapshot().snapshotId());
    assertThat(first.currentSnapshot().snapshotId())
        .as("a view stays at the metadata it was loaded at")
        .isNotEqualTo(after.currentSnapshot().snapshotId());
  }

  @Test
  void aViewCannotCommit() {
    Catalog catalog = CatalogSpec.embedded(dir.toString()).open();
    create(catalog);
    Table view = ReadOnlyTables.load(catalog, ID);
    assertThatThrownBy(() -> append(view, "a")).isInstanceOf(UnsupportedOperationException.class);
    assertThat(catalog.loadTable(ID).currentSnapshot()).isNull();
  }

  @Test
  void aDroppedTableIsMissing() {
    Catalog catalog = CatalogSpec.embedded(dir.toString()).open();
    append(create(catalog), "a");
    assertThat(ReadOnlyTables.exists(catalog, ID)).isTrue();
    catalog.dropTable(ID, true);
    assertThat(ReadOnlyTables.exists(catalog, ID)).isFalse();
    assertThatThrownBy(() -> ReadOnlyTables.load(catalog, ID))
        .isInstanceOf(NoSuchTableException.class);
  }

  /**
   * A Hadoop table's metadata files are named by version: one created again under the same name
   * reaches the file name the view last read, with other contents.
   */
  @Test
  void aTableCreatedAgainUnderItsNameIsTheNewOne() throws Exception {
    Catalog catalog = CatalogSpec.embedded(dir.toString()).open();
    append(create(catalog), "a");
    Table before = ReadOnlyTables.load(catalog, ID);
    String oldUuid = before.uuid().toString();
    Path file = Path.of(URI.create(metadataOf(before).metadataFileLocation()));
    FileTime written = Files.getLastModifiedTime(file);
    catalog.dropTable(ID, true);
    Table created = create(catalog);
    append(created, "b");
    // file systems that keep seconds only could give both files one time; this one may not
    Files.setLastModifiedTime(file, FileTime.fromMillis(written.toMillis() + 2_000));
    Table view = ReadOnlyTables.load(catalog, ID);
    assertThat(view.uuid().toString()).isNotEqualTo(oldUuid).isEqualTo(created.uuid().toString());
  }

  @Test
  void aCatalogNotOpenedFromASpecLoadsAsItDoes() {
    Catalog catalog = CatalogSpec.embedded(dir.toString()).loader().loadCatalog();
    create(catalog);
    Table loaded = ReadOnlyTables.load(catalog, ID);
    append(loaded, "a");
    assertThat(catalog.loadTable(ID).currentSnapshot()).isNotNull();
  }
}
