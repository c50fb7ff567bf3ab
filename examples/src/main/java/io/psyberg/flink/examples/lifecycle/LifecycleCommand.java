package io.psyberg.flink.examples.lifecycle;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.cli.CatalogArgs;
import io.psyberg.flink.examples.cli.Command;
import io.psyberg.flink.examples.cli.CommandException;
import io.psyberg.flink.examples.cli.ExitCodes;
import io.psyberg.flink.examples.cli.OptionSpec;
import io.psyberg.flink.examples.cli.ParsedArgs;
import io.psyberg.flink.examples.cli.TableNames;
import io.psyberg.flink.examples.cli.UsageException;
import io.psyberg.flink.examples.jobs.CatalogHandle;
import io.psyberg.flink.examples.jobs.ContinuousRun;
import io.psyberg.flink.examples.jobs.EventSources;
import io.psyberg.flink.examples.jobs.JobFailures;
import io.psyberg.flink.examples.sessions.SessionReport;
import io.psyberg.flink.examples.sessions.SessionWatcher;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * {@code lifecycle --process P --source NS.T[,NS.T2] --target NS.T [--anomalies NS.T] [--mode
 * bounded|continuous]}: the stateful job writing the {@code account_lifecycle} and {@code
 * lifecycle_anomalies} shapes, corrected for late events.
 */
public final class LifecycleCommand implements Command {

  @Override
  public String name() {
    return "lifecycle";
  }

  @Override
  public String summary() {
    return "The stateful lifecycle job: per-account segments and anomalies, corrected when late"
        + " events arrive, published per session";
  }

  @Override
  public String synopsis() {
    return "--process P --source NS.T[,NS.T2] --target NS.T [--anomalies NS.T] [--mode"
        + " bounded|continuous] [--interval SECONDS]";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(
        OptionSpec.value(
            "process", "P", "the process name, e.g. lifecycle_load; runs resume where it stopped"),
        OptionSpec.value(
            "source", "NS.T[,NS.T2]", "membership event table(s), e.g. membership.events"),
        OptionSpec.value("target", "NS.T", "the account_lifecycle table, created when missing"),
        OptionSpec.value(
            "anomalies",
            "NS.T",
            "the lifecycle_anomalies table, created when missing (default: lifecycle_anomalies next"
                + " to --target)"),
        OptionSpec.value(
            "mode",
            "bounded|continuous",
            "bounded: correct the published lifecycle with what is new, then stop; continuous: keep"
                + " running",
            "bounded"),
        OptionSpec.value(
            "interval",
            "SECONDS",
            "continuous mode: how often to look for new snapshots and checkpoint",
            "5"));
  }

  @Override
  public int execute(ParsedArgs args, PrintStream out, PrintStream err) throws Exception {
    String process = args.required("process").trim();
    List<TableIdentifier> sources = TableNames.parseList("source", args.required("source"));
    TableIdentifier target = TableNames.parse("target", args.required("target"));
    TableIdentifier anomalies =
        args.has("anomalies")
            ? TableNames.parse("anomalies", args.required("anomalies"))
            : TableIdentifier.of(target.namespace(), "lifecycle_anomalies");
    if (sources.contains(target) || sources.contains(anomalies) || target.equals(anomalies)) {
      throw new UsageException(
          "options --source, --target and --anomalies must name different tables");
    }
    String mode = args.get("mode").orElse("bounded").trim().toLowerCase(Locale.ROOT);
    if (!mode.equals("bounded") && !mode.equals("continuous")) {
      throw new UsageException(
          "option '--mode' must be 'bounded' or 'continuous', got '" + mode + "'");
    }
    long seconds = args.optionalLong("interval").orElse(5L);
    if (seconds < 1 || seconds > 3600) {
      throw new UsageException(
          "option '--interval' must be between 1 and 3600 seconds, got " + seconds);
    }
    CatalogSpec spec = CatalogArgs.spec(args);
    try (CatalogHandle catalog = CatalogHandle.open(spec)) {
      EventSources.check(
          catalog.catalog(), CatalogArgs.location(args, spec), CatalogArgs.hint(args), sources);
      LifecycleJob job =
          new LifecycleJob(
              spec,
              process,
              sources.stream().map(TableIdentifier::toString).collect(Collectors.toList()),
              target.toString(),
              anomalies.toString());
      try {
        job.ensureTargets();
      } catch (RuntimeException e) {
        throw new CommandException(e.getMessage(), e);
      }
      out.printf(
          "lifecycle: process %s (%s), %s -> %s, %s%n",
          process,
          mode,
          sources.stream().map(TableIdentifier::toString).collect(Collectors.joining(",")),
          target,
          anomalies);
      SessionWatcher watcher =
          new SessionWatcher(new SessionLog(catalog.catalog(), spec.metadataNamespace()), process);
      Table lifecycle = catalog.catalog().loadTable(target);
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      if (mode.equals("bounded")) {
        return bounded(job, env, watcher, lifecycle, process, out);
      }
      if (job.hasPublished()) {
        // A fresh continuous start writes its state from the published history (a bounded job
        // before the continuous one): both targets must stand at the same high watermark, which a
        // bounded run to the head gives them.
        out.println("catching up with a bounded run before starting continuously ...");
        int caughtUp =
            bounded(
                job,
                StreamExecutionEnvironment.getExecutionEnvironment(),
                watcher,
                lifecycle,
                process,
                out);
        if (caughtUp != ExitCodes.OK) {
          return caughtUp;
        }
      }
      env.enableCheckpointing(Duration.ofSeconds(seconds).toMillis());
      if (job.hasPublished()) {
        out.println("writing the lifecycle state of the published history ...");
      }
      job.continuous(env, Duration.ofSeconds(seconds), null);
      return continuous(
          env,
          new SessionWatcher(new SessionLog(catalog.catalog(), spec.metadataNamespace()), process),
          process,
          out);
    }
  }

  private int bounded(
      LifecycleJob job,
      StreamExecutionEnvironment env,
      SessionWatcher watcher,
      Table lifecycle,
      String process,
      PrintStream out)
      throws CommandException {
    long start = System.nanoTime();
    Exception failure = null;
    try {
      job.bounded(env);
      out.println(
          "running the bounded job (new session + lookback from its earliest event time) ...");
      out.flush();
      env.execute("lifecycle " + process);
    } catch (Exception e) {
      failure = e;
    }
    SessionReport report = new SessionReport();
    for (Session s : watcher.sessionsOfThisRun()) {
      report.print(s, s.status() == SessionStatus.EMPTY ? null : lifecycle, null, out);
    }
    if (failure != null) {
      out.flush();
      throw new CommandException(
          JobFailures.describe("the lifecycle job of process " + process, failure), failure);
    }
    out.printf("done in %.1f s%n", (System.nanoTime() - start) / 1e9);
    return ExitCodes.OK;
  }

  private int continuous(
      StreamExecutionEnvironment env, SessionWatcher watcher, String process, PrintStream out)
      throws Exception {
    JobClient client = env.executeAsync("lifecycle " + process);
    out.printf(
        "running continuously as Flink job %s; stop with Ctrl-C (the next run resumes from the"
            + " published high watermark).%n",
        client.getJobID());
    out.flush();
    return new ContinuousRun(
            client, watcher, "the continuous lifecycle job of process " + process, out)
        .await(Duration.ofSeconds(2));
  }
}
