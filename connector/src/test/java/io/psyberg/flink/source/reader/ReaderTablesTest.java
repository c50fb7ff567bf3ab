package io.psyberg.flink.source.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReaderTablesTest {
  private static final LocalDateTime DAY1 = LocalDateTime.of(2026, 1, 1, 8, 0);

  @TempDir Path dir;

  @Test
  void aTableIsLoadedOncePerReaderAndReloadedForASnapshotItDoesNotKnow() throws Exception {
    try (Warehouse wh = new Warehouse(dir)) {
      wh.createEventsTable("raw.events");
      long first = wh.append("raw.events", Warehouse.events("a", 2, DAY1));
      try (ReaderTables tables = new ReaderTables(wh.spec(), null, List.of())) {
        Table loaded = tables.table("raw.events", first);
        assertThat(tables.table("raw.events", first)).isSameAs(loaded);
        assertThat(tables.function("raw.events", first))
            .isSameAs(tables.function("raw.events", first));

        long second = wh.append("raw.events", Warehouse.events("b", 2, DAY1.plusDays(1)));
        Table reloaded = tables.table("raw.events", second);
        assertThat(reloaded).isNotSameAs(loaded);
        assertThat(reloaded.snapshot(second)).isNotNull();
        assertThat(tables.table("raw.events", first)).isSameAs(reloaded);
      }
    }
  }
}
