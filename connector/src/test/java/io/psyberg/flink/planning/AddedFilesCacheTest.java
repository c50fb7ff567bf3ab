package io.psyberg.flink.planning;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache of what snapshots added: keyed by table and snapshot, bounded by files, and equal to
 * what the manifests say when a planning reads it back.
 */
class AddedFilesCacheTest {
  private static final LocalDateTime T0 = LocalDateTime.of(2026, 1, 1, 0, 0);

  @TempDir Path dir;

  @Test
  void holdsFilesPerTableAndSnapshotAndDropsTheLeastRecentlyUsed() throws Exception {
    try (Warehouse wh = new Warehouse(dir)) {
      Table a = wh.createEventsTable("db.a");
      Table b = wh.createEventsTable("db.b");
      DataFile one = wh.writeFile(a, Warehouse.events("a", 2, T0));
      DataFile two = wh.writeFile(a, Warehouse.events("b", 2, T0));
      AddedFilesCache cache = new AddedFilesCache(3);

      cache.put(a, 1L, List.of(one, two));
      cache.put(b, 1L, List.of(one));
      assertThat(cache.get(a, 1L)).containsExactly(one, two);
      assertThat(cache.get(b, 1L)).containsExactly(one);
      assertThat(cache.get(a, 2L)).isNull();

      cache.get(a, 1L); // now the most recently used
      cache.put(a, 2L, List.of(two)); // 4 files: b's snapshot goes
      assertThat(cache.get(b, 1L)).isNull();
      assertThat(cache.get(a, 1L)).containsExactly(one, two);
      assertThat(cache.files()).isEqualTo(3);

      cache.put(a, 3L, List.of(one, two, one, two)); // more than it may hold: not kept
      assertThat(cache.get(a, 3L)).isNull();
      assertThat(cache.files()).isEqualTo(3);
    }
  }

  @Test
  void aSecondPlanningOfTheSameRangeReadsWhatTheFirstRead() throws Exception {
    try (Warehouse wh = new Warehouse(dir)) {
      wh.createEventsTable("db.events");
      for (int i = 0; i < 3; i++) {
        wh.append("db.events", Warehouse.events("e" + i, 3, T0.plusDays(i)));
      }
      Table events = wh.load("db.events");
      Snapshot head = events.currentSnapshot();

      SessionSettings settings =
          SessionSettings.builder("p")
              .sourceTables(List.of("db.events"))
              .changeRangeColumn("event_ts")
              .build();
      SessionPlan first = new SessionPlanner(wh.catalog(), settings).plan("s-1", null, Map.of());
      for (Snapshot s : events.snapshots()) {
        assertThat(AddedFilesCache.shared().get(events, s.snapshotId()))
            .as("files of snapshot %s after the first planning", s.snapshotId())
            .isNotNull()
            .hasSize(1);
      }
      SessionPlan second = new SessionPlanner(wh.catalog(), settings).plan("s-2", null, Map.of());
      assertThat(second.session().ranges())
          .usingRecursiveComparison()
          .isEqualTo(first.session().ranges());
      assertThat(second.snapshots())
          .extracting(p -> p.snapshotId())
          .containsExactlyElementsOf(first.snapshots().stream().map(p -> p.snapshotId()).toList());
      assertThat(first.session().ranges().get(0).toSnapshotId()).isEqualTo(head.snapshotId());
    }
  }
}
