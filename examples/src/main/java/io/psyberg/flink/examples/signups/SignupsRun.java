package io.psyberg.flink.examples.signups;

import io.psyberg.flink.catalog.ReadOnlyTables;
import io.psyberg.flink.examples.cli.CommandException;
import io.psyberg.flink.examples.cli.ExitCodes;
import io.psyberg.flink.examples.jobs.Backlog;
import io.psyberg.flink.examples.jobs.CatalogHandle;
import io.psyberg.flink.examples.jobs.ContinuousRun;
import io.psyberg.flink.examples.jobs.JobFailures;
import io.psyberg.flink.examples.sessions.AuditOutcomes;
import io.psyberg.flink.examples.sessions.BoundedJobRun;
import io.psyberg.flink.examples.sessions.SessionReport;
import io.psyberg.flink.examples.sessions.SessionWatcher;
import io.psyberg.flink.metadata.PublishedHighWatermark;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * One run of the signup job, bounded or continuous, with its sessions printed to {@code out} (and a
 * progress line on a terminal's {@code err}).
 */
final class SignupsRun {

  private final SignupsSettings settings;
  private final CatalogHandle catalog;
  private final Table target;
  private final PrintStream out;
  private final PrintStream err;
  private final SignupsJob job;

  SignupsRun(
      SignupsSettings settings,
      CatalogHandle catalog,
      Table target,
      PrintStream out,
      PrintStream err) {
    this.settings = settings;
    this.catalog = catalog;
    this.target = target;
    this.out = out;
    this.err = err;
    this.job = new SignupsJob(settings);
  }

  /** What the run will do: tables, and where each source resumes. */
  void printPlan(boolean targetCreated) {
    out.printf(
        "signups: process %s (%s), %s -> %s%n",
        settings.process(),
        settings.mode(),
        String.join(",", settings.sourceNames()),
        settings.target());
    out.println(
        "target "
            + settings.target()
            + ": "
            + (targetCreated
                ? "created (format v2, unpartitioned, identifier field event_id)"
                : "exists with the signup fact shape"));
    target.refresh();
    Optional<PublishedHighWatermark> hwm = PublishedHighWatermark.find(target, settings.process());
    for (TableIdentifier source : settings.sources()) {
      Snapshot current = ReadOnlyTables.load(catalog.catalog(), source).currentSnapshot();
      String now =
          current == null ? "no snapshots yet" : "current snapshot " + current.snapshotId();
      Map<String, Long> positions = hwm.map(PublishedHighWatermark::positions).orElse(Map.of());
      String from =
          positions.containsKey(source.toString())
              ? "published through snapshot " + positions.get(source.toString())
              : "nothing published yet, reading from its first snapshot";
      out.println("source " + source + ": " + from + "; " + now);
    }
    out.flush();
  }

  /**
   * Runs one session and reports it; with a cap on the snapshots per session, runs sessions one
   * after the other until the backlog present at the start is published. Exit code 0 when every
   * session was published or empty; a failed session stops the run (those before it stay
   * published).
   */
  int bounded() throws CommandException {
    long start = System.nanoTime();
    Backlog.catchUp(
        catalog.catalog(),
        settings.sourceNames(),
        settings.maxSnapshotsPerSession(),
        out,
        this::session);
    out.printf("done in %.1f s%n", (System.nanoTime() - start) / 1e9);
    return ExitCodes.OK;
  }

  /**
   * Runs one bounded job (one session, ending no later than {@code endAt}) and reports it; throws
   * when it failed.
   */
  private List<Session> session(Map<String, Long> endAt) throws CommandException {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    job.addTo(env, target, endAt);
    out.println("running the bounded job ...");
    out.flush();
    BoundedJobRun run = BoundedJobRun.run(env, job.name(), sessionLog(), settings.process());
    JobExecutionResult result = run.result();
    Exception failure = run.failure();
    List<Session> sessions = run.sessions();
    SessionReport report = new SessionReport();
    for (Session s : sessions) {
      report.print(s, target, s.status() == SessionStatus.EMPTY ? null : counts(result), out);
    }
    if (failure != null) {
      if (sessions.stream().anyMatch(SignupsRun::rowCountFailed)) {
        out.println(
            "hint: signups leaves out SIGNUP events without event_id, account_id or event_ts (they"
                + " cannot become facts), so the row-count audit refuses a session that has any.");
      }
      out.flush();
      throw new CommandException(
          JobFailures.describe("the signups job of process " + settings.process(), failure),
          failure);
    }
    if (sessions.isEmpty()) {
      out.println("the job finished without recording a session (nothing to report).");
    }
    return sessions;
  }

  /**
   * Runs until the job fails or the calling thread is interrupted (the JVM ending on Ctrl-C ends it
   * too), printing each session as it finishes.
   */
  int continuous() throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    job.addTo(env, target);
    JobClient client = env.executeAsync(job.name());
    out.printf(
        "running continuously as Flink job %s: new snapshots are looked for and checkpoints taken"
            + " every %d s; each session prints a line when it finishes.%n"
            + "Stop with Ctrl-C; the next run resumes from the published high watermark.%n",
        client.getJobID(), settings.interval().toSeconds());
    out.flush();
    return new ContinuousRun(
            client,
            new SessionWatcher(sessionLog(), settings.process(), client.getJobID()),
            "the continuous signups job of process " + settings.process(),
            out,
            err)
        .await(Duration.ofMillis(Math.min(settings.interval().toMillis(), 2000)));
  }

  private static boolean rowCountFailed(Session s) {
    return s.status() == SessionStatus.AUDIT_FAILED
        && AuditOutcomes.parse(s.auditResults()).stream()
            .anyMatch(a -> a.name().equals("row-count") && !a.passed());
  }

  private SessionLog sessionLog() {
    return new SessionLog(catalog.catalog(), catalog.spec().metadataNamespace());
  }

  /** The job's counts, or null when it did not finish. */
  private static String counts(JobExecutionResult result) {
    if (result == null) {
      return null;
    }
    long read = count(result, SignupFactMapper.ROWS_READ);
    long signups = count(result, SignupFactMapper.SIGNUPS);
    long rejected = count(result, SignupFactMapper.REJECTED);
    return String.format(
        "rows: %d events read, %d SIGNUP events, %d facts written%s",
        read,
        signups,
        signups - rejected,
        rejected == 0
            ? ""
            : String.format(
                ", %d SIGNUP events rejected (no event_id, account_id or event_ts)", rejected));
  }

  private static long count(JobExecutionResult result, String accumulator) {
    Object v = result.getAccumulatorResult(accumulator);
    return v instanceof Number ? ((Number) v).longValue() : 0L;
  }
}
