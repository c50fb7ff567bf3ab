package io.psyberg.flink.source.changelog;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.planning.NonAppendSnapshots;
import io.psyberg.flink.source.PsybergSource;
import io.psyberg.flink.testutils.GatedFileIO;
import io.psyberg.flink.testutils.Jobs;
import io.psyberg.flink.testutils.RandomHistory;
import io.psyberg.flink.testutils.Waits;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.data.RowData;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A continuous changelog source plans sessions as snapshots land: after each random change to the
 * table, the changes read so far, applied in order, reach exactly the table's rows.
 */
class ChangelogContinuousITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final String TABLE = "lake.live";

  @TempDir Path dir;
  private Warehouse wh;

  @BeforeEach
  void setUp() {
    wh = new Warehouse(dir);
  }

  @AfterEach
  void tearDown() throws Exception {
    wh.close();
  }

  @Test
  void eachLandedChangeIsFollowedExactly() throws Exception {
    long seed = Long.getLong("changelog.seed", System.nanoTime());
    Table table = RandomHistory.createTable(wh.catalog(), TABLE, false, true);
    RandomHistory history = new RandomHistory(table, seed);
    history.append();
    PsybergSource source = continuousSource(wh.spec(), "live_changes");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.enableCheckpointing(300);
    try (Jobs.Collected<String> job =
        Jobs.collect(
            env,
            env.fromSource(source, WatermarkStrategy.noWatermarks(), "changes")
                .map(ChangelogSourceITCase::render))) {
      CloseableIterator<String> it = job.rows();
      Map<String, Integer> state = new HashMap<>();
      List<String> changes = new ArrayList<>();
      long snapshot = wh.load(TABLE).currentSnapshot().snapshotId();
      for (int step = 0; step < 8; step++) {
        follow(it, state, changes, history.rowsAt(snapshot), "seed " + seed + ", " + history.log());
        snapshot = history.step();
      }
    }
  }

  /**
   * On a keyed table the reader pairs each session's removal and addition of a key into -U/+U, the
   * -U right before its +U, and the changes still follow the table exactly.
   */
  @Test
  void aKeyedTableGetsUpdatesSessionBySession() throws Exception {
    long seed = Long.getLong("changelog.seed", System.nanoTime());
    Table table = RandomHistory.createTable(wh.catalog(), TABLE, true, false);
    RandomHistory history = RandomHistory.keyed(table, seed);
    history.upsert(List.of(0, 1, 2, 3));
    PsybergSource source = continuousSource(wh.spec(), "live_updates");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.enableCheckpointing(300);
    List<String> changes = new ArrayList<>();
    try (Jobs.Collected<String> job =
        Jobs.collect(
            env,
            env.fromSource(source, WatermarkStrategy.noWatermarks(), "changes")
                .map(ChangelogSourceITCase::render))) {
      CloseableIterator<String> it = job.rows();
      Map<String, Integer> state = new HashMap<>();
      long snapshot = wh.load(TABLE).currentSnapshot().snapshotId();
      for (int step = 0; step < 7; step++) {
        follow(it, state, changes, history.rowsAt(snapshot), "seed " + seed);
        // The last two steps upsert a key that is there (the first one adds it when the random
        // steps left the table empty): at least one -U/+U pair.
        snapshot = step < 5 ? history.step() : history.upsert(List.of(liveKey(history, snapshot)));
      }
      follow(it, state, changes, history.rowsAt(snapshot), "seed " + seed);
    }
    assertThat(changes).as("seed %d, changes %s", seed, changes).anyMatch(c -> c.startsWith("-U"));
    for (int i = 0; i < changes.size(); i++) {
      if (changes.get(i).startsWith("-U")) {
        assertThat(changes.get(i + 1))
            .as("seed %d, changes %s", seed, changes)
            .startsWith("+U")
            .contains("," + keyOf(changes.get(i)) + ",");
      }
    }
  }

  /**
   * A checkpoint taken while the reader holds a session's removals (the removed file read, the
   * added one not yet) and a failure right after: the restored reader reads the session's finished
   * split again to rebuild them, emits nothing twice, and still pairs them with the additions.
   */
  @Test
  void aRestoreInsideASessionKeepsTheRemovalsWaitingForTheirAdditions() throws Exception {
    Table table = RandomHistory.createTable(wh.catalog(), TABLE, true, false);
    RandomHistory history = RandomHistory.keyed(table, 7);
    long first = history.upsert(List.of(0, 1, 2));
    DataFile old = table.snapshot(first).addedDataFiles(table.io()).iterator().next().copy();
    CatalogSpec gated =
        CatalogSpec.fromOptions(
            Map.of(
                "warehouse", wh.spec().warehouse(), "catalog.io-impl", GatedFileIO.class.getName()),
            Map.of(),
            "test");
    PsybergSource source = continuousSource(gated, "live_restore");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.enableCheckpointing(100);
    env.setRestartStrategy(
        org.apache.flink.api.common.restartstrategy.RestartStrategies.fixedDelayRestart(
            3, org.apache.flink.api.common.time.Time.milliseconds(100)));
    List<String> changes = new ArrayList<>();
    try (Jobs.Collected<String> job =
        Jobs.collect(
            env,
            env.fromSource(source, WatermarkStrategy.noWatermarks(), "changes")
                .map(new CompletedCheckpoints())
                .map(ChangelogSourceITCase::render))) {
      CloseableIterator<String> it = job.rows();
      Map<String, Integer> state = new HashMap<>();
      follow(it, state, changes, history.rowsAt(first), "first session");
      int before = changes.size();
      // One snapshot: the old file removed (its rows wait on the reader), a new file with new
      // rows of the same keys added.
      List<Record> rows = new ArrayList<>();
      for (int k = 0; k < 3; k++) {
        Record r = GenericRecord.create(RandomHistory.SCHEMA);
        r.setField("id", 100L + k);
        r.setField("k", k);
        r.setField("v", "new" + k);
        r.setField("p", 0);
        rows.add(r);
      }
      DataFile added = wh.writeFile(table, rows);
      GatedFileIO.arm(added.path().toString());
      table.newOverwrite().deleteFile(old).addFile(added).commit();
      table.refresh();
      long overwrite = table.currentSnapshot().snapshotId();
      assertThat(GatedFileIO.awaitReached(180)).as("the reader reached the added file").isTrue();
      long at = CompletedCheckpoints.LAST.get();
      Waits.await(
          "two checkpoints completed while the reader holds the session's removals",
          Duration.ofSeconds(180),
          () -> CompletedCheckpoints.LAST.get() >= at + 2,
          () -> "last completed checkpoint " + CompletedCheckpoints.LAST.get());
      GatedFileIO.release();
      follow(it, state, changes, history.rowsAt(overwrite), "after the restore");
      List<String> session = changes.subList(before, changes.size());
      assertThat(session)
          .as("changes of the interrupted session")
          .hasSize(6)
          .allMatch(c -> c.startsWith("-U") || c.startsWith("+U"));
      for (int i = 0; i < session.size(); i += 2) {
        assertThat(session.get(i)).startsWith("-U");
        assertThat(session.get(i + 1))
            .startsWith("+U")
            .contains("," + keyOf(session.get(i)) + ",")
            .contains(",new");
      }
    }
  }

  /**
   * Real SQL, continuous: {@code INSERT INTO mirror SELECT * FROM src} with a keyed changelog
   * source (which now declares -U/+U) and a psyberg upsert sink keeps the mirror equal to the
   * source as changes land.
   */
  @Test
  void aContinuousSqlMirrorFollowsAKeyedTable() throws Exception {
    long seed = Long.getLong("changelog.seed", System.nanoTime());
    Table src = RandomHistory.createTable(wh.catalog(), "lake.src", true, false);
    RandomHistory.createTable(wh.catalog(), "lake.mirror", true, false);
    RandomHistory history = RandomHistory.keyed(src, seed);
    long snapshot = history.upsert(List.of(0, 1, 2, 3));
    TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    tEnv.getConfig().getConfiguration().setString("parallelism.default", "2");
    tEnv.getConfig().getConfiguration().setString("execution.checkpointing.interval", "300ms");
    tEnv.getConfig()
        .getConfiguration()
        .setString("psyberg.catalog.warehouse", wh.spec().warehouse());
    String columns = "id BIGINT NOT NULL, k INT NOT NULL, v STRING, p INT NOT NULL";
    tEnv.executeSql(
        "CREATE TEMPORARY TABLE src ("
            + columns
            + ", PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'psyberg', 'table' ="
            + " 'lake.src', 'process-name' = 'live_mirror', 'non-append-snapshots' ="
            + " 'changelog', 'mode' = 'continuous', 'monitor-interval' = '200ms')");
    tEnv.executeSql(
        "CREATE TEMPORARY TABLE mirror ("
            + columns
            + ", PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'psyberg', 'table' ="
            + " 'lake.mirror', 'process-name' = 'live_mirror', 'write-mode' = 'upsert')");
    TableResult run = tEnv.executeSql("INSERT INTO mirror SELECT * FROM src");
    try {
      for (int step = 0; ; step++) {
        Map<String, Integer> expected = ChangelogSourceITCase.multiset(history.rowsAt(snapshot));
        Waits.await(
            "seed " + seed + ": the mirror equals the source at " + snapshot,
            Duration.ofSeconds(180),
            () -> ChangelogSourceITCase.multiset(wh.rows("lake.mirror")).equals(expected),
            () -> "mirror " + wh.rows("lake.mirror") + ", steps " + history.log());
        if (step == 6) {
          break;
        }
        // The last two steps upsert a key that is there (the first one adds it when the random
        // steps left the table empty): an update pair through SQL.
        snapshot = step < 4 ? history.step() : history.upsert(List.of(liveKey(history, snapshot)));
      }
    } finally {
      Jobs.cancelAndWait(run.getJobClient().orElseThrow());
    }
  }

  /** A key with a live row at {@code snapshot}; key 0 when the table is empty there. */
  private static int liveKey(RandomHistory history, long snapshot) {
    List<Record> live = history.rowsAt(snapshot);
    return live.isEmpty() ? 0 : (Integer) live.get(0).getField("k");
  }

  private static PsybergSource continuousSource(CatalogSpec catalog, String process) {
    return PsybergSource.builder()
        .catalog(catalog)
        .processName(process)
        .tables(TABLE)
        .nonAppendSnapshots(NonAppendSnapshots.CHANGELOG)
        .continuous(Duration.ofMillis(200))
        .build();
  }

  /** Applies changes from the job until the state equals {@code rows} (hang guard only). */
  private static void follow(
      CloseableIterator<String> it,
      Map<String, Integer> state,
      List<String> changes,
      List<Record> rows,
      String context)
      throws Exception {
    Map<String, Integer> expected = ChangelogSourceITCase.multiset(rows);
    CompletableFuture.runAsync(
            () -> {
              while (!state.equals(expected)) {
                String change = it.next();
                changes.add(change);
                ChangelogSourceITCase.applyOne(state, change, context);
              }
            })
        .get(180, TimeUnit.SECONDS);
    assertThat(state).as("%s, changes %s", context, changes).isEqualTo(expected);
  }

  private static String keyOf(String change) {
    return change.substring(3).split(",")[1];
  }

  /** Passes rows on and keeps the newest completed checkpoint id, for the test to wait on. */
  static final class CompletedCheckpoints extends RichMapFunction<RowData, RowData>
      implements CheckpointListener {
    static final AtomicLong LAST = new AtomicLong();

    @Override
    public RowData map(RowData row) {
      return row;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      LAST.accumulateAndGet(checkpointId, Math::max);
    }
  }
}
