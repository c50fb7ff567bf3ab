package io.psyberg.flink.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.session.Session;
import io.psyberg.flink.sink.commit.PublishHook;
import io.psyberg.flink.testutils.Waits;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/**
 * Stops a run exactly between the publishes of its targets: the armed target publishes first (the
 * others wait at their stage), and right after its publish commit the run stops, by an exception
 * (the task fails as it would on any error there) or by halting the JVM (as SIGKILL would). Fires
 * once per arming; afterwards every publish of a task deployed after the stop passes, while a
 * publish of the stopped run stays held until that run's cancellation interrupts it, however late
 * its committer gets there. State is static because the hook is serialized into the job's
 * committers.
 *
 * <p>A continuous job publishes at checkpoints, and its committers can see a session ready at
 * different checkpoints (the source records that the session was read asynchronously): a target
 * held at checkpoint N, waiting in its checkpoint notification, keeps checkpoint N+1 from ever
 * completing, so the armed target, which saw the session only after N, would never publish. So in a
 * continuous job ({@link #armContinuous}) a held target whose armed target has not published by
 * then fails its task instead of waiting on; the job restarts from checkpoint N, where every
 * committer publishes the sessions it restored while it starts, without a checkpoint, and the held
 * target waits there. With {@code holdAfterStop}, the publishes of the tasks deployed after the
 * stop are held too, until the test cancels the job, so that the targets stay apart as after a kill
 * of the whole cluster.
 */
final class StopAfterFirstPublish implements PublishHook {
  private static final long serialVersionUID = 1L;

  /** Exit status of a halted child JVM. */
  static final int HALTED = 86;

  /**
   * How long a held target of a continuous job waits in a checkpoint notification for the armed
   * target's publish before it fails its task (see the class comment). Only which path the test
   * takes depends on it, not its outcome: a failed task restarts the job and the stop happens as
   * its committers start.
   */
  private static final long CONTINUOUS_WAIT_MILLIS = 3_000;

  private static volatile String first;
  private static volatile boolean halt;
  private static volatile boolean fired;

  /** Counted down by the armed target's publish, the event a held target waits on. */
  private static volatile CountDownLatch firedEvent = new CountDownLatch(1);

  private static volatile boolean continuous;
  private static volatile boolean holdAfterStop;

  /** How many held tasks of a continuous job failed to let it restart. */
  private static final AtomicInteger RESTARTS_ASKED = new AtomicInteger();

  /** {@link #RESTARTS_ASKED} when the hook was armed. */
  private static volatile int restartsAskedAtArm;

  /** How many times a run was stopped; a task deployed before the latest stop belongs to it. */
  private static final AtomicInteger STOPS = new AtomicInteger();

  /** {@link #STOPS} when this copy of the hook was deployed with its committer. */
  private transient int deployedAfterStops;

  /** Held publishes wait on it until their task is interrupted; nothing counts it down. */
  private static final CountDownLatch NEVER_RELEASED = new CountDownLatch(1);

  /**
   * The cluster of a test whose jobs this hook stops: a held publish ends when the stopped job's
   * cancellation interrupts it, and Iceberg's file IO in the held committer can swallow the first
   * interrupt (a {@code ClosedByInterruptException} it retries), so the next one is sent after 200
   * ms instead of Flink's 30 s.
   */
  static MiniClusterExtension miniCluster() {
    Configuration conf = new Configuration();
    conf.set(TaskManagerOptions.TASK_CANCELLATION_INTERVAL, 200L);
    return new MiniClusterExtension(
        new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(4)
            .setConfiguration(conf)
            .build());
  }

  /** The next run stops right after {@code target}'s publish; other targets wait until then. */
  static void arm(String target, boolean haltJvm) {
    first = target;
    halt = haltJvm;
    fired = false;
    firedEvent = new CountDownLatch(1);
    continuous = false;
    holdAfterStop = false;
    restartsAskedAtArm = RESTARTS_ASKED.get();
  }

