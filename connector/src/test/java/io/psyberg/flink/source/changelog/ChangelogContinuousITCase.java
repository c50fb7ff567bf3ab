package io.psyberg.flink.source.changelog;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.planning.NonAppendSnapshots;
import io.psyberg.flink.source.PsybergSource;
import io.psyberg.flink.testutils.RandomHistory;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.iceberg.Table;
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
    PsybergSource source =
        PsybergSource.builder()
            .catalog(wh.spec())
            .processName("live_changes")
            .tables(TABLE)
            .nonAppendSnapshots(NonAppendSnapshots.CHANGELOG)
            .continuous(Duration.ofMillis(200))
            .build();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.enableCheckpointing(300);
    try (CloseableIterator<String> it =
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "changes")
            .map(ChangelogSourceITCase::render)
            .executeAndCollect()) {
      Map<String, Integer> state = new HashMap<>();
      List<String> changes = new ArrayList<>();
      long snapshot = wh.load(TABLE).currentSnapshot().snapshotId();
      for (int step = 0; step < 8; step++) {
        Map<String, Integer> expected = ChangelogSourceITCase.multiset(history.rowsAt(snapshot));
        // Hang guard only: the iterator blocks until the job emits the next change.
        CompletableFuture.runAsync(
                () -> {
                  while (!state.equals(expected)) {
                    String change = it.next();
                    changes.add(change);
                    ChangelogSourceITCase.applyOne(state, change, "seed " + seed);
                  }
                })
            .get(180, TimeUnit.SECONDS);
        assertThat(state)
            .as("seed %d, steps %s, changes %s", seed, history.log(), changes)
            .isEqualTo(expected);
        snapshot = history.step();
      }
    }
  }
}
