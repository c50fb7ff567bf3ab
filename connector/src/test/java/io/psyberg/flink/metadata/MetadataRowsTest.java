package io.psyberg.flink.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A large read on several threads gives the rows of the one-thread read, in the same order. */
class MetadataRowsTest {
  private static final LocalDateTime T0 = LocalDateTime.of(2026, 1, 1, 0, 0);

  @TempDir Path dir;

  @Test
  void readingFilesSideBySideKeepsTheLandingOrder() throws Exception {
    try (Warehouse wh = new Warehouse(dir)) {
      wh.createEventsTable("raw.events");
      long at = 0;
      for (int file = 0; file < 7; file++) {
        at = wh.append("raw.events", Warehouse.events("f" + file, 300, T0.plusDays(file)));
      }
      Table t = wh.load("raw.events");
      Expression odd = Expressions.notEqual("event_id", "f3-1");
      List<Record> one = MetadataRows.read(t, odd, at, task -> true);
      List<Record> three = MetadataRows.readInParallel(t, odd, at, task -> true, 3);
      assertThat(one).hasSize(7 * 300 - 1);
      assertThat(three.stream().map(r -> r.getField("event_id")).toList())
          .isEqualTo(one.stream().map(r -> r.getField("event_id")).toList());
      assertThat(three.get(0).getField("event_id")).isEqualTo("f0-0");
      assertThat(three.get(three.size() - 1).getField("event_id")).isEqualTo("f6-299");
      // Only some files: those the predicate accepts, still in order.
      List<Record> later =
          MetadataRows.readInParallel(
              t, Expressions.alwaysTrue(), at, task -> task.file().dataSequenceNumber() > 4, 2);
      assertThat(later).hasSize(3 * 300);
      assertThat(later.get(0).getField("event_id")).isEqualTo("f4-0");
      // Mapped while read: rows mapped to null are left out, the rest in the same order.
      List<String> firsts =
          MetadataRows.readInParallel(
              t,
              Expressions.alwaysTrue(),
              at,
              task -> true,
              3,
              r ->
                  r.getField("event_id").toString().endsWith("-0")
                      ? (String) r.getField("event_id")
                      : null);
      assertThat(firsts).containsExactly("f0-0", "f1-0", "f2-0", "f3-0", "f4-0", "f5-0", "f6-0");
    }
  }
}
