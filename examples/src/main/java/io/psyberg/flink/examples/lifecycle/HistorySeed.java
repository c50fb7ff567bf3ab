package io.psyberg.flink.examples.lifecycle;

import io.psyberg.flink.stateful.lifecycle.LifecycleProcessor;
import java.nio.file.Paths;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.runtime.jobgraph.RestoreMode;
import org.apache.flink.runtime.jobgraph.SavepointConfigOptions;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.RemoteStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start of a continuous lifecycle job over targets that already hold published output: a
 * bounded job first writes the keyed operator's state after the published history into a savepoint
 * (Flink's State Processor API), and the continuous job restores from it. The history is then in
 * the state before the first live event is read, whatever the timing, so every session is published
 * with its rows.
 *
 * <p>The savepoint goes to {@code <dir>/psyberg-seed-<process>-<random>}, where {@code dir} is the
 * job's savepoint directory, else its checkpoint directory (the cluster reads both), else the local
 * temp directory, which only an embedded MiniCluster shares. The continuous job claims it ({@link
 * RestoreMode#CLAIM}): Flink deletes it as soon as the job's first checkpoint subsumes it, and
 * restores from it on a failover before that.
 */
final class HistorySeed {
  private static final Logger LOG = LoggerFactory.getLogger(HistorySeed.class);

  private HistorySeed() {}

  /**
   * Runs the bounded job that writes the state of {@code processor}'s operator after {@code
   * history} (built on the job's environment), then sets {@code env} to start from it.
   */
  static void seed(
      StreamExecutionEnvironment env,
      LifecycleProcessor processor,
      String process,
      Function<StreamExecutionEnvironment, DataStream<RowData>> history) {
    String path = location(env, process);
    StreamExecutionEnvironment batch = sameCluster(env);
    batch.setParallelism(env.getParallelism());
    processor.writeState(history.apply(batch), maxParallelism(env), path);
    try {
      batch.execute("lifecycle " + process + ": operator state from the published history");
    } catch (Exception e) {
      throw new IllegalStateException(
          "Process "
              + process
              + ": writing the lifecycle state of the published history to "
              + path
              + " failed, so the continuous job was not started: "
              + e.getMessage(),
          e);
    }
    restoreFrom(env, path);
    LOG.info(
        "Process {}: the continuous job starts from the state of the published history in {}"
            + " (deleted once its first checkpoint completes)",
        process,
        path);
  }

  /** An environment that runs on the cluster {@code env} runs on, in batch mode. */
  private static StreamExecutionEnvironment sameCluster(StreamExecutionEnvironment env) {
    Configuration conf = new Configuration(configuration(env));
    conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
    conf.removeConfig(SavepointConfigOptions.SAVEPOINT_PATH);
    // a remote environment names its cluster in its configuration; the others are created by the
    // context (a test's or the CLI client's MiniCluster or session) or are local
    return env instanceof RemoteStreamEnvironment
        ? new StreamExecutionEnvironment(conf)
        : StreamExecutionEnvironment.getExecutionEnvironment(conf);
  }

  private static int maxParallelism(StreamExecutionEnvironment env) {
    int configured = env.getMaxParallelism();
    // the default Flink derives for the job (which adopts its restored state's when it sets none)
    return configured > 0
        ? configured
        : KeyGroupRangeAssignment.computeDefaultMaxParallelism(Math.max(1, env.getParallelism()));
  }

  private static String location(StreamExecutionEnvironment env, String process) {
    String name = "psyberg-seed-" + process + "-" + UUID.randomUUID();
    Optional<String> shared = sharedDirectory(env);
    if (shared.isPresent()) {
      return shared.get().replaceAll("/+$", "") + "/" + name;
    }
    if (env instanceof RemoteStreamEnvironment) {
      throw new IllegalStateException(
          "Process "
              + process
              + ": a fresh continuous start over published targets writes the lifecycle state"
              + " to a savepoint the cluster restores; set "
              + CheckpointingOptions.SAVEPOINT_DIRECTORY.key()
              + " (or "
              + CheckpointingOptions.CHECKPOINTS_DIRECTORY.key()
              + ") to a directory the JobManager and the TaskManagers share.");
    }
    return Paths.get(System.getProperty("java.io.tmpdir"), name).toUri().toString();
  }

  private static Optional<String> sharedDirectory(StreamExecutionEnvironment env) {
    if (env.getDefaultSavepointDirectory() != null) {
      return Optional.of(env.getDefaultSavepointDirectory().toString());
    }
    ReadableConfig conf = env.getConfiguration();
    Optional<String> dir = conf.getOptional(CheckpointingOptions.SAVEPOINT_DIRECTORY);
    if (dir.isPresent()) {
      return dir;
    }
    dir = conf.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY);
    if (dir.isPresent()) {
      return dir;
    }
    if (env.getCheckpointConfig().getCheckpointStorage() instanceof FileSystemCheckpointStorage) {
      FileSystemCheckpointStorage storage =
          (FileSystemCheckpointStorage) env.getCheckpointConfig().getCheckpointStorage();
      return Optional.of(storage.getCheckpointPath().toString());
    }
    return Optional.empty();
  }

  private static void restoreFrom(StreamExecutionEnvironment env, String path) {
    Configuration conf = configuration(env);
    conf.set(SavepointConfigOptions.SAVEPOINT_PATH, path);
    conf.set(SavepointConfigOptions.RESTORE_MODE, RestoreMode.CLAIM);
  }

  /**
   * The configuration {@code env} submits its jobs with: in Flink 1.18 the one it returns, and
   * {@code configure()} does not carry the savepoint options over to it.
   */
  private static Configuration configuration(StreamExecutionEnvironment env) {
    if (!(env.getConfiguration() instanceof Configuration)) {
      throw new IllegalStateException(
          "cannot set the savepoint to start from on an environment of type "
              + env.getClass().getName());
    }
    return (Configuration) env.getConfiguration();
  }
}
