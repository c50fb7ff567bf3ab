package io.psyberg.flink.testutils;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.CommonTestUtils;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.CloseableIterator;

/** Small helpers to run MiniCluster jobs in tests. */
public final class Jobs {
  private Jobs() {}

  /** Names of a source coordinator's threads: its own and its IO pool's ("...-worker-thread-N"). */
  private static final String SOURCE_COORDINATOR_THREAD = "SourceCoordinator-";

  /**
   * Cancels a job (unless it has ended already) and waits until it has stopped, so that no task or
   * coordinator I/O outlives the test (a temp warehouse deleted under a still-closing job makes
   * cleanup fail).
   *
   * <p>The job's status turns terminal before its source coordinators are closed, and their IO pool
   * (an enumerator's planning) may still write to the warehouse then: this also waits until the
   * source coordinator threads that were alive when it was called have ended. Stop jobs with
   * sources one at a time: a source of another job still running is waited for too (and fails the
   * wait after 3 minutes, naming the threads).
   */
  public static void cancelAndWait(JobClient job) throws Exception {
    List<Thread> coordinatorThreads = sourceCoordinatorThreads();
    if (!job.getJobStatus().get().isGloballyTerminalState()) {
      job.cancel().get(60, TimeUnit.SECONDS);
    }
    CommonTestUtils.waitUntilCondition(
        () -> job.getJobStatus().get().isGloballyTerminalState(), 100L, 600);
    Waits.await(
        "the source coordinators of job " + job.getJobID() + " close",
        Duration.ofMinutes(3),
        () -> coordinatorThreads.stream().noneMatch(Thread::isAlive),
        () ->
            "alive: "
                + coordinatorThreads.stream()
                    .filter(Thread::isAlive)
                    .map(Thread::getName)
                    .toList());
  }

  private static List<Thread> sourceCoordinatorThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith(SOURCE_COORDINATOR_THREAD))
        .toList();
  }

  /**
   * Starts the job of {@code env} collecting {@code stream}: unlike {@code executeAndCollect},
   * whose iterator cancels the job without waiting, closing it cancels the job and waits until it
   * has stopped (see {@link #cancelAndWait}), so no task or coordinator still writes to a warehouse
   * the test deletes next.
   */
  public static <T> Collected<T> collect(StreamExecutionEnvironment env, DataStream<T> stream)
      throws Exception {
    CloseableIterator<T> rows = stream.collectAsync();
    return new Collected<>(rows, env.executeAsync());
  }

  /** A running job's collected rows; closing it stops the job. */
  public record Collected<T>(CloseableIterator<T> rows, JobClient job) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      try {
        rows.close();
      } finally {
        cancelAndWait(job);
      }
    }
  }

  /** Runs a bounded source to the end and returns "event_id" strings (field 0) of what it read. */
  public static List<String> readIds(Source<RowData, ?, ?> source, int parallelism)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(parallelism);
    DataStream<RowData> rows = env.fromSource(source, WatermarkStrategy.noWatermarks(), "psyberg");
    List<String> ids = new ArrayList<>();
    try (CloseableIterator<String> it =
        rows.map(r -> r.getString(0).toString()).executeAndCollect()) {
      it.forEachRemaining(ids::add);
    }
    return ids;
  }
}
