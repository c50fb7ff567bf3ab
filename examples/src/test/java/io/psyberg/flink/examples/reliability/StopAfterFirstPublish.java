package io.psyberg.flink.examples.reliability;

import io.psyberg.flink.session.Session;
import io.psyberg.flink.sink.commit.PublishHook;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stops a run exactly between the publishes of its targets: the armed target publishes first (the
 * others wait at their stage), and right after its publish commit the run stops, by an exception
 * (the task fails as it would on any error there) or by halting the JVM (as SIGKILL would). Fires
 * once per arming; afterwards every publish of a task deployed after the stop passes, while a
 * publish of the stopped run stays held until that run's cancellation interrupts it, however late
 * its committer gets there. State is static because the hook is serialized into the job's
 * committers.
 */
final class StopAfterFirstPublish implements PublishHook {
  private static final long serialVersionUID = 1L;

  /** Exit status of a halted child JVM. */
  static final int HALTED = 86;

  private static volatile String first;
  private static volatile boolean halt;
  private static volatile boolean fired;

  /** How many times a run was stopped; a task deployed before the latest stop belongs to it. */
  private static final AtomicInteger STOPS = new AtomicInteger();

  /** {@link #STOPS} when this copy of the hook was deployed with its committer. */
  private transient int deployedAfterStops;

  /** Held publishes wait on it until their task is interrupted; nothing counts it down. */
  private static final CountDownLatch NEVER_RELEASED = new CountDownLatch(1);

  /** The next run stops right after {@code target}'s publish; other targets wait until then. */
  static void arm(String target, boolean haltJvm) {
    first = target;
    halt = haltJvm;
    fired = false;
  }

  static boolean fired() {
    return fired;
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
    if (fired && deployedAfterStops == STOPS.get()) {
      return; // a committer of a run started after the stop
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

  @Override
  public void afterPublish(Session session, long publishedSnapshotId) {
    if (fired || first == null || !first.equals(session.targetTable())) {
      return;
    }
    fired = true;
    STOPS.incrementAndGet();
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
