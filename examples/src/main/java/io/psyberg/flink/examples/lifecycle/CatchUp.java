package io.psyberg.flink.examples.lifecycle;

import io.psyberg.flink.examples.cli.CommandException;
import io.psyberg.flink.examples.cli.ExitCodes;
import io.psyberg.flink.examples.jobs.Backlog;
import io.psyberg.flink.examples.jobs.CatalogHandle;
import io.psyberg.flink.examples.jobs.JobFailures;
import io.psyberg.flink.examples.sessions.BoundedJobRun;
import io.psyberg.flink.examples.sessions.SessionReport;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Session;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * The bounded lifecycle run of the command: one session, or with {@code
 * --max-snapshots-per-session} as many consecutive sessions as the backlog present at the start
 * needs, each its own job, audited and published before the next one plans from its end.
 */
final class CatchUp {
  private final LifecycleJob job;
  private final CatalogHandle catalog;
  private final List<TableIdentifier> sources;
  private final int cap;
  private final SessionLog log;
  private final Map<String, Table> targets;
  private final String process;
  private final PrintStream out;

  CatchUp(
      LifecycleJob job,
      CatalogHandle catalog,
      List<TableIdentifier> sources,
      int cap,
      SessionLog log,
      Map<String, Table> targets,
      String process,
      PrintStream out) {
    this.job = job;
    this.catalog = catalog;
    this.sources = sources;
    this.cap = cap;
    this.log = log;
    this.targets = targets;
    this.process = process;
    this.out = out;
  }

  /** Runs the sessions; a failed one stops the run with its error (those before stay published). */
  int run() throws CommandException {
    long start = System.nanoTime();
    Backlog.catchUp(
        catalog.catalog(),
        sources.stream().map(TableIdentifier::toString).toList(),
        cap,
        out,
        this::session);
    out.printf("done in %.1f s%n", (System.nanoTime() - start) / 1e9);
    return ExitCodes.OK;
  }

  /** Runs one session ending no later than {@code end}: the sessions its job recorded. */
  private List<Session> session(Map<String, Long> end) throws CommandException {
    Exception failure;
    List<Session> sessions = List.of();
    try {
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      job.bounded(env, end);
      out.println(
          "running the bounded job (new session + lookback from its earliest event time) ...");
      out.flush();
      BoundedJobRun run = BoundedJobRun.run(env, "lifecycle " + process, log, process);
      failure = run.failure();
      sessions = run.sessions();
    } catch (Exception e) {
      failure = e;
    }
    SessionReport report = new SessionReport();
    for (Session s : sessions) {
      report.print(s, targets, null, out);
    }
    if (failure != null) {
      out.flush();
      throw new CommandException(
          JobFailures.describe("the lifecycle job of process " + process, failure), failure);
    }
    return sessions;
  }
}
