package io.psyberg.flink.stateful.sequence;

import static io.psyberg.flink.stateful.sequence.RunningSumMachine.event;
import static io.psyberg.flink.stateful.sequence.RunningSumMachine.row;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.jobgraph.SavepointConfigOptions;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state written from a history by {@link EventSequenceBootstrapFunction} (a savepoint) is the
 * state {@link EventSequenceFunction} restores: a job started from it emits nothing for the history
 * and exactly the changes the live events make after it, also on RocksDB.
 */
class EventSequenceBootstrapFunctionITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final long SECOND = 1_000_000L;
  private static final String UID = "sum-sequence";

  @TempDir Path dir;

  @Test
  void aJobStartedFromTheHistoryStateEmitsOnlyWhatTheLiveEventsChange() throws Exception {
    String savepoint =
        writeHistory(
            event("a", 1 * SECOND, 1), event("c", 5 * SECOND, 3), event("b", 3 * SECOND, 2));

    // After a(1), b(3), c(6): the late event at 2 s makes late=11, b=13, c=16, total=16 (one diff,
    // in no particular order); d after them adds 4; a live copy of a history event counts once.
    assertThat(
            runFrom(
                savepoint,
                event("late", 2 * SECOND, 10),
                event("d", 6 * SECOND, 4),
                event("b", 3 * SECOND, 2)))
        .containsExactlyInAnyOrder(
            Change.insert(row("late", 11)),
            Change.updateBefore(row("b", 3)),
            Change.updateAfter(row("b", 13)),
            Change.updateBefore(row("c", 6)),
            Change.updateAfter(row("c", 16)),
            Change.updateBefore(row("total", 6)),
            Change.updateAfter(row("total", 16)),
            Change.insert(row("d", 20)),
            Change.updateBefore(row("total", 16)),
            Change.updateAfter(row("total", 20)));
  }

  @SafeVarargs
  private String writeHistory(Tuple3<String, Long, Integer>... history) throws Exception {
    String path = dir.resolve("seed").toUri().toString();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    env.setParallelism(2);
    SavepointWriter.newSavepoint(env, new HashMapStateBackend(), 128)
        .withOperator(
            OperatorIdentifier.forUid(UID),
            OperatorTransformation.bootstrapWith(
                    env.fromCollection(List.of(history), RunningSumMachine.EVENT))
                .keyBy(e -> "k", Types.STRING)
                .transform(RunningSumMachine.<String>function(null).bootstrap()))
        .write(path);
    env.execute("write the history state");
    return path;
  }

  @SafeVarargs
  private List<Change<Tuple2<String, Integer>>> runFrom(
      String savepoint, Tuple3<String, Long, Integer>... live) throws Exception {
    Configuration conf = new Configuration();
    conf.set(SavepointConfigOptions.SAVEPOINT_PATH, savepoint);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(1);
    env.setStateBackend(new EmbeddedRocksDBStateBackend());
    try (CloseableIterator<Change<Tuple2<String, Integer>>> out =
        env.fromCollection(List.of(live), RunningSumMachine.EVENT)
            .keyBy(e -> "k", Types.STRING)
            .process(RunningSumMachine.<String>function(null))
            .uid(UID)
            .executeAndCollect("live events from the history state")) {
      List<Change<Tuple2<String, Integer>>> changes = new ArrayList<>();
      out.forEachRemaining(changes::add);
      return changes;
    }
  }
}
