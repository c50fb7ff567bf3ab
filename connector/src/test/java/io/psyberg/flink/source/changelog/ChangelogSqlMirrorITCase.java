package io.psyberg.flink.source.changelog;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.testutils.RandomHistory;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real SQL in streaming runtime mode, bounded: {@code INSERT INTO mirror SELECT * FROM src}, with
 * src a changelog psyberg source and mirror a psyberg upsert sink with a primary key, keeps the
 * mirror equal to the source table after every run, whatever changed the source in between (and
 * when snapshots after the last run's high watermark were expired before the next run).
 */
class ChangelogSqlMirrorITCase {
  @org.junit.jupiter.api.extension.RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @org.junit.jupiter.api.io.TempDir Path dir;
  private Warehouse wh;
  private TableEnvironment tEnv;

  @BeforeEach
  void setUp() {
    wh = new Warehouse(dir);
    tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    tEnv.getConfig().getConfiguration().setString("parallelism.default", "2");
    tEnv.getConfig()
        .getConfiguration()
        .setString("psyberg.catalog.warehouse", wh.spec().warehouse());
  }

  @AfterEach
  void tearDown() throws Exception {
    wh.close();
  }

  @ParameterizedTest(name = "partitioned {0}")
  @ValueSource(booleans = {false, true})
  void upsertMirrorOfAChangelogSourceEqualsTheSource(boolean partitioned) throws Exception {
    long seed = Long.getLong("changelog.seed", System.nanoTime());
    Table src = RandomHistory.createTable(wh.catalog(), "lake.src", true, partitioned);
    RandomHistory.createTable(wh.catalog(), "lake.mirror", true, false);
    RandomHistory history = RandomHistory.keyed(src, seed);
    tEnv.executeSql(
        "CREATE TEMPORARY TABLE src (id BIGINT NOT NULL, k INT NOT NULL, v STRING, p INT NOT NULL,"
            + " PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'psyberg', 'table' = 'lake.src',"
            + " 'process-name' = 'mirror', 'non-append-snapshots' = 'changelog')");
    tEnv.executeSql(
        "CREATE TEMPORARY TABLE mirror (id BIGINT NOT NULL, k INT NOT NULL, v STRING, p INT NOT"
            + " NULL, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'psyberg', 'table' ="
            + " 'lake.mirror', 'process-name' = 'mirror', 'write-mode' = 'upsert')");
    java.util.Random expiry = new java.util.Random(seed);
    for (int round = 0; round < 4; round++) {
      long last = 0;
      List<Long> steps = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++) {
        last = history.step();
        steps.add(last);
      }
      String expired = "none";
      if (round % 2 == 1) {
        // Maintenance between runs: a snapshot after the published high watermark expired. Its
        // files stay: Iceberg 1.6's cleanup of a snapshot inside the history at times deletes
        // files kept snapshots still reference (ChangelogSourceITCase covers cleaned files).
        long gone = steps.get(expiry.nextInt(steps.size() - 1));
        src.expireSnapshots().expireSnapshotId(gone).cleanExpiredFiles(false).commit();
        expired = Long.toString(gone);
      }
      tEnv.executeSql("INSERT INTO mirror SELECT * FROM src").await(180, TimeUnit.SECONDS);
      Map<String, Integer> mirror = ChangelogSourceITCase.multiset(wh.rows("lake.mirror"));
      assertThat(mirror)
          .as(
              "seed %d (rerun with -Dchangelog.seed=%d), round %d, steps %s, expired %s",
              seed, seed, round, history.log(), expired)
          .isEqualTo(ChangelogSourceITCase.multiset(history.rowsAt(last)));
    }
    List<Session> sessions = new SessionLog(wh.catalog(), "psyberg").sessions("mirror");
    assertThat(sessions).extracting(Session::status).containsOnly(SessionStatus.PUBLISHED);
    assertThat(sessions).hasSize(4);
  }
}
