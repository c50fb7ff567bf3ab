package io.psyberg.flink.sink.commit;

import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Session;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code STAGED} row of a session in the session log, written only when it tells someone
 * something: when the audits and the publish run longer than {@link #DELAY} (someone watching sees
 * the session staged and under audit), or when the publish fails after the stage (the row shows
 * where it stopped). A session whose quick audits pass goes from {@code PLANNED} straight to {@code
 * PUBLISHED}, sparing the publish a commit of the session log. The row is informational: recovery
 * reads the target's snapshots.
 */
final class StagedRow {
  private static final Logger LOG = LoggerFactory.getLogger(StagedRow.class);

  /** How long a publish may take after its stage before the session shows as STAGED. */
  static final Duration DELAY = Duration.ofSeconds(1);

  private final SessionLog log;
  private final Session staged;
  private final ScheduledFuture<?> timer;
  private boolean written;
  private boolean finished;

  /**
   * @param log a session log of its own: the row may be written from the timer's thread
   * @param timer where the delayed write runs ({@link #newTimer}); owned by the publisher
   */
  StagedRow(SessionLog log, Session staged, Duration delay, ScheduledExecutorService timer) {
    this.log = log;
    this.staged = staged;
    this.timer = timer.schedule(this::write, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * A timer for the delayed rows of one publisher: one daemon thread, shut down with the publisher,
   * so a finished job leaves no thread behind holding its classes (a session cluster runs many
   * jobs).
   */
  static ScheduledExecutorService newTimer() {
    ClassLoader loader = StagedRow.class.getClassLoader();
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "psyberg-staged-row");
              t.setDaemon(true);
              t.setContextClassLoader(loader);
              return t;
            });
    // Closing drops rows still waiting for their delay; one being written completes.
    timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }

  /**
   * Writes the row now unless it is written or the publish finished: the publish failed after its
   * stage.
   */
  void writeNow() {
    write();
  }

  /**
   * The publish reached its outcome; the row is no longer wanted. Waits for a write in progress, so
   * the session's next row lands after it.
   */
  synchronized void finish() {
    timer.cancel(false);
    finished = true;
  }

  private synchronized void write() {
    if (written || finished) {
      return;
    }
    written = true;
    try {
      log.record(staged);
    } catch (RuntimeException e) {
      LOG.warn(
          "Process {}: could not record session {} as STAGED (informational only): {}",
          staged.processName(),
          staged.sessionId(),
          e.toString());
    }
  }
}
