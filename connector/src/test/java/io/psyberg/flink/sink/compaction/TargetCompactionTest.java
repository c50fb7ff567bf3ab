package io.psyberg.flink.sink.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.testutils.Pipelines;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction of a target's delete files on a real Iceberg table partitioned by a column: upserts by
 * key (an equality-delete file and a data file each) in two partitions of different sizes.
 */
class TargetCompactionTest {
  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Types.NestedField.required(1, "id", Types.LongType.get()),
              Types.NestedField.required(2, "part", Types.StringType.get()),
              Types.NestedField.optional(3, "v", Types.StringType.get())),
          Set.of(1, 2));

  @TempDir Path dir;
  private Warehouse wh;
  private Table table;
  private final Map<String, String> expected = new TreeMap<>();

  @BeforeEach
  void setUp() {
    wh = new Warehouse(dir);
    wh.createTable("facts.seed", SCHEMA);
    table =
        wh.catalog()
            .createTable(
                TableIdentifier.parse("facts.target"),
                SCHEMA,
                PartitionSpec.builderFor(SCHEMA).identity("part").build(),
                Map.of(TableProperties.FORMAT_VERSION, "2"));
    List<Record> rows = new ArrayList<>();
    for (long id = 1; id <= 100; id++) {
      rows.add(row(id, "big", "v0"));
    }
    for (long id = 1; id <= 10; id++) {
      rows.add(row(id, "small", "v0"));
    }
    var append = table.newAppend();
    wh.writeFiles(table, rows).forEach(append::appendFile);
    append.commit();
  }

  @AfterEach
  void tearDown() throws Exception {
    wh.close();
  }

  @Test
  void rewritesThePartitionsWithDeletesAndKeepsEveryLiveRow() throws Exception {
    for (int round = 1; round <= 3; round++) {
      upsert("big", round, round + 10);
      upsert("small", round, round + 1);
    }
    assertThat(deleteFiles()).isEqualTo(6);
    assertThat(new TargetCompaction(7, 1_000).compactIfDue(table, "p")).as("not due").isEmpty();

    var result = new TargetCompaction(6, 1_000).compactIfDue(table, "p");

    assertThat(result).isPresent();
    assertThat(result.get().partitions()).isEqualTo(2);
    assertThat(result.get().deleteFilesRemoved()).isEqualTo(6);
    assertThat(result.get().rows()).isEqualTo(110);
    table.refresh();
    assertThat(table.currentSnapshot().operation()).isEqualTo(DataOperations.REPLACE);
    assertThat(deleteFiles()).isZero();
    assertThat(liveRows()).isEqualTo(expected);

    // Deletes committed after the compaction still apply to the rewritten rows.
    upsert("big", 4, 50);
    upsert("small", 4, 5);
    assertThat(liveRows()).isEqualTo(expected);
  }

  @Test
  void leavesPartitionsOverTheRowCapToTheTablesMaintenance() throws Exception {
    upsert("big", 1, 20);
    upsert("small", 1, 3);

    var result = new TargetCompaction(2, 50).compactIfDue(table, "p");

    assertThat(result).isPresent();
    assertThat(result.get().partitions()).isEqualTo(1);
    assertThat(result.get().rows()).isEqualTo(10);
    table.refresh();
    assertThat(deleteFiles()).as("the big partition's delete file stays").isEqualTo(1);
    assertThat(liveRows()).isEqualTo(expected);
  }

  @Test
  void offNeverCompacts() {
    upsert("big", 1, 20);
    upsert("small", 1, 3);
    assertThat(TargetCompaction.OFF.compactIfDue(table, "p")).isEmpty();
    assertThat(deleteFiles()).isEqualTo(2);
  }

  /** Rows 1..{@code upTo} of {@code part} get value "v{@code round}": deletes, then new rows. */
  private void upsert(String part, int round, long upTo) {
    List<Record> keys = new ArrayList<>();
    List<Record> rows = new ArrayList<>();
    for (long id = 1; id <= upTo; id++) {
      keys.add(row(id, part, null));
      rows.add(row(id, part, "v" + round));
    }
    RowDelta delta = table.newRowDelta();
    wh.writeEqualityDeletes(table, keys, "id", "part").forEach(delta::addDeletes);
    wh.writeFiles(table, rows).forEach(delta::addRows);
    delta.commit();
    table.refresh();
  }

  private Record row(long id, String part, String v) {
    Record r = GenericRecord.create(SCHEMA);
    r.setField("id", id);
    r.setField("part", part);
    r.setField("v", v);
    if (v != null) {
      expected.put(part + "/" + id, v);
    }
    return r;
  }

  private long deleteFiles() {
    return Long.parseLong(
        table.currentSnapshot().summary().get(SnapshotSummary.TOTAL_DELETE_FILES_PROP));
  }

  private Map<String, String> liveRows() throws Exception {
    return Pipelines.rows(table).stream()
        .collect(
            Collectors.toMap(
                r -> r.getField("part") + "/" + r.getField("id"),
                r -> String.valueOf(r.getField("v")),
                (a, b) -> a + "|" + b,
                TreeMap::new));
  }
}
