package io.psyberg.flink.examples.reliability;

import static io.psyberg.flink.examples.testutils.CliRun.ok;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.lifecycle.LifecycleJob;
import io.psyberg.flink.examples.testutils.CliRun;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.metadata.SnapshotPoint;
import io.psyberg.flink.testutils.Jobs;
import io.psyberg.flink.testutils.Waits;
import io.psyberg.flink.testutils.Warehouse;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.restartstrategy.RestartStrategies;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fresh continuous lifecycle start over published targets whose history is read more slowly than
 * its first live session: the session is published with its rows. The history's data files are held
 * back ({@link HeldHistoryFileIO}) until the live session is published, or until nothing live runs
 * beside the history read, so the race the test needs is forced rather than hoped for.
 */
class SlowHistoryFreshStartITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  private static final String EVENTS = MembershipLifecycle.EVENTS;
  private static final String SEGMENTS = MembershipLifecycle.SEGMENTS;
  private static final String ANOMALIES = MembershipLifecycle.ANOMALIES;
  private static final String PROCESS = "lc_slow_history";
  private static final String LIVE_JOB = "lifecycle continuous over a slow history";
  private static final Duration GUARD = Duration.ofSeconds(180);

  @TempDir Path dir;
  private Warehouse wh;
  private MembershipLifecycle lc;
  private CatalogSpec held;

  @BeforeEach
  void open() {
    wh = new Warehouse(dir);
    lc = new MembershipLifecycle(wh, PROCESS);
    held =
        CatalogSpec.fromOptions(
            Map.of(
                "warehouse", dir.toString(), "catalog.io-impl", HeldHistoryFileIO.class.getName()),
            Map.<String, String>of(),
            "held history");
  }

  @AfterEach
  void close() throws Exception {
    HeldHistoryFileIO.release();
    wh.close();
  }

  @Test
  void aLiveSessionPublishedBeforeTheHistoryIsReadCarriesItsRows(
      @InjectClusterClient ClusterClient<?> cluster) throws Exception {
    lc.generate(1);
    SnapshotPoint.forgetAll();
    ok(CliRun.of(lc.lifecycleArgs()));
    Set<String> history = dataFileNames(wh.load(EVENTS));
    lc.generate(2);
    long live = lc.head();

    HeldHistoryFileIO.hold(history);
    CompletableFuture<JobClient> started =
        CompletableFuture.supplyAsync(
            () -> {
              StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
              env.setParallelism(2);
              env.enableCheckpointing(300);
              env.setRestartStrategy(RestartStrategies.noRestart());
              new LifecycleJob(held, PROCESS, List.of(EVENTS), SEGMENTS, ANOMALIES)
                  .continuous(env, Duration.ofMillis(200), null);
              try {
                return env.executeAsync(LIVE_JOB);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    Waits.await(
        "the live session is published while the history is held, or the history is held while"
            + " no live job runs",
        GUARD,
        () -> {
          if (started.isCompletedExceptionally()) {
            started.join(); // throws the reason the job did not start
          }
          return lc.publishedThrough(live) || (HeldHistoryFileIO.isHolding() && !running(cluster));
        },
        this::state);
    HeldHistoryFileIO.release();
    JobClient job = started.get(GUARD.toSeconds(), TimeUnit.SECONDS);
    try {
      Waits.await(
          "the live session is published", GUARD, () -> lc.publishedThrough(live), this::state);
      lc.assertEqualsFullRecompute("once the live session is published");
      Waits.await(
          "the state savepoint of the start is deleted once a checkpoint subsumes it",
          GUARD,
          () -> seedSavepoints().length == 0,
          () -> Arrays.toString(seedSavepoints()));

      // A fresh start after a cancel finds every published event in the targets, and loses none.
      Jobs.cancelAndWait(job);
      lc.generate(3);
      long next = lc.head();
      job = startFresh();
      Waits.await(
          "the next session is published", GUARD, () -> lc.publishedThrough(next), this::state);
      lc.assertEqualsFullRecompute("after a fresh start");
    } finally {
      Jobs.cancelAndWait(job);
    }
  }

  private JobClient startFresh() throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.enableCheckpointing(300);
    env.setRestartStrategy(RestartStrategies.noRestart());
    SnapshotPoint.forgetAll();
    new LifecycleJob(wh.spec(), PROCESS, List.of(EVENTS), SEGMENTS, ANOMALIES)
        .continuous(env, Duration.ofMillis(200), null);
    return env.executeAsync(LIVE_JOB + ", restarted");
  }

  /** The savepoints a start of this process wrote to the temp directory and Flink still keeps. */
  private static String[] seedSavepoints() {
    String[] names =
        new File(System.getProperty("java.io.tmpdir"))
            .list((parent, name) -> name.startsWith("psyberg-seed-" + PROCESS + "-"));
    return names == null ? new String[0] : names;
  }

  private static boolean running(ClusterClient<?> cluster) throws Exception {
    for (JobStatusMessage j : cluster.listJobs().get()) {
      if (j.getJobName().equals(LIVE_JOB) && !j.getJobState().isGloballyTerminalState()) {
        return true;
      }
    }
    return false;
  }

  private static Set<String> dataFileNames(Table table) throws Exception {
    Set<String> names = new HashSet<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile file = task.file();
        String path = file.path().toString();
        names.add(path.substring(path.lastIndexOf('/') + 1));
      }
    }
    return names;
  }

  private String state() {
    return lc.targetsState()
        + "; history held "
        + HeldHistoryFileIO.isHolding()
        + "; sessions "
        + new SessionLog(wh.catalog(), "psyberg").sessions(PROCESS);
  }
}
