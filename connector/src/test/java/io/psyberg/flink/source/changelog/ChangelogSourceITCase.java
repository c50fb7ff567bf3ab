package io.psyberg.flink.source.changelog;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.metadata.SummaryKeys;
import io.psyberg.flink.planning.NonAppendSnapshots;
import io.psyberg.flink.planning.StartFrom;
import io.psyberg.flink.source.ChangelogUpdates;
import io.psyberg.flink.source.PsybergSource;
import io.psyberg.flink.source.PsybergSourceBuilder;
import io.psyberg.flink.testutils.Maintenance;
import io.psyberg.flink.testutils.RandomHistory;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import javax.annotation.Nullable;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The changelog contract on real tables and real jobs: for random histories of appends, overwrites,
 * file deletes, equality and position deletes and compactions, the changes the source emits for a
 * range (from, to], applied in emitted order to the table's rows at from, give exactly its rows at
 * to; no delete ever removes a row that is not there.
 */
class ChangelogSourceITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final String TABLE = "lake.changing";

  @TempDir Path dir;
  private Warehouse wh;
  private int runs;

  @BeforeEach
  void setUp() {
    wh = new Warehouse(dir);
  }

  @AfterEach
  void tearDown() throws Exception {
    wh.close();
  }

  static Stream<Arguments> seeds() {
    long base = Long.getLong("changelog.seed", System.nanoTime());
    List<Arguments> out = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      out.add(Arguments.of(base + i, true));
      out.add(Arguments.of(base + 100 + i, false));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "seed {0}, partitioned {1}")
  @MethodSource("seeds")
  void changesOfAnyRangeTurnTheRowsAtFromIntoTheRowsAtTo(long seed, boolean partitioned)
      throws Exception {
    Table table = create(partitioned);
    RandomHistory history = new RandomHistory(table, seed);
    List<Long> snapshots = history.steps(14);
    Random pick = new Random(seed);
    String context = "seed " + seed + " (rerun with -Dchangelog.seed=...), steps " + history.log();
    // The whole history, then random ranges of one or more snapshots.
    checkRange(history, null, snapshots.get(snapshots.size() - 1), context);
    for (int i = 0; i < 3; i++) {
      int a = pick.nextInt(snapshots.size());
      int b = a + pick.nextInt(snapshots.size() - a);
      Long from = a == 0 ? null : snapshots.get(a - 1);
      checkRange(history, from, snapshots.get(b), context);
    }
  }

  /**
   * On a table keyed by {@code k}, the changes applied in emitted order as an upsert sink applies
   * them (a delete drops the key, an insert sets it) give the rows at to: a key's removal comes
   * before its new row.
   */
  @ParameterizedTest(name = "seed {0}, partitioned {1}")
  @MethodSource("seeds")
  void changesAppliedByKeyInEmittedOrderGiveTheRowsAtTo(long seed, boolean partitioned)
      throws Exception {
    Table table = create(partitioned);
    RandomHistory history = RandomHistory.keyed(table, seed);
    List<Long> snapshots = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      snapshots.add(history.step());
    }
    Random pick = new Random(seed);
    int a = pick.nextInt(snapshots.size());
    Long from = a == 0 ? null : snapshots.get(a - 1);
    long to = snapshots.get(snapshots.size() - 1);
    List<String> changes = read(from, to);
    Map<String, String> byKey = new HashMap<>();
    for (Record r : history.rowsAt(from)) {
      byKey.put(String.valueOf(r.getField("k")), RandomHistory.render(r));
    }
    for (String change : changes) {
      String row = change.substring(3);
      String key = row.split(",")[1];
      if (change.startsWith("+")) {
        byKey.put(key, row);
      } else {
        byKey.remove(key);
      }
    }
    Map<String, Integer> upserted = new HashMap<>();
    byKey.values().forEach(r -> upserted.merge(r, 1, Integer::sum));
    assertThat(upserted)
        .as(
            "seed %d (rerun with -Dchangelog.seed=...), steps %s, range (%s, %s], changes %s",
            seed, history.log(), from, to, changes)
        .isEqualTo(multiset(history.rowsAt(to)));
  }

  static Stream<Arguments> expirySeeds() {
    long base = Long.getLong("changelog.seed", System.nanoTime());
    List<Arguments> out = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      out.add(Arguments.of(base + 200 + i, i % 2 == 0, i < 2));
    }
    return out.stream();
  }

  /**
   * The same contract when snapshots strictly between from and to were expired (by id, or by
   * retaining the newest few with tags holding from and to), with or without deleting the files
   * only they referenced: the changes of (from, to] still turn the rows at from into the rows at
   * to.
   */
  @ParameterizedTest(name = "seed {0}, partitioned {1}, files cleaned {2}")
  @MethodSource("expirySeeds")
  void changesAcrossExpiredSnapshotsTurnTheRowsAtFromIntoTheRowsAtTo(
      long seed, boolean partitioned, boolean cleanFiles) throws Exception {
    Table table = create(partitioned);
    RandomHistory history = new RandomHistory(table, seed);
    List<Long> snapshots = history.steps(14);
    Random pick = new Random(seed);
    int size = snapshots.size();
    int a = pick.nextInt(size - 2);
    int b = a + 2 + pick.nextInt(size - a - 2);
    long from = snapshots.get(a);
    long to = snapshots.get(b);
    List<Record> atFrom = history.rowsAt(from);
    List<Record> atTo = history.rowsAt(to);
    String how = expireBetween(table, snapshots, a, b, pick, cleanFiles);
    table.refresh();
    assertThat(table.snapshot(from)).isNotNull();
    assertThat(table.snapshot(to)).isNotNull();
    // Iceberg 1.6's file cleanup, on expiring snapshots inside the history, at times deletes files
    // that snapshots it keeps still reference; then no reader can read from or to at all.
    List<String> lost = Maintenance.missingFiles(table, from, to);
    Assumptions.assumeTrue(
        lost.isEmpty(),
        "seed "
            + seed
            + ": Iceberg's expiry ("
            + how
            + ") deleted files still referenced: "
            + lost);
    String context =
        String.format(
            "seed %d (rerun with -Dchangelog.seed=...), steps %s, range (%s, %s], expired %s",
            seed, history.log(), from, to, how);
    List<String> changes = readAfter(from, to);
    assertThat(apply(atFrom, changes, context))
        .as("%s: changes %s", context, changes)
        .isEqualTo(multiset(atTo));
  }

  /**
   * Expires a random non-empty set of the snapshots strictly between positions a and b: by id, or
   * all of main but the newest few, with tags holding a and b.
   */
  private static String expireBetween(
      Table table, List<Long> snapshots, int a, int b, Random pick, boolean cleanFiles) {
    org.apache.iceberg.ExpireSnapshots expire =
        table.expireSnapshots().cleanExpiredFiles(cleanFiles);
    if (pick.nextBoolean()) {
      List<Long> ids = new ArrayList<>();
      for (int i = a + 1; i < b; i++) {
        if (ids.isEmpty() && i == b - 1 || pick.nextBoolean()) {
          ids.add(snapshots.get(i));
          expire.expireSnapshotId(snapshots.get(i));
        }
      }
      expire.commit();
      return "by id " + ids;
    }
    int size = snapshots.size();
    // Keeps the newest n, at most up to a + 2: a + 1 at least is expired.
    int n = 1 + pick.nextInt(size - a - 2);
    table.manageSnapshots().createTag("range-from", snapshots.get(a)).commit();
    table.manageSnapshots().createTag("range-to", snapshots.get(b)).commit();
    expire.expireOlderThan(Long.MAX_VALUE).retainLast(n).commit();
    return "all but the newest " + n + " and tagged from and to";
  }

  @Test
  void aRowInsertedAndDeletedInOneSessionComesAsInsertThenDelete() throws Exception {
    Table table = create(false);
    RandomHistory history = new RandomHistory(table, 1);
    long first = history.append();
    history.upsert(List.of(3));
    // Two rows of key 3 in one commit: the first is position-deleted in the same commit.
    history.upsert(List.of(3, 3));
    long last = history.upsert(List.of(3));
    List<String> changes = read(first, last);

    Map<String, Integer> inserted = new HashMap<>();
    int insertedThenDeleted = 0;
    for (int i = 0; i < changes.size(); i++) {
      String row = changes.get(i).substring(3);
      if (changes.get(i).startsWith("+I")) {
        inserted.put(row, i);
      } else if (inserted.containsKey(row)) {
        insertedThenDeleted++;
      }
    }
    // The rows of the first two upserts are added and removed inside the session.
    assertThat(insertedThenDeleted).as("changes %s", changes).isEqualTo(2);
    // The row replaced within its own commit never shows.
    assertThat(changes).as("changes %s", changes).hasSize(2 * 2 + 1 + countKey3(history, first));
    assertThat(apply(history.rowsAt(first), changes, "single key"))
        .isEqualTo(multiset(history.rowsAt(last)));
  }

  private static int countKey3(RandomHistory history, long snapshot) {
    int n = 0;
    for (Record r : history.rowsAt(snapshot)) {
      if ((Integer) r.getField("k") == 3) {
        n++;
      }
    }
    return n;
  }

  /**
   * A key updated several times in one session: with the table's identifier field (or the
   * 'changelog-key' option) each removal of the key and the next addition become -U/+U, in commit
   * order; a table without a key keeps -D/+I.
   */
  @ParameterizedTest(name = "key from {0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"identifier", "option", "none"})
  void aKeyUpdatedSeveralTimesInOneSessionComesAsUpdatesInOrder(String keySource) throws Exception {
    Table table =
        RandomHistory.createTable(wh.catalog(), TABLE, keySource.equals("identifier"), false);
    RandomHistory history = RandomHistory.keyed(table, 11);
    long first = history.upsert(List.of(3));
    history.upsert(List.of(3));
    history.upsert(List.of(3, 3));
    long last = history.upsert(List.of(3));
    PsybergSource source =
        changelogSource(first, last, keySource.equals("option") ? List.of("k") : List.of());
    List<String> keys = source.changelogKey();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    org.apache.flink.streaming.api.datastream.DataStream<RowData> changes =
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "changes");
    if (!keys.isEmpty()) {
      changes = ChangelogUpdates.pairByKey(changes, source.rowType(), keys);
    }
    List<String> out = new ArrayList<>();
    try (CloseableIterator<String> it =
        changes.map(ChangelogSourceITCase::render).executeAndCollect()) {
      it.forEachRemaining(out::add);
    }
    // The session record says when changes stay -D/+I for want of a key.
    String note =
        new SessionLog(wh.catalog(), "psyberg")
            .sessions("changelog_" + (runs - 1))
            .get(0)
            .range(TABLE)
            .note();
    if (keySource.equals("none")) {
      assertThat(note).contains("without a key").contains("-D/+I");
    } else {
      assertThat(note).isNull();
    }
    // Rows 0 (first), 1, 2 (replaced within its commit, never seen), 3, 4.
    if (keySource.equals("none")) {
      assertThat(keys).isEmpty();
      assertThat(out)
          .containsExactly(
              "-D 0,3,v0,0",
              "+I 1,3,v1,0",
              "-D 1,3,v1,0",
              "+I 3,3,v3,0",
              "-D 3,3,v3,0",
              "+I 4,3,v4,0");
    } else {
      assertThat(keys).containsExactly("k");
      assertThat(out)
          .containsExactly(
              "-U 0,3,v0,0",
              "+U 1,3,v1,0",
              "-U 1,3,v1,0",
              "+U 3,3,v3,0",
              "-U 3,3,v3,0",
              "+U 4,3,v4,0");
    }
  }

  private PsybergSource changelogSource(long from, long to, List<String> key) {
    Table table = wh.load(TABLE);
    PsybergSourceBuilder b =
        PsybergSource.builder()
            .catalog(wh.spec())
            .processName("changelog_" + runs++)
            .tables(TABLE)
            .nonAppendSnapshots(NonAppendSnapshots.CHANGELOG)
            .startFrom(StartFrom.parse("snapshot:" + childOf(table, from, to)))
            .endAt(Map.of(TABLE, to));
    if (!key.isEmpty()) {
      b.changelogKey(key);
    }
    return b.build();
  }

  private Table create(boolean partitioned) {
    return RandomHistory.createTable(wh.catalog(), TABLE, false, partitioned);
  }

  private void checkRange(RandomHistory history, @Nullable Long from, long to, String context)
      throws Exception {
    List<String> changes = read(from, to);
    Map<String, Integer> applied =
        apply(history.rowsAt(from), changes, context + ", range (" + from + ", " + to + "]");
    assertThat(applied)
        .as(
            "%s: changes of (%s, %s] applied to the rows at %s: %s",
            context, from, to, from, changes)
        .isEqualTo(multiset(history.rowsAt(to)));
  }

  /** Reads the changes of (from, to] with a bounded changelog source at parallelism 2. */
  private List<String> read(@Nullable Long from, long to) throws Exception {
    Table table = wh.load(TABLE);
    PsybergSourceBuilder b = source("changelog_" + runs++, to);
    if (from != null) {
      b.startFrom(StartFrom.parse("snapshot:" + childOf(table, from, to)));
    }
    return collect(b);
  }

  /**
   * As {@link #read}, for a process whose high watermark is {@code from}, as a publish records it
   * in a target table's snapshot summary; 'start-from' cannot name a snapshot after an expired one.
   */
  private List<String> readAfter(long from, long to) throws Exception {
    String process = "changelog_" + runs++;
    String target = "lake.published_" + process;
    wh.catalog()
        .createTable(
            org.apache.iceberg.catalog.TableIdentifier.parse(target), RandomHistory.SCHEMA);
    wh.load(target)
        .newAppend()
        .set(SummaryKeys.PROCESS_NAME, process)
        .set(SummaryKeys.SESSION_IDS, process + "-before")
        .set(SummaryKeys.hwmKey(TABLE), Long.toString(from))
        .commit();
    return collect(source(process, to).targetTable(target));
  }

  private PsybergSourceBuilder source(String process, long to) {
    return PsybergSource.builder()
        .catalog(wh.spec())
        .processName(process)
        .tables(TABLE)
        .nonAppendSnapshots(NonAppendSnapshots.CHANGELOG)
        .endAt(Map.of(TABLE, to));
  }

  private static List<String> collect(PsybergSourceBuilder b) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    List<String> out = new ArrayList<>();
    try (CloseableIterator<String> it =
        env.fromSource(b.build(), WatermarkStrategy.noWatermarks(), "changes")
            .map(ChangelogSourceITCase::render)
            .executeAndCollect()) {
      it.forEachRemaining(out::add);
    }
    return out;
  }

  private static long childOf(Table table, long from, long to) {
    Snapshot s = table.snapshot(to);
    while (s.parentId() != null && s.parentId() != from) {
      s = table.snapshot(s.parentId());
    }
    return s.snapshotId();
  }

  static String render(RowData r) {
    return r.getRowKind().shortString()
        + " "
        + r.getLong(0)
        + ","
        + r.getInt(1)
        + ","
        + (r.isNullAt(2) ? "null" : r.getString(2).toString())
        + ","
        + r.getInt(3);
  }

  /** Applies changes in order to a multiset; a delete of a row not there fails. */
  static Map<String, Integer> apply(List<Record> start, List<String> changes, String context) {
    Map<String, Integer> rows = multiset(start);
    for (String change : changes) {
      applyOne(rows, change, context + ", changes " + changes);
    }
    return rows;
  }

  /** Applies one change to a multiset of rendered rows; a delete of a row not there fails. */
  static void applyOne(Map<String, Integer> rows, String change, String context) {
    String kind = change.substring(0, 2);
    String row = change.substring(3);
    if (kind.equals("+I") || kind.equals("+U")) {
      rows.merge(row, 1, Integer::sum);
      return;
    }
    Integer n = rows.get(row);
    assertThat(n).as("%s: %s removes a row that is not there", context, change).isNotNull();
    if (n == 1) {
      rows.remove(row);
    } else {
      rows.put(row, n - 1);
    }
  }

  static Map<String, Integer> multiset(List<Record> rows) {
    Map<String, Integer> out = new HashMap<>();
    rows.forEach(r -> out.merge(RandomHistory.render(r), 1, Integer::sum));
    return out;
  }
}
