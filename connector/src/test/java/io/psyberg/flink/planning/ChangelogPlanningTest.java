package io.psyberg.flink.planning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.testutils.RandomHistory;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Planning of changelog sessions on real tables: what is read, and where history is cut. */
class ChangelogPlanningTest {
  private static final String TABLE = "lake.t";

  @TempDir Path dir;
  private Warehouse wh;
  private Table table;
  private RandomHistory history;

  @BeforeEach
  void setUp() {
    wh = new Warehouse(dir);
    table = RandomHistory.createTable(wh.catalog(), TABLE, true, true);
    history = RandomHistory.keyed(table, 3);
  }

  @AfterEach
  void tearDown() throws Exception {
    wh.close();
  }

  private SessionPlan plan(Long from, OnLostHighWatermark onLost) {
    return plan(from, onLost, 0);
  }

  private SessionPlan plan(Long from, OnLostHighWatermark onLost, int cap) {
    SessionSettings settings =
        SessionSettings.builder("p")
            .sourceTables(List.of(TABLE))
            .nonAppendSnapshots(NonAppendSnapshots.CHANGELOG)
            .onLostHighWatermark(onLost)
            .maxSnapshotsPerSession(cap)
            .build();
    return new SessionPlanner(wh.catalog(), settings).plan("s", "j", Map.of(TABLE, from));
  }

  /** Cost follows the change: an upsert of one key reads its new file and the one it touches. */
  @Test
  void anUpsertPlansOnlyTheFilesItsDeletesCanTouch() {
    // One file per partition (keys 0..11, partition k % 3), several snapshots deep.
    List<Integer> all = new ArrayList<>();
    for (int k = 0; k < 12; k++) {
      all.add(k);
    }
    history.upsert(all);
    history.upsert(List.of(0, 3));
    long from = history.upsert(List.of(1, 4));
    history.upsert(List.of(2));
    table.refresh();
    PlannedSnapshot upsert = plan(from, OnLostHighWatermark.FAIL).snapshots().get(0);
    List<FileChange> changes = upsert.changes();
    // Partition 2's older file (the first upsert's) holds key 2: read with its new delete, and
    // the new file. Files of partitions 0 and 1 are not touched.
    assertThat(changes).hasSize(2);
    assertThat(changes.get(0).before()).isNotNull();
    assertThat(changes.get(0).after()).isNotNull();
    assertThat(changes.get(0).file().partition().get(0, Integer.class)).isEqualTo(2);
    assertThat(changes.get(1).before()).isNull();
    assertThat(changes.get(1).after()).isEmpty();
  }

  @Test
  void aFileDeleteReadsTheRemovedFileAndACompactionNothing() {
    history.upsert(List.of(0, 1, 2));
    long from = history.upsert(List.of(3, 4));
    table.refresh();
    List<DataFile> live = new ArrayList<>();
    table.snapshot(from).addedDataFiles(table.io()).forEach(live::add);
    table.newDelete().deleteFile(live.get(0)).commit();
    history.compact();
    table.refresh();
    assertThat(table.currentSnapshot().operation()).isEqualTo("replace");
    SessionPlan plan = plan(from, OnLostHighWatermark.FAIL);
    assertThat(plan.session().range(TABLE).snapshotCount()).isEqualTo(2);
    assertThat(plan.snapshots()).hasSize(1);
    assertThat(plan.snapshots().get(0).changes()).hasSize(1);
    assertThat(plan.snapshots().get(0).changes().get(0).after()).isNull();
    assertThat(plan.session().range(TABLE).toSnapshotId())
        .isEqualTo(table.currentSnapshot().snapshotId());
  }

  @Test
  void theCatchUpCapTakesTheOldestSnapshotsFirst() {
    long from = history.upsert(List.of(0, 1, 2));
    long second = history.upsert(List.of(0));
    history.upsert(List.of(1));
    SessionPlan plan = plan(from, OnLostHighWatermark.FAIL, 1);
    assertThat(plan.capped()).isTrue();
    assertThat(plan.session().range(TABLE).toSnapshotId()).isEqualTo(second);
    assertThat(plan.snapshots()).extracting(PlannedSnapshot::snapshotId).containsExactly(second);
  }

  @Test
  void changesWhoseParentSnapshotWasExpiredFailNamingTableSnapshotAndWhatToDo() {
    history.upsert(List.of(0, 1, 2));
    long hwm = history.upsert(List.of(3, 4));
    long change = history.upsert(List.of(0, 3));
    table.expireSnapshots().expireSnapshotId(hwm).commit();
    table.refresh();
    assertThat(table.snapshot(hwm)).isNull();

    assertThatThrownBy(() -> plan(hwm, OnLostHighWatermark.FAIL))
        .isInstanceOf(PsybergException.class)
        .hasMessageContaining("Process p")
        .hasMessageContaining("source table " + TABLE)
        .hasMessageContaining("snapshot " + change)
        .hasMessageContaining("'on-lost-hwm' = 'reprocess-by-key'")
        .hasMessageContaining("Nothing was read or published");

    // The way out: every live row of that snapshot, as inserts.
    SessionPlan plan = plan(hwm, OnLostHighWatermark.REPROCESS_BY_KEY);
    List<FileChange> changes = plan.snapshots().get(0).changes();
    assertThat(changes).allSatisfy(c -> assertThat(c.before()).isNull());
    long liveFiles = 0;
    for (var task : table.newScan().planFiles()) {
      liveFiles++;
    }
    assertThat(changes).hasSize((int) liveFiles);
  }

