package io.psyberg.flink.sink.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.testutils.Pipelines;
import io.psyberg.flink.testutils.Warehouse;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.DateTimeUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction of a table sorted by a timestamp column: the rewritten partition gets a file per day
 * of it, which a filter on recent days prunes, with every live row kept.
 */
class DayClusteredCompactionTest {
  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Types.NestedField.required(1, "id", Types.LongType.get()),
              Types.NestedField.required(2, "at", Types.TimestampType.withoutZone()),
              Types.NestedField.optional(3, "v", Types.StringType.get())),
          Set.of(1, 2));

  private static final LocalDateTime MAY_1 = LocalDateTime.of(2026, 5, 1, 0, 0);

  @TempDir Path dir;
  private Warehouse wh;
  private final Map<Long, String> expected = new TreeMap<>();

  @AfterEach
  void tearDown() throws Exception {
    if (wh != null) {
      wh.close();
    }
  }

  private Table create(String name, PartitionSpec spec, boolean sorted) {
    wh = wh == null ? new Warehouse(dir) : wh;
    var builder =
        wh.catalog()
            .buildTable(TableIdentifier.parse(name), SCHEMA)
            .withPartitionSpec(spec)
            .withProperty(TableProperties.FORMAT_VERSION, "2");
    if (sorted) {
      builder.withSortOrder(SortOrder.builderFor(SCHEMA).asc("at").build());
    }
    return builder.create();
  }

  @Test
  void sortedByTimestampGetsAFilePerDayThatRecentReadsPrune() throws Exception {
    Table table = create("facts.days", PartitionSpec.builderFor(SCHEMA).month("at").build(), true);
    // Three days of May, interleaved in one file as a first load writes them.
    List<Record> rows = new ArrayList<>();
    for (long id = 1; id <= 90; id++) {
      rows.add(row(id, MAY_1.plusDays(id % 3).plusHours(id % 24), "v0"));
    }
    append(table, rows);
    // A run retracting and rewriting ten rows of the third day.
    List<Record> rewritten = new ArrayList<>();
    for (long id = 2; id <= 29; id += 3) {
      rewritten.add(row(id, MAY_1.plusDays(2).plusHours(id % 24), "v1"));
    }
    upsert(table, rewritten);
    table.refresh();
    assertThat(dataFiles(table, Expressions.alwaysTrue())).hasSize(2);

    var result = new TargetCompaction(1, 1_000).compactIfDue(table, "p");

    assertThat(result).isPresent();
    assertThat(result.get().rows()).isEqualTo(90);
    table.refresh();
    List<DataFile> compacted = dataFiles(table, Expressions.alwaysTrue());
    assertThat(compacted).hasSize(3);
    for (DataFile f : compacted) {
      LocalDateTime lower = bound(f.lowerBounds().get(2));
      LocalDateTime upper = bound(f.upperBounds().get(2));
      assertThat(upper.toLocalDate()).as("one day per file").isEqualTo(lower.toLocalDate());
    }
    assertThat(liveRows(table)).isEqualTo(expected);
    // Rows from May 3 on: the May 1 and 2 files are pruned by their bounds.
    assertThat(
            dataFiles(
                table,
                Expressions.greaterThanOrEqual(
                    "at", DateTimeUtil.microsFromTimestamp(MAY_1.plusDays(2)))))
        .hasSize(1);
  }

  @Test
  void unsortedTableKeepsOneFilePerPartition() throws Exception {
    Table table =
        create("facts.unsorted", PartitionSpec.builderFor(SCHEMA).month("at").build(), false);
    List<Record> rows = new ArrayList<>();
    for (long id = 1; id <= 30; id++) {
      rows.add(row(id, MAY_1.plusDays(id % 3), "v0"));
    }
    append(table, rows);
    upsert(table, List.of(row(3, MAY_1, "v1")));

    assertThat(new TargetCompaction(1, 1_000).compactIfDue(table, "p")).isPresent();

    table.refresh();
    assertThat(dataFiles(table, Expressions.alwaysTrue())).hasSize(1);
    assertThat(liveRows(table)).isEqualTo(expected);
  }

  @Test
  void onlyThePartitionsLastDaysGetAFileEachAndTheEarlierOnesShareOne() throws Exception {
    Table table =
        create("facts.recent", PartitionSpec.builderFor(SCHEMA).month("at").build(), true);
    List<Record> rows = new ArrayList<>();
    for (long id = 1; id <= 100; id++) {
      rows.add(row(id, MAY_1.plusDays(id % 10).plusHours(id % 24), "v0"));
    }
    append(table, rows);
    upsert(table, List.of(row(10, MAY_1.plusHours(10), "v1")));

    assertThat(new TargetCompaction(1, 1_000).compactIfDue(table, "p")).isPresent();

    table.refresh();
    // May 4 to 10 a file each; May 1 to 3 one file.
    List<DataFile> compacted = dataFiles(table, Expressions.alwaysTrue());
    assertThat(compacted).hasSize(DayClustering.RECENT_DAYS + 1);
    LocalDateTime firstRecent = MAY_1.plusDays(10 - DayClustering.RECENT_DAYS);
    assertThat(compacted)
        .filteredOn(f -> bound(f.upperBounds().get(2)).isBefore(firstRecent))
        .singleElement()
        .satisfies(
            f ->
                assertThat(bound(f.lowerBounds().get(2)).toLocalDate())
                    .isEqualTo(MAY_1.toLocalDate()));
    assertThat(liveRows(table)).isEqualTo(expected);
    assertThat(
            dataFiles(
                table,
                Expressions.greaterThanOrEqual(
                    "at", DateTimeUtil.microsFromTimestamp(firstRecent))))
        .hasSize(DayClustering.RECENT_DAYS);
  }

  @Test
  void daysBeyondTheOpenFileCapShareTheirPartitionsFile() throws Exception {
    Table table = create("facts.many", PartitionSpec.builderFor(SCHEMA).month("at").build(), true);
    // Twelve months of eight days each: 84 recent days to cluster, over the cap of 64 open files.
    List<Record> rows = new ArrayList<>();
    long id = 0;
    for (int month = 0; month < 12; month++) {
      for (int day = 0; day <= DayClustering.RECENT_DAYS; day++) {
        rows.add(row(++id, MAY_1.plusMonths(month).plusDays(day), "v0"));
      }
    }
    append(table, rows);
    List<Record> rewritten = new ArrayList<>();
    for (int month = 0; month < 12; month++) {
      rewritten.add(
          row(1 + month * (DayClustering.RECENT_DAYS + 1), MAY_1.plusMonths(month), "v1"));
    }
    upsert(table, rewritten);

    assertThat(new TargetCompaction(1, 1_000).compactIfDue(table, "p")).isPresent();

    table.refresh();
    // 64 day files, and each month's file for its earlier days (and for its days past the cap).
    assertThat(dataFiles(table, Expressions.alwaysTrue()))
        .hasSize(PartitionFiles.MAX_DAY_FILES + 12);
    assertThat(liveRows(table)).isEqualTo(expected);
  }

  private static LocalDateTime bound(java.nio.ByteBuffer value) {
    Long micros = Conversions.fromByteBuffer(Types.TimestampType.withoutZone(), value);
    return DateTimeUtil.timestampFromMicros(micros);
  }

  private void append(Table table, List<Record> rows) {
    var append = table.newAppend();
    wh.writeFiles(table, rows).forEach(append::appendFile);
    append.commit();
    table.refresh();
  }

  /** Deletes the rows' keys (in their partitions) and writes the rows again, in one row delta. */
  private void upsert(Table table, List<Record> rows) {
    RowDelta delta = table.newRowDelta();
    wh.writeEqualityDeletes(table, rows, "id", "at").forEach(delta::addDeletes);
    wh.writeFiles(table, rows).forEach(delta::addRows);
    delta.commit();
    table.refresh();
  }

  private Record row(long id, LocalDateTime at, String v) {
    Record r = GenericRecord.create(SCHEMA);
    r.setField("id", id);
    r.setField("at", at);
    r.setField("v", v);
    expected.put(id, at + " " + v);
    return r;
  }

  private static List<DataFile> dataFiles(
      Table table, org.apache.iceberg.expressions.Expression filter) throws IOException {
    List<DataFile> out = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().filter(filter).includeColumnStats().planFiles()) {
      tasks.forEach(t -> out.add(t.file()));
    }
    return out;
  }

  private static Map<Long, String> liveRows(Table table) throws Exception {
    return Pipelines.rows(table).stream()
        .collect(
            Collectors.toMap(
                r -> (Long) r.getField("id"),
                r -> r.getField("at") + " " + r.getField("v"),
                (a, b) -> a + "|" + b,
                TreeMap::new));
  }
}
