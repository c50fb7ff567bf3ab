package io.psyberg.flink.sink.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DayClusteringTest {
  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Types.NestedField.required(1, "id", Types.LongType.get()),
              Types.NestedField.optional(2, "ts", Types.TimestampType.withoutZone()),
              Types.NestedField.optional(3, "tz", Types.TimestampType.withZone()),
              Types.NestedField.optional(4, "d", Types.DateType.get())));

  @TempDir Path dir;

  @Test
  void daysOfTimestampTimestamptzAndDateSortColumnsAndNoneForOtherOrders() throws Exception {
    try (Warehouse wh = new Warehouse(dir)) {
      Record row = GenericRecord.create(SCHEMA);
      row.setField("id", 1L);
      row.setField("ts", LocalDateTime.of(2026, 5, 3, 23, 59));
      // 01:30 at +03:00 is still May 2 in UTC.
      row.setField("tz", OffsetDateTime.of(2026, 5, 3, 1, 30, 0, 0, ZoneOffset.ofHours(3)));
      row.setField("d", LocalDate.of(2026, 5, 4));
      long may3 = LocalDate.of(2026, 5, 3).toEpochDay();

      assertThat(clustering(wh, "t.ts", SortOrder.builderFor(SCHEMA).asc("ts").build()).day(row))
          .isEqualTo(may3);
      assertThat(clustering(wh, "t.tz", SortOrder.builderFor(SCHEMA).desc("tz").build()).day(row))
          .isEqualTo(may3 - 1);
      assertThat(clustering(wh, "t.d", SortOrder.builderFor(SCHEMA).asc("d").build()).day(row))
          .isEqualTo(may3 + 1);
      row.setField("ts", null);
      assertThat(clustering(wh, "t.null", SortOrder.builderFor(SCHEMA).asc("ts").build()).day(row))
          .isEqualTo(DayClustering.NO_DAY);

      assertThat(DayClustering.of(table(wh, "t.unsorted", SortOrder.unsorted()))).isEmpty();
      assertThat(
              DayClustering.of(table(wh, "t.id", SortOrder.builderFor(SCHEMA).asc("id").build())))
          .isEmpty();
      assertThat(
              DayClustering.of(
                  table(
                      wh,
                      "t.bucketed",
                      SortOrder.builderFor(SCHEMA).asc(Expressions.day("ts")).build())))
          .as("a transformed sort column")
          .isEmpty();
    }
  }

  private static DayClustering clustering(Warehouse wh, String name, SortOrder order) {
    return DayClustering.of(table(wh, name, order)).orElseThrow();
  }

  private static Table table(Warehouse wh, String name, SortOrder order) {
    return wh.catalog()
        .buildTable(TableIdentifier.parse(name), SCHEMA)
        .withPartitionSpec(PartitionSpec.unpartitioned())
        .withSortOrder(order)
        .create();
  }
}