  /**
   * Snapshots expired inside the range (their files deleted from storage too): the stretch up to
   * the oldest snapshot after the cut is the net difference of the files live at the range's start
   * and there; a file that lived only in between is not read.
   */
  @Test
  void expiredSnapshotsInsideTheRangeArePlannedAsTheNetDifferenceOfLiveFiles() {
    List<Integer> all = new ArrayList<>();
    for (int k = 0; k < 12; k++) {
      all.add(k);
    }
    long from = history.upsert(all);
    long between = history.upsert(List.of(0, 3));
    List<String> betweenFiles = new ArrayList<>();
    table.snapshot(between).addedDataFiles(table.io()).forEach(f -> betweenFiles.add(path(f)));
    // Removes the file 'between' added: it lived only in snapshots that are expired below.
    DataFile added = table.snapshot(between).addedDataFiles(table.io()).iterator().next().copy();
    table.newDelete().deleteFile(added).commit();
    table.refresh();
    long gone = table.currentSnapshot().snapshotId();
    long after = history.upsert(List.of(1));
    long to = history.upsert(List.of(2));
    table
        .expireSnapshots()
        .expireSnapshotId(between)
        .expireSnapshotId(gone)
        .cleanExpiredFiles(true)
        .commit();
    table.refresh();
    assertThat(table.snapshot(gone)).isNull();
    assertThat(betweenFiles).noneMatch(p -> table.io().newInputFile(p).exists());

    SessionPlan plan = plan(from, OnLostHighWatermark.FAIL);
    assertThat(plan.session().range(TABLE).fromSnapshotId()).isEqualTo(from);
    assertThat(plan.session().range(TABLE).toSnapshotId()).isEqualTo(to);
    assertThat(plan.snapshots()).extracting(PlannedSnapshot::snapshotId).containsExactly(after, to);
    List<FileChange> stretch = plan.snapshots().get(0).changes();
    // Partitions 0 and 1 changed in the stretch (keys 0 and 3 deleted, 1 replaced): their old
    // file with its new deletes, and the file live at 'after' that was not live at 'from'.
    assertThat(stretch).allSatisfy(c -> assertThat(path(c.file())).isIn(liveAt(from, after)));
    assertThat(stretch).noneMatch(c -> betweenFiles.contains(path(c.file())));
    assertThat(stretch).noneMatch(c -> c.file().partition().get(0, Integer.class) == 2);
    assertThat(stretch)
        .filteredOn(c -> c.before() != null && c.after() != null)
        .extracting(c -> c.file().partition().get(0, Integer.class))
        .containsExactlyInAnyOrder(0, 1);
    assertThat(stretch)
        .filteredOn(c -> c.before() == null)
        .extracting(c -> c.file().partition().get(0, Integer.class))
        .containsExactly(1);
    // Removals, then files whose deletes changed, then additions.
    int firstAdded =
        stretch.indexOf(stretch.stream().filter(c -> c.before() == null).findFirst().get());
    assertThat(stretch.subList(firstAdded, stretch.size())).allMatch(c -> c.before() == null);
  }

  @Test
  void anExpiredStartFailsEvenWhenSnapshotsAfterItAreExpiredToo() {
    long first = history.upsert(List.of(0, 1, 2));
    long hwm = history.upsert(List.of(3, 4));
    long between = history.upsert(List.of(0, 3));
    history.upsert(List.of(1));
    table.expireSnapshots().expireSnapshotId(hwm).expireSnapshotId(between).commit();
    table.refresh();
    assertThat(table.snapshot(first)).isNotNull();
    assertThatThrownBy(() -> plan(hwm, OnLostHighWatermark.FAIL))
        .isInstanceOf(PsybergException.class)
        .hasMessageContaining("source table " + TABLE)
        .hasMessageContaining("snapshot " + hwm)
        .hasMessageContaining("'on-lost-hwm' = 'reprocess-by-key'");
  }

  /** A table without identifier fields (and no 'changelog-key') is marked in its range. */
  @Test
  void aKeylessTableIsMarkedInTheSessionRecordUnlessAKeyOptionIsSet() {
    history.upsert(List.of(0, 1));
    Table keyless = RandomHistory.createTable(wh.catalog(), "lake.u", false, false);
    new RandomHistory(keyless, 5).append();
    for (List<String> key : List.of(List.<String>of(), List.of("k"))) {
      SessionSettings settings =
          SessionSettings.builder("p")
              .sourceTables(List.of(TABLE, "lake.u"))
              .nonAppendSnapshots(NonAppendSnapshots.CHANGELOG)
              .changelogKey(key)
              .build();
      SessionPlan plan = new SessionPlanner(wh.catalog(), settings).plan("s", "j", Map.of());
      assertThat(plan.session().range(TABLE).note()).isNull();
      assertThat(plan.session().range("lake.u").note())
          .isEqualTo(key.isEmpty() ? ChangelogRange.KEYLESS_NOTE : null);
    }
  }

  private List<String> liveAt(long... snapshots) {
    List<String> out = new ArrayList<>();
    for (long s : snapshots) {
      for (var task : table.newScan().useSnapshot(s).planFiles()) {
        out.add(path(task.file()));
      }
    }
    return out;
  }

  private static String path(org.apache.iceberg.ContentFile<?> f) {
    return f.path().toString();
  }
}