  /**
   * As {@link #arm} for a continuous job, stopped by an exception; with {@code holdAfterStop} no
   * task deployed after the stop publishes either (the test cancels the job).
   */
  static void armContinuous(String target, boolean holdAfterStop) {
    arm(target, false);
    continuous = true;
    StopAfterFirstPublish.holdAfterStop = holdAfterStop;
  }

  static boolean fired() {
    return fired;
  }

  /**
   * Waits until the continuous job stopped right after the armed target's publish; fails when the
   * job ended before that publish.
   */
  static void awaitStop(JobClient job) throws Exception {
    String armed = first;
    Waits.await(
        "the job to stop right after publishing to " + armed,
        Duration.ofMinutes(3),
        () -> {
          assertThat(job.getJobStatus().get().isGloballyTerminalState() && !fired)
              .as("the continuous job ended before its first publish")
              .isFalse();
          return fired;
        },
        () -> "job status " + job.getJobStatus().get());
  }

  /**
   * Waits until {@code check} passes while the continuous job runs (at most 3 minutes); then runs
   * it once more to fail with its difference. Fails as soon as the job ended.
   */
  static void awaitWhileRunning(JobClient job, Runnable check) throws Exception {
    boolean passed =
        Waits.holdsWithin(
            Duration.ofSeconds(180),
            () -> {
              assertThat(job.getJobStatus().get().isGloballyTerminalState())
                  .as("the continuous job ended")
                  .isFalse();
              try {
                check.run();
                return true;
              } catch (AssertionError notYet) {
                return false;
              }
            });
    if (!passed) {
      check.run();
    }
  }

  /** Cancels the job unless it already ended, and waits for it to end. */
  static void cancel(JobClient job) throws Exception {
    if (!job.getJobStatus().get().isGloballyTerminalState()) {
      job.cancel().get(60, TimeUnit.SECONDS);
    }
    Waits.await(
        "the cancelled job to end",
        Duration.ofMinutes(2),
        () -> job.getJobStatus().get().isGloballyTerminalState(),
        () -> "job status " + job.getJobStatus().get());
  }

  static void disarm() {
    first = null;
  }

  @Override
  public void afterStage(Session session, long stagedSnapshotId) {
    String armed = first;
    if (armed == null || armed.equals(session.targetTable())) {
      return;
    }
    if (fired && deployedAfterStops == STOPS.get() && !holdAfterStop) {
      return; // a committer of a run started after the stop
    }
    // Once a restart was asked for, held tasks are the restarted job's, publishing as they start.
    boolean mayBeInACheckpointNotification =
        continuous && !fired && RESTARTS_ASKED.get() == restartsAskedAtArm;
    if (mayBeInACheckpointNotification && !firedWithin(CONTINUOUS_WAIT_MILLIS)) {
      RESTARTS_ASKED.incrementAndGet();
      throw new IllegalStateException(
          "held the publish to "
              + session.targetTable()
              + " while "
              + armed
              + " had not published: restarting the job, so that both publish as they start");
    }
    // Hold this target's publish until the run is stopped: cancelling the failed job interrupts us.
    try {
      NEVER_RELEASED.await(120, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("held publish to " + session.targetTable() + " cancelled");
    }
    throw new IllegalStateException(
        "the publish to " + armed + " did not happen while " + session.targetTable() + " waited");
  }

  private static boolean firedWithin(long millis) {
    try {
      return firedEvent.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("held publish cancelled", e);
    }
  }

  @Override
  public void afterPublish(Session session, long publishedSnapshotId) {
    if (fired || first == null || !first.equals(session.targetTable())) {
      return;
    }
    fired = true;
    STOPS.incrementAndGet();
    firedEvent.countDown();
    if (halt) {
      Runtime.getRuntime().halt(HALTED);
    }
    throw new IllegalStateException(
        "stopped right after publishing session " + session.sessionId() + " to " + first);
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    deployedAfterStops = STOPS.get();
  }
}
