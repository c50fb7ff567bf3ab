package io.psyberg.flink.examples.jobs;

import io.psyberg.flink.examples.cli.CommandException;
import io.psyberg.flink.examples.cli.ExitCodes;
import io.psyberg.flink.examples.progress.ProgressLine;
import io.psyberg.flink.examples.sessions.SessionReport;
import io.psyberg.flink.examples.sessions.SessionWatcher;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.core.execution.JobClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows a submitted continuous job until it ends or the calling thread is interrupted (Ctrl-C),
 * printing each session as it finishes. The session log is read on a helper thread, so that an
 * interrupt always reaches this thread's waits and is never turned into an I/O failure of a catalog
 * read (which would end the command with an error and leave the job running). However the command
 * ends, a job still running is cancelled.
 */
public final class ContinuousRun {
  private static final Logger LOG = LoggerFactory.getLogger(ContinuousRun.class);
  private static final long CANCEL_TIMEOUT_SECONDS = 30;
  private static final long SESSION_LOG_TIMEOUT_SECONDS = 30;

  private final JobClient client;
  private final SessionWatcher watcher;
  private final String jobDescription;
  private final PrintStream out;
  private final ProgressLine progress;
  private final long started = System.nanoTime();
  private int published;
  private long rows;

  /**
   * @param jobDescription names the job in errors, e.g. "the continuous lifecycle job of process p"
   * @param err where a terminal shows the run's progress line (sessions published, rows, rate)
   */
  public ContinuousRun(
      JobClient client,
      SessionWatcher watcher,
      String jobDescription,
      PrintStream out,
      PrintStream err) {
    this.client = client;
    this.watcher = watcher;
    this.jobDescription = jobDescription;
    this.out = out;
    this.progress = ProgressLine.on(err);
  }

  /**
   * Waits for the job, looking at the session log every {@code poll}; exit code 0 when the job
   * finished or was stopped by an interrupt (the interrupt is set again for the caller).
   */
  public int await(Duration poll) throws CommandException {
    ExecutorService reader =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "psyberg-session-log-reader");
              t.setDaemon(true);
              return t;
            });
    boolean ended = false;
    try {
      while (true) {
        try {
          client.getJobExecutionResult().get(poll.toMillis(), TimeUnit.MILLISECONDS);
          ended = true;
          printNew(reader);
          progress.close();
          out.println("the continuous job finished.");
          return ExitCodes.OK;
        } catch (TimeoutException stillRunning) {
          printNew(reader);
        } catch (ExecutionException e) {
          ended = true;
          printNew(reader);
          throw new CommandException(
              JobFailures.describe(jobDescription, e.getCause()), e.getCause());
        }
      }
    } catch (InterruptedException stop) {
      ended = true;
      return stop(reader);
    } finally {
      progress.clear();
      if (!ended) {
        cancelQuietly();
      }
      reader.shutdownNow();
    }
  }

  private int stop(ExecutorService reader) throws CommandException {
    try {
      client.cancel().get(CANCEL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      awaitEnd();
      printNew(reader);
      progress.close();
      out.println("stopped: job " + client.getJobID() + " cancelled.");
      return ExitCodes.OK;
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      throw new CommandException(
          "could not cancel Flink job "
              + client.getJobID()
              + " after the stop: cancel it with the Flink CLI or web UI ("
              + e
              + ")",
          e);
    } finally {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Waits until the cancelled job has ended (the cancel is acknowledged before its tasks have
   * closed): the command returns when nothing of the job writes any more.
   */
  private void awaitEnd() throws InterruptedException {
    try {
      client.getJobExecutionResult().get(CANCEL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException cancelled) {
      // the expected end of a cancelled job
    } catch (TimeoutException e) {
      LOG.warn(
          "Flink job {} was cancelled but had not ended after {} s",
          client.getJobID(),
          CANCEL_TIMEOUT_SECONDS);
    }
  }

  private void cancelQuietly() {
    try {
      client.cancel().get(CANCEL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Could not cancel Flink job {}; cancel it by hand", client.getJobID(), e);
    }
  }

  /**
   * Prints the sessions that finished since the last look. A failed look (say, a commit racing the
   * read) is not the job's failure: the next poll looks again.
   */
  private void printNew(ExecutorService reader) throws InterruptedException {
    List<Session> finished;
    try {
      finished = reader.submit(watcher::poll).get(SESSION_LOG_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      LOG.debug("Could not read the session log this time ({})", jobDescription, e);
      return;
    }
    if (!finished.isEmpty()) {
      progress.clear();
    }
    for (Session s : finished) {
      out.println(SessionReport.oneLine(s));
      if (s.status() == SessionStatus.PUBLISHED) {
        published++;
        rows += s.recordCount();
      }
    }
    out.flush();
    progress.draw(status());
  }

  /** {@code running 0:01:23, 5 sessions published, 12,345 rows read, 148 rows/s}. */
  String status() {
    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
    return String.format(
        "running %s, %d %s published, %,d rows read, %,d rows/s (Ctrl-C stops)",
        ProgressLine.clock(elapsed),
        published,
        published == 1 ? "session" : "sessions",
        rows,
        ProgressLine.perSecond(rows, elapsed));
  }
}
