package io.psyberg.flink.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.util.InstantiationUtil;
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
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader bounded Iceberg sources get: read-only views, each metadata file parsed once. */
class ReadOnlyTableLoaderTest {
  private static final TableIdentifier ID = TableIdentifier.of("db", "t");

  @TempDir Path dir;

  private static TableMetadata metadataOf(Table table) {
    return ((HasTableOperations) table).operations().current();
  }

  private Table create(Catalog catalog) {
    ((SupportsNamespaces) catalog).createNamespace(Namespace.of("db"));
    return catalog.createTable(
        ID,
        new Schema(Types.NestedField.required(1, "id", Types.LongType.get())),
        PartitionSpec.unpartitioned(),
        Map.of(TableProperties.FORMAT_VERSION, "2"));
  }

  private static void append(Table table, String file) {
    table
        .newAppend()
        .appendFile(
            DataFiles.builder(PartitionSpec.unpartitioned())
                .withPath(table.location() + "/data/" + file + ".parquet")
                .withFileSizeInBytes(10)
                .withRecordCount(1)
                .build())
        .commit();
  }

  @Test
  void loadsAfterCloseAndInACopyWithoutParsingTheMetadataAgain() throws Exception {
    CatalogSpec spec = CatalogSpec.embedded(dir.toString());
    Catalog writes = spec.open();
    Table writer = create(writes);
    append(writer, "a");

    ReadOnlyTableLoader loader = ReadOnlyTableLoader.of(spec, ID);
    assertThat(loader.isOpen()).isFalse();
    loader.open();
    Table first = loader.loadTable();
    // IcebergSource closes its loader after building and plans with a deserialized copy
    loader.close();
    ReadOnlyTableLoader shipped = InstantiationUtil.clone(loader.clone());
    shipped.open();
    Table planned = shipped.loadTable();
    assertThat(metadataOf(planned)).isSameAs(metadataOf(first));

    append(writer, "b");
    assertThat(shipped.loadTable().currentSnapshot().snapshotId())
        .as("a load after a commit sees it")
        .isEqualTo(writes.loadTable(ID).currentSnapshot().snapshotId())
        .isNotEqualTo(first.currentSnapshot().snapshotId());
    assertThatThrownBy(() -> append(shipped.loadTable(), "c"))
        .isInstanceOf(UnsupportedOperationException.class);
    shipped.close();
  }

  @Test
  void aLoadBeforeOpenNamesTheTable() {
    ReadOnlyTableLoader loader = ReadOnlyTableLoader.of(CatalogSpec.embedded(dir.toString()), ID);
    assertThatThrownBy(loader::loadTable)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("db.t")
        .hasMessageContaining("not open");
  }
}
