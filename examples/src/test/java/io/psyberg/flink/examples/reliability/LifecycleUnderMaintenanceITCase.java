package io.psyberg.flink.examples.reliability;

import static io.psyberg.flink.examples.testutils.CliRun.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.examples.lifecycle.LifecycleJob;
import io.psyberg.flink.examples.testutils.CliRun;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.metadata.SnapshotPoint;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.testutils.Failures;
import io.psyberg.flink.testutils.Jobs;
import io.psyberg.flink.testutils.Maintenance;
import io.psyberg.flink.testutils.Waits;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import javax.annotation.Nullable;
import org.apache.flink.api.common.restartstrategy.RestartStrategies;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stateful {@code lifecycle} job (upsert targets, late-event corrections) over a source whose
 * snapshots are expired down to the newest one and targets that are compacted and expired between
 * runs: both tables equal a full recompute after every run.
 */
class LifecycleUnderMaintenanceITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final String EVENTS = MembershipLifecycle.EVENTS;
  private static final String SEGMENTS = MembershipLifecycle.SEGMENTS;
  private static final String ANOMALIES = MembershipLifecycle.ANOMALIES;
  private static final String PROCESS = "lc";

  @TempDir Path dir;
  private Warehouse wh;
  private MembershipLifecycle lc;

  @BeforeEach
  void open() {
    wh = new Warehouse(dir);
    lc = new MembershipLifecycle(wh, PROCESS);
  }

  @AfterEach
  void close() throws Exception {
    wh.close();
  }

  private void generate(long seed) {
    lc.generate(seed);
  }

  /** A run of the command in a fresh process: no snapshot point remembered by this JVM. */
  private CliRun lifecycleRun() {
    SnapshotPoint.forgetAll();
    return CliRun.of(lifecycleArgs());
  }

  private String[] lifecycleArgs(String... more) {
    return lc.lifecycleArgs(more);
  }

  private void lifecycle() {
    ok(lifecycleRun());
  }

  private boolean equalsFullRecompute() {
    return lc.equalsFullRecompute();
  }

  private void assertEqualsFullRecompute() {
    lc.assertEqualsFullRecompute("as the full recompute");
  }

  private long head() {
    return lc.head();
  }

  /** Both targets equal the full recompute and both published the source's head as their HWM. */
  private boolean caughtUpWithHead() {
    return lc.publishedThrough(head()) && equalsFullRecompute();
  }

  /** How things stand: the source's head, each target's HWM and difference, the sessions. */
  private String state() {
    return lc.targetsState()
        + "; sessions "
        + sessions().stream()
            .map(s -> s.mode() + " " + s.status() + " " + s.ranges())
            .collect(Collectors.toList());
  }

  private List<Session> sessions() {
    return new SessionLog(wh.catalog(), "psyberg").sessions(PROCESS);
  }

  private void awaitCaughtUp(String what, @Nullable CliRun.Running runner, @Nullable JobClient job)
      throws Exception {
    Waits.await(
        what,
        Duration.ofSeconds(120),
        () -> {
          if (runner != null && !runner.isAlive()) {
            throw new AssertionError("the command ended; " + state());
          }
          if (job != null && job.getJobStatus().get().isGloballyTerminalState()) {
            throw new AssertionError("the job ended; " + state());
          }
          return caughtUpWithHead();
        },
        this::state);
  }

  @Test
  void correctionsStayExactThroughSourceExpiryAndTargetCompaction() {
    generate(1);
    lifecycle();
    assertEqualsFullRecompute();

    generate(2);
    generate(3);
    retainLastOne(wh.load(EVENTS)); // the HWM snapshot and the unread ones
    KeyedCompaction.compact(wh, wh.load(SEGMENTS));
    retainLastOne(wh.load(SEGMENTS));
    lifecycle();
    assertEqualsFullRecompute();

    generate(4);
    KeyedCompaction.compact(wh, wh.load(ANOMALIES));
    retainLastOne(wh.load(ANOMALIES));
    retainLastOne(wh.load(EVENTS));
    lifecycle();
    assertEqualsFullRecompute();
  }

  @Test
  void boundedRunsStayExactWhenTheHwmSnapshotAloneOrWithSeveralUnreadOnesIsExpired() {
    generate(1);
    lifecycle();
    long hwm = head();

    // Only the HWM snapshot goes: the new batch's snapshot, whose parent it was, stays.
    generate(2);
    retainLastOne(wh.load(EVENTS));
    assertThat(wh.load(EVENTS).snapshot(hwm)).as("the HWM snapshot is expired").isNull();
    lifecycle();
    assertEqualsFullRecompute();

    // retain_last = 1 after several batches: the HWM snapshot and every unread one go.
    hwm = head();
    for (long seed = 3; seed <= 6; seed++) {
      generate(seed);
    }
    retainLastOne(wh.load(EVENTS));
    assertThat(wh.load(EVENTS).snapshots()).hasSize(1);
    assertThat(wh.load(EVENTS).snapshot(hwm)).isNull();
    lifecycle();
    assertEqualsFullRecompute();

    // Nothing new after expiry: an empty run changes nothing.
    long segments = wh.load(SEGMENTS).currentSnapshot().snapshotId();
    lifecycle();
    assertThat(wh.load(SEGMENTS).currentSnapshot().snapshotId()).isEqualTo(segments);
    assertEqualsFullRecompute();
  }

  @Test
  void continuousLifecycleCatchesUpThenStaysExactThroughSourceExpiry() throws Exception {
    generate(1);
    lifecycle();
    int before = sessions().size();
    long hwmBefore = head();

    // A backlog of several batches, then retain_last = 1: the HWM snapshot and the unread ones go.
    for (long seed = 2; seed <= 4; seed++) {
      generate(seed);
    }
    retainLastOne(wh.load(EVENTS));
    long backlogHead = head();
    SnapshotPoint.forgetAll();
    CliRun.Running runner =
        CliRun.start(
            "lifecycle-continuous", lifecycleArgs("--mode", "continuous", "--interval", "1"));
    CliRun run;
    try {
      awaitCaughtUp("the command catches up with the backlog", runner, null);
      // The command caught up with a bounded run before starting continuously: the first session
      // it published is bounded and covers the whole backlog.
      // (The session log is updated right after both publishes.)
      Waits.await(
          "the catch-up session is recorded as published",
          Duration.ofSeconds(60),
          () ->
              sessions().subList(before, sessions().size()).stream()
                  .anyMatch(
                      s -> s.mode().equals("bounded") && s.status() == SessionStatus.PUBLISHED),
          this::state);
      List<Session> since = sessions().subList(before, sessions().size());
      assertThat(since)
          .as(state())
          .filteredOn(s -> s.mode().equals("bounded"))
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.range(EVENTS).fromSnapshotId()).isEqualTo(hwmBefore);
                assertThat(s.range(EVENTS).toSnapshotId()).isEqualTo(backlogHead);
              });
      // The continuous job started after it: nothing of the backlog is read again.
      assertThat(since)
          .filteredOn(s -> s.mode().equals("continuous"))
          .allSatisfy(s -> assertThat(s.range(EVENTS).recordCount()).isZero());

      // A batch the running job publishes (at a checkpoint: its start-up history is read and
      // checkpointed by then).
      generate(5);
      awaitCaughtUp("the continuous job publishes a new batch", runner, null);
      // While the job runs, batches land and the source keeps only its newest snapshot.
      generate(6);
      generate(7);
      retainLastOne(wh.load(EVENTS));
      awaitCaughtUp("the continuous job reads the expired batches exactly", runner, null);
      assertThat(sessions().subList(before, sessions().size()))
          .filteredOn(s -> s.mode().equals("bounded"))
          .hasSize(1);
    } finally {
      run = runner.stop();
    }
    assertThat(run).as("the command returned").isNotNull();
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).contains("catching up with a bounded run before starting continuously");
    assertEqualsFullRecompute();

    // A fresh continuous start (no checkpoint, no catch-up) after its HWM snapshot and unread ones
    // were expired: it seeds its state from the files live after the HWM, less the new ones.
    long hwm = head();
    generate(8);
    generate(9);
    retainLastOne(wh.load(EVENTS));
    assertThat(wh.load(EVENTS).snapshot(hwm)).isNull();
    SnapshotPoint.forgetAll();
    JobClient job = startContinuous();
    try {
      awaitCaughtUp("a fresh continuous start after expiry is exact", null, job);
    } finally {
      Jobs.cancelAndWait(job);
    }
    assertEqualsFullRecompute();
  }

  /**
   * A continuous job plans the files of its start-up history when it is built. Expiring the HWM
   * snapshot between building and running is what a failover before the job's first checkpoint
   * meets (the job starts again from its graph): it must still read the same files.
   */
  @Test
  void aContinuousJobWhoseHistorySnapshotExpiresAfterItWasBuiltStillStartsExactly()
      throws Exception {
    generate(1);
    lifecycle();
    long hwm = head();
    generate(2);
    StreamExecutionEnvironment env = continuousJob();
    retainLastOne(wh.load(EVENTS));
    assertThat(wh.load(EVENTS).snapshot(hwm)).as("the HWM snapshot is expired").isNull();

    JobClient job = env.executeAsync("lifecycle continuous, history snapshot expired");
    try {
      awaitCaughtUp("the job reads its planned history after the expiry", null, job);
    } finally {
      Jobs.cancelAndWait(job);
    }
    assertEqualsFullRecompute();
  }

  @Test
  void compactionMixingProcessedAndNewEventsThenExpiredFailsClearlyAndPublishesNothing()
      throws Exception {
    generate(1);
    lifecycle();
    generate(2);
    Maintenance.compactAll(wh, wh.load(EVENTS)); // processed and unread events in one file
    generate(3);
    retainLastOne(wh.load(EVENTS));
    long segments = wh.load(SEGMENTS).currentSnapshot().snapshotId();
    long anomalies = wh.load(ANOMALIES).currentSnapshot().snapshotId();

    CliRun bounded = lifecycleRun();
    assertThat(bounded.exitCode()).as(bounded.toString()).isNotZero();
    assertThat(bounded.out() + bounded.err())
        .contains("Process " + PROCESS)
        .contains(EVENTS)
        .contains("compacted")
        .contains("rewritten")
        .contains("Nothing was read or published");

    // A fresh continuous start fails the same way before it runs.
    SnapshotPoint.forgetAll();
    assertThatThrownBy(this::startContinuous)
        .satisfies(
            e ->
                assertThat(Failures.messages(e))
                    .contains("Process " + PROCESS)
                    .contains("compacted")
                    .contains("rewritten")
                    .contains("Nothing was read or published"));

    assertThat(wh.load(SEGMENTS).currentSnapshot().snapshotId()).isEqualTo(segments);
    assertThat(wh.load(ANOMALIES).currentSnapshot().snapshotId()).isEqualTo(anomalies);
    assertThat(sessions()).extracting(Session::status).doesNotContain(SessionStatus.STAGED);
  }

  private JobClient startContinuous() throws Exception {
    return continuousJob().executeAsync("lifecycle continuous after expiry");
  }

  /** The continuous lifecycle job, built (its start-up history planned) but not started. */
  private StreamExecutionEnvironment continuousJob() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.enableCheckpointing(300);
    env.setRestartStrategy(RestartStrategies.noRestart());
    new LifecycleJob(wh.spec(), PROCESS, List.of(EVENTS), SEGMENTS, ANOMALIES)
        .continuous(env, Duration.ofMillis(200), null);
    return env;
  }

  private static void retainLastOne(Table table) {
    table.refresh();
    table.expireSnapshots().expireOlderThan(Long.MAX_VALUE).retainLast(1).commit();
  }
}
