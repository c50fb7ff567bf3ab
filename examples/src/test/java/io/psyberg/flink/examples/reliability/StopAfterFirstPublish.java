package io.psyberg.flink.examples.reliability;

import io.psyberg.flink.session.Session;
import io.psyberg.flink.sink.commit.PublishHook;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Stops a run exactly between the publishes of its targets: the armed target publishes first (the
 * others wait at their stage), and right after its publish commit the run stops, by an exception
 * (the task fails as it would on any error there) or by halting the JVM (as SIGKILL would). Fires
 * once per arming; afterwards every publish passes. State is static because the hook is serialized
 * into the job's committers.
 */
final class StopAfterFirstPublish implements PublishHook {
  private static final long serialVersionUID = 1L;

  /** Exit status of a halted child JVM. */
  static final int HALTED = 86;

  private static volatile String first;
  private static volatile boolean halt;
  private static volatile boolean fired;

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
    if (armed == null || fired || armed.equals(session.targetTable())) {
      return;
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
    if (halt) {
      Runtime.getRuntime().halt(HALTED);
    }
    throw new IllegalStateException(
        "stopped right after publishing session " + session.sessionId() + " to " + first);
  }
}
