package io.psyberg.flink.examples.reliability;

import static io.psyberg.flink.examples.reliability.EventBatches.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.lifecycle.LifecycleJob;
import io.psyberg.flink.sink.PsybergSinkHooks;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.restartstrategy.RestartStrategies;
import org.apache.flink.api.common.time.Time;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A bounded lifecycle run stopped exactly between the publishes of its two targets (right after the
 * first one's publish commit), then run again after a batch whose late events undo what the stopped
 * run published to the first target: an anomaly that becomes a valid transition, and segments that
 * become anomalies. Both targets must equal the full recompute, whichever target published first
 * and whether the stopped run was the process's first.
 */
class KillBetweenPublishesITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER = StopAfterFirstPublish.miniCluster();

  static final String EVENTS = "membership.events";
  static final String LIFECYCLE = "facts.account_lifecycle";
  static final String ANOMALIES = "facts.lifecycle_anomalies";

  @TempDir Path dir;
  private Warehouse wh;

  @BeforeEach
  void open() {
    wh = new Warehouse(dir);
  }

  @AfterEach
  void close() throws Exception {
    StopAfterFirstPublish.disarm();
    wh.close();
  }

  /** Account 1 signs up, account 2 signs up. */
  static void landFirst(EventBatches batches) {
    batches.land(
        event("a1-signup", 1, "SIGNUP", "basic", "2026-01-01T10:00"),
        event("a2-signup", 2, "SIGNUP", "basic", "2026-01-01T10:00"));
  }

  /**
   * Account 1 recovers a payment it never held (an anomaly); account 2 upgrades and goes on hold
   * (segments 2 and 3).
   */
  static void landSecond(EventBatches batches) {
    batches.land(
        event("a1-recovered", 1, "PAYMENT_RECOVERED", null, "2026-01-02T12:00"),
        event("a2-upgrade", 2, "PLAN_CHANGE", "premium", "2026-01-02T13:00"),
        event("a2-hold", 2, "PAYMENT_HOLD", null, "2026-01-02T14:00"));
  }

  /**
   * Late events that undo the second batch's output: account 1's hold before its recovery (the
   * anomaly goes), account 2's cancel before its upgrade (segment 3 goes, two anomalies come).
   */
  static void landLate(EventBatches batches) {
    batches.land(
        event("a1-hold", 1, "PAYMENT_HOLD", null, "2026-01-02T11:00"),
        event("a2-cancel", 2, "CANCEL", null, "2026-01-02T12:30"),
        event("a3-signup", 3, "SIGNUP", "standard", "2026-01-03T09:00"));
  }

  @ParameterizedTest(name = "stopped after publishing to {0}, in run {1}")
  @CsvSource({
    ANOMALIES + ",2",
    LIFECYCLE + ",2",
    ANOMALIES + ",1",
    LIFECYCLE + ",1",
  })
  void boundedRunStoppedBetweenPublishesConverges(String first, int stoppedRun) throws Exception {
    EventBatches batches = new EventBatches(wh, EVENTS, 1, "x", false).create();
    LifecycleJob job = job("lifecycle_stop");
    ExactlyOnce check = new ExactlyOnce(wh.catalog(), "lifecycle_stop", EVENTS);

    landFirst(batches);
    if (stoppedRun == 2) {
      runBounded(job);
      check.lifecycleExact(LIFECYCLE, ANOMALIES);
      landSecond(batches);
    } else {
      landSecond(batches);
    }
    StopAfterFirstPublish.arm(first, false);
    assertThatThrownBy(() -> runBounded(job))
        .satisfies(
            e -> assertThat(FaultInjectionITCase.messages(e)).contains("stopped right after"));
    assertThat(StopAfterFirstPublish.fired()).isTrue();
    check.lifecycleAtHighWatermarks(LIFECYCLE, ANOMALIES);

    landLate(batches);
    runBounded(job);
    check.lifecycleExact(LIFECYCLE, ANOMALIES);
  }

  /**
   * A run stopped between the two publishes, then the source's snapshots between the two targets'
   * high watermarks are expired: the next run must still converge, or, where the history cannot
   * place the events between the two marks, fail saying so and publish nothing.
   */
  @ParameterizedTest(name = "stopped after publishing to {0}, then the source expired")
  @CsvSource({ANOMALIES, LIFECYCLE})
  void stoppedBetweenPublishesThenExpiredConvergesOrFailsClearly(String first) throws Exception {
    EventBatches batches = new EventBatches(wh, EVENTS, 1, "x", false).create();
    LifecycleJob job = job("lifecycle_stop_expired");
    ExactlyOnce check = new ExactlyOnce(wh.catalog(), "lifecycle_stop_expired", EVENTS);
    landFirst(batches);
    runBounded(job);
    landSecond(batches);
    StopAfterFirstPublish.arm(first, false);
    assertThatThrownBy(() -> runBounded(job))
        .satisfies(
            e -> assertThat(FaultInjectionITCase.messages(e)).contains("stopped right after"));
    landLate(batches);
    Table events = wh.load(EVENTS);
    events.expireSnapshots().expireOlderThan(Long.MAX_VALUE).retainLast(1).commit();
    long lifecycleAt = wh.load(LIFECYCLE).currentSnapshot().snapshotId();
    long anomaliesAt = wh.load(ANOMALIES).currentSnapshot().snapshotId();

    Throwable failure = null;
    try {
      runBounded(job);
    } catch (Exception e) {
      failure = e;
    }
    if (failure == null) {
      check.lifecycleExact(LIFECYCLE, ANOMALIES);
    } else {
      assertThat(FaultInjectionITCase.messages(failure))
          .as("a run that cannot place the events says why")
          .contains("Process lifecycle_stop_expired")
          .contains(EVENTS)
          .contains("expired")
          .contains("Nothing was read or published");
      assertThat(wh.load(LIFECYCLE).currentSnapshot().snapshotId()).isEqualTo(lifecycleAt);
      assertThat(wh.load(ANOMALIES).currentSnapshot().snapshotId()).isEqualTo(anomaliesAt);
      // The way out the message names: roll the target that is ahead back, run again.
      Table ahead = wh.load(first);
      ahead.manageSnapshots().rollbackTo(ahead.currentSnapshot().parentId()).commit();
      runBounded(job);
      check.lifecycleRowsAtHead(LIFECYCLE, ANOMALIES);
    }
  }

  /**
   * A continuous job fails right after the first target's publish of a session; it restores from
   * its last checkpoint (Flink's restart) or, with {@code fresh}, is started again without one (as
   * after a kill of the whole cluster), after a bounded catch-up, from the published history: the
   * late batch that follows must still leave both targets equal to the full recompute.
   */
  @ParameterizedTest(name = "stopped after publishing to {0}, fresh start {1}")
  @CsvSource({
    ANOMALIES + ",false",
    LIFECYCLE + ",false",
    ANOMALIES + ",true",
    LIFECYCLE + ",true",
  })
  void continuousJobStoppedBetweenPublishesConverges(String first, boolean fresh) throws Exception {
    EventBatches batches = new EventBatches(wh, EVENTS, 1, "x", false).create();
    LifecycleJob job = job("lifecycle_stop_c");
    ExactlyOnce check = new ExactlyOnce(wh.catalog(), "lifecycle_stop_c", EVENTS);

    landFirst(batches);
    JobClient client = startContinuous(job);
    try {
      awaitExact(client, check);
      StopAfterFirstPublish.armContinuous(first, fresh);
      landSecond(batches);
      StopAfterFirstPublish.awaitStop(client);
      if (fresh) {
        // The whole cluster goes: the restarted job's publishes are held until this cancel.
        StopAfterFirstPublish.cancel(client);
        StopAfterFirstPublish.disarm();
        check.lifecycleAtHighWatermarks(LIFECYCLE, ANOMALIES);
        assertThatThrownBy(() -> startContinuous(job))
            .hasMessageContaining("different high watermarks")
            .hasMessageContaining("run the lifecycle bounded once");
        runBounded(job); // the catch-up a fresh continuous start needs (the command runs it)
        check.lifecycleExact(LIFECYCLE, ANOMALIES);
        client = startContinuous(job);
      }
      landLate(batches);
      awaitExact(client, check);
    } finally {
      StopAfterFirstPublish.cancel(client);
    }
  }

  /**
   * Restarts are the stop's way back (and a held target's, see {@link StopAfterFirstPublish}): each
   * failover also restarts the whole job once more from the source, hence the attempts.
   */
  private static JobClient startContinuous(LifecycleJob job) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.enableCheckpointing(200);
    env.setRestartStrategy(RestartStrategies.fixedDelayRestart(10, Time.milliseconds(100)));
    job.continuous(env, Duration.ofMillis(200), null);
    return env.executeAsync("lifecycle continuous");
  }

  /** Waits until both targets equal the full recompute at the source's head, while the job runs. */
  private static void awaitExact(JobClient client, ExactlyOnce check) throws Exception {
    StopAfterFirstPublish.awaitWhileRunning(
        client, () -> check.lifecycleExact(LIFECYCLE, ANOMALIES));
  }

  private LifecycleJob job(String process) {
    LifecycleJob job =
        new LifecycleJob(
                CatalogSpec.embedded(dir.toString()),
                process,
                List.of(EVENTS),
                LIFECYCLE,
                ANOMALIES)
            .sinkSettings(b -> PsybergSinkHooks.withPublishHook(b, new StopAfterFirstPublish()));
    job.ensureTargets();
    return job;
  }

  private static void runBounded(LifecycleJob job) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    job.bounded(env);
    env.execute("lifecycle bounded");
  }
}
