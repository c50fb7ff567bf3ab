package io.psyberg.flink.planning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.metadata.SnapshotPoint;
import io.psyberg.flink.session.SourceRange;
import io.psyberg.flink.testutils.Maintenance;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Planning after snapshot expiry and compaction on the source (Iceberg's own maintenance APIs): the
 * session holds exactly the rows added since the high watermark, or fails saying the history was
 * compacted.
 */
class ExpiredSourceHistoryTest {
  private static final LocalDateTime DAY1 = LocalDateTime.of(2026, 1, 1, 8, 0);
  private static final String SRC = "membership.events";

  @TempDir Path dir;
  private Warehouse wh;

  @BeforeEach
  void setUp() {
    wh = new Warehouse(dir);
    wh.createEventsTable(SRC);
  }

  @AfterEach
  void tearDown() throws Exception {
    wh.close();
  }

  private SessionPlan plan(OnLostHighWatermark lost, Map<String, Long> positions) {
    SessionSettings settings =
        SessionSettings.builder("p1")
            .sourceTables(List.of(SRC))
            .onLostHighWatermark(lost)
            .changeRangeColumn("event_ts")
            .build();
    return new SessionPlanner(wh.catalog(), settings).plan("s", "job", positions);
  }

  /** The event ids a plan reads, from its files. */
  private List<String> idsRead(SessionPlan plan) {
    Table t = wh.load(SRC);
    List<String> ids = new ArrayList<>();
    plan.snapshots()
        .forEach(
            s -> {
              for (DataFile f : s.files()) {
                for (Record r : Maintenance.read(t, f)) {
                  ids.add((String) r.getField("event_id"));
                }
              }
            });
    return ids;
  }

  /** Plans from the start, as the first run of a process does, so its end point is recorded. */
  private long firstSession() {
    SessionPlan first = plan(OnLostHighWatermark.FAIL, Map.of());
    return first.session().range(SRC).toSnapshotId();
  }

  @Test
  void expiredHighWatermarkSnapshotAloneChangesNothing() {
    wh.append(SRC, Warehouse.events("a", 2, DAY1));
    long hwm = wh.append(SRC, Warehouse.events("b", 2, DAY1));
    wh.append(SRC, Warehouse.events("c", 3, DAY1));
    long head = wh.append(SRC, Warehouse.events("d", 1, DAY1));
    Table t = wh.load(SRC);
    t.expireSnapshots().expireSnapshotId(hwm).commit();

    SessionPlan plan = plan(OnLostHighWatermark.FAIL, Map.of(SRC, hwm));
    SourceRange r = plan.session().range(SRC);
    assertThat(r.fromSnapshotId()).isEqualTo(hwm);
    assertThat(r.toSnapshotId()).isEqualTo(head);
    assertThat(r.snapshotCount()).isEqualTo(2);
    assertThat(idsRead(plan)).containsExactlyInAnyOrder("c-0", "c-1", "c-2", "d-0");
  }

  @Test
  void retainLastOneAfterSeveralBatchesReadsExactlyTheUnreadRows() {
    wh.append(SRC, Warehouse.events("a", 2, DAY1));
    wh.append(SRC, Warehouse.events("b", 2, DAY1));
    long hwm = firstSession();
    wh.append(SRC, Warehouse.events("c", 3, DAY1));
    wh.append(SRC, Warehouse.events("d", 1, DAY1));
    long head = wh.append(SRC, Warehouse.events("e", 2, DAY1));
    Maintenance.retainLast(wh.load(SRC), 1);
    assertThat(wh.load(SRC).snapshot(hwm)).isNull();

    SessionPlan plan = plan(OnLostHighWatermark.FAIL, Map.of(SRC, hwm));
    SourceRange r = plan.session().range(SRC);
    assertThat(r.fromSnapshotId()).isEqualTo(hwm);
    assertThat(r.toSnapshotId()).isEqualTo(head);
    assertThat(r.recordCount()).isEqualTo(6);
    assertThat(idsRead(plan)).containsExactlyInAnyOrder("c-0", "c-1", "c-2", "d-0", "e-0", "e-1");
    // From the files' metrics, as for snapshots still there (a stateful run's lookback starts at
    // its minimum).
    assertThat(r.changeRange().min()).startsWith("2026-01-01T08:00");
    assertThat(r.changeRange().max()).startsWith("2026-01-01T08:02");
    // Nothing new after that: an empty session.
    assertThat(plan(OnLostHighWatermark.FAIL, Map.of(SRC, head)).session().hasNewSnapshots())
        .isFalse();
  }

  @Test
  void expiredUnreadSnapshotsFollowedByOnesStillThere() {
    wh.append(SRC, Warehouse.events("a", 2, DAY1));
    long hwm = firstSession();
    wh.append(SRC, Warehouse.events("b", 2, DAY1));
    wh.append(SRC, Warehouse.events("c", 1, DAY1));
    Maintenance.retainLast(wh.load(SRC), 1);
    wh.append(SRC, Warehouse.events("d", 1, DAY1));
    Maintenance.compactAll(wh, wh.load(SRC)); // a compaction still there: skipped as always
    wh.append(SRC, Warehouse.events("e", 1, DAY1));

    SessionPlan plan = plan(OnLostHighWatermark.FAIL, Map.of(SRC, hwm));
    assertThat(idsRead(plan)).containsExactlyInAnyOrder("b-0", "b-1", "c-0", "d-0", "e-0");
  }

  @Test
  void compactionOfUnreadRowsOnlyInsideTheExpiredStretchIsExact() {
    wh.append(SRC, Warehouse.events("a", 2, DAY1));
    long hwm = firstSession();
    wh.append(SRC, Warehouse.events("b", 2, DAY1));
    wh.append(SRC, Warehouse.events("c", 2, DAY1));
    Table t = wh.load(SRC);
    Set<String> processed = pathsLive(t, hwm);
    Maintenance.compact(wh, t, f -> !processed.contains(f.path().toString()));
    wh.append(SRC, Warehouse.events("d", 1, DAY1));
    Maintenance.retainLast(wh.load(SRC), 1);

    SessionPlan plan = plan(OnLostHighWatermark.FAIL, Map.of(SRC, hwm));
    assertThat(idsRead(plan)).containsExactlyInAnyOrder("b-0", "b-1", "c-0", "c-1", "d-0");
  }

  @Test
  void compactionOfProcessedRowsThatIsTheOnlySnapshotLeftIsSkipped() {
    wh.append(SRC, Warehouse.events("a", 2, DAY1));
    wh.append(SRC, Warehouse.events("b", 2, DAY1));
    long hwm = firstSession();
    wh.append(SRC, Warehouse.events("c", 2, DAY1));
    Table t = wh.load(SRC);
    Set<String> processed = pathsLive(t, hwm);
    Maintenance.compact(wh, t, f -> processed.contains(f.path().toString()));
    Maintenance.retainLast(wh.load(SRC), 1);

    SessionPlan plan = plan(OnLostHighWatermark.FAIL, Map.of(SRC, hwm));
    assertThat(idsRead(plan)).containsExactlyInAnyOrder("c-0", "c-1");
  }

  @Test
  void compactionMixingProcessedAndUnreadRowsThenExpiredFailsClearlyOrReprocessesByKey() {
    wh.append(SRC, Warehouse.events("a", 2, DAY1));
    wh.append(SRC, Warehouse.events("b", 2, DAY1));
    long hwm = firstSession();
    wh.append(SRC, Warehouse.events("c", 2, DAY1));
    Maintenance.compactAll(wh, wh.load(SRC));
    wh.append(SRC, Warehouse.events("d", 1, DAY1));
    Maintenance.retainLast(wh.load(SRC), 1);

    assertThatThrownBy(() -> plan(OnLostHighWatermark.FAIL, Map.of(SRC, hwm)))
        .isInstanceOf(PsybergException.class)
        .hasMessageContaining("Process p1")
        .hasMessageContaining(SRC)
        .hasMessageContaining("compacted")
        .hasMessageContaining("rewritten")
        .hasMessageContaining("Nothing was read or published")
        .hasMessageContaining("'on-lost-hwm' = 'reprocess-by-key'");

    SessionPlan again = plan(OnLostHighWatermark.REPROCESS_BY_KEY, Map.of(SRC, hwm));
    assertThat(again.session().range(SRC).fromSnapshotId()).isNull();
    assertThat(idsRead(again))
        .containsExactlyInAnyOrder("a-0", "a-1", "b-0", "b-1", "c-0", "c-1", "d-0");
  }

  @Test
  void expiredHighWatermarkWithoutRecordFailsSayingWhatToDo() {
    long hwm = wh.append(SRC, Warehouse.events("a", 2, DAY1));
    wh.append(SRC, Warehouse.events("b", 2, DAY1));
    wh.append(SRC, Warehouse.events("c", 2, DAY1));
    Maintenance.retainLast(wh.load(SRC), 1);

    assertThatThrownBy(() -> plan(OnLostHighWatermark.FAIL, Map.of(SRC, hwm)))
        .hasMessageContaining("Process p1")
        .hasMessageContaining("snapshot " + hwm)
        .hasMessageContaining("no record of its sequence number")
        .hasMessageContaining("'on-lost-hwm' = 'reprocess-by-key'");
  }

  @Test
  void rolledBackHighWatermarkIsStillReportedAsNotAnAncestor() {
    long s1 = wh.append(SRC, Warehouse.events("a", 2, DAY1));
    long hwm = wh.append(SRC, Warehouse.events("b", 2, DAY1));
    wh.load(SRC).manageSnapshots().rollbackTo(s1).commit();
    wh.append(SRC, Warehouse.events("c", 2, DAY1));

    assertThatThrownBy(() -> plan(OnLostHighWatermark.FAIL, Map.of(SRC, hwm)))
        .hasMessageContaining("snapshot " + hwm)
        .hasMessageContaining("no longer an ancestor of main");
  }

  @Test
  void firstRunAfterEarlySnapshotsExpiredReadsEveryLiveRow() {
    wh.append(SRC, Warehouse.events("a", 2, DAY1));
    wh.append(SRC, Warehouse.events("b", 2, DAY1));
    wh.append(SRC, Warehouse.events("c", 1, DAY1));
    Maintenance.retainLast(wh.load(SRC), 1);
    wh.append(SRC, Warehouse.events("d", 1, DAY1));

    SessionPlan plan = plan(OnLostHighWatermark.FAIL, Map.of());
    assertThat(idsRead(plan)).containsExactlyInAnyOrder("a-0", "a-1", "b-0", "b-1", "c-0", "d-0");
    assertThat(plan.session().range(SRC).recordCount()).isEqualTo(6);
  }

  @Test
  void manifestRewritesInsideTheExpiredStretchChangeNothing() {
    wh.append(SRC, Warehouse.events("a", 2, DAY1));
    long hwm = firstSession();
    wh.append(SRC, Warehouse.events("b", 2, DAY1));
    Maintenance.rewriteManifests(wh.load(SRC));
    wh.append(SRC, Warehouse.events("c", 1, DAY1));
    Maintenance.rewriteManifests(wh.load(SRC));
    Maintenance.retainLast(wh.load(SRC), 1);

    assertThat(idsRead(plan(OnLostHighWatermark.FAIL, Map.of(SRC, hwm))))
        .containsExactlyInAnyOrder("b-0", "b-1", "c-0");
  }

  @Test
  void pointsRoundTrip() {
    long s = wh.append(SRC, Warehouse.events("a", 2, DAY1));
    SnapshotPoint p = SnapshotPoint.of(wh.load(SRC).snapshot(s)).orElseThrow();
    assertThat(SnapshotPoint.parse(p.encode()).encode()).isEqualTo(p.encode());
    assertThat(p.totalRecords()).isEqualTo(2);
    assertThat(SnapshotPoint.parse("garbage")).isNull();
  }

  private static Set<String> pathsLive(Table t, long snapshotId) {
    Set<String> out = new java.util.HashSet<>();
    t.snapshot(snapshotId).addedDataFiles(t.io()).forEach(f -> out.add(f.path().toString()));
    for (Long id = t.snapshot(snapshotId).parentId(); id != null; id = t.snapshot(id).parentId()) {
      t.snapshot(id).addedDataFiles(t.io()).forEach(f -> out.add(f.path().toString()));
    }
    return out;
  }
}
