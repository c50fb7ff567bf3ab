package io.psyberg.flink.examples.lifecycle;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.cli.CatalogOptions;
import io.psyberg.flink.examples.cli.CommandException;
import io.psyberg.flink.examples.cli.ExitCodes;
import io.psyberg.flink.examples.cli.JobOptions;
import io.psyberg.flink.examples.cli.PsybergCommand;
import io.psyberg.flink.examples.cli.TableNames;
import io.psyberg.flink.examples.jobs.CatalogHandle;
import io.psyberg.flink.examples.jobs.ContinuousRun;
import io.psyberg.flink.examples.jobs.EventSources;
import io.psyberg.flink.examples.jobs.RunMode;
import io.psyberg.flink.examples.sessions.SessionWatcher;
import io.psyberg.flink.metadata.SessionLog;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.annotation.Nullable;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lifecycle --process P --source NS.T[,NS.T2] --target NS.T [--anomalies NS.T] [--mode
 * bounded|continuous] [--max-snapshots-per-session N]}: the stateful job writing the {@code
 * account_lifecycle} and {@code lifecycle_anomalies} shapes, corrected for late events. With a cap,
 * a bounded run (and a continuous start's catch-up) processes the backlog as consecutive sessions.
 */
@Command(
    name = "lifecycle",
    description =
        "The stateful lifecycle job: per-account segments and anomalies, corrected when late events"
            + " arrive, published per session.",
    customSynopsis =
        "${COMMAND-FULL-NAME} --process P --source NS.T[,NS.T2] --target NS.T [--anomalies NS.T]"
            + " [--mode bounded|continuous] [--interval SECONDS] [--max-snapshots-per-session N]"
            + " [catalog options]")
public final class LifecycleCommand extends PsybergCommand {

  @Mixin private JobOptions jobOptions;

  @Option(
      names = "--target",
      paramLabel = "NS.T",
      required = true,
      order = 3,
      description = "the account_lifecycle table, created when missing")
  private String targetOption;

  @Option(
      names = "--anomalies",
      paramLabel = "NS.T",
      order = 4,
      description =
          "the lifecycle_anomalies table, created when missing (default: lifecycle_anomalies next"
              + " to --target)")
  @Nullable
  private String anomaliesOption;

  @Mixin private CatalogOptions catalog;

  @Override
  protected int execute(PrintStream out, PrintStream err) throws Exception {
    String process = jobOptions.process();
    List<TableIdentifier> sources = jobOptions.sources();
    TableIdentifier target = TableNames.parse("target", targetOption);
    TableIdentifier anomalies =
        anomaliesOption != null
            ? TableNames.parse("anomalies", anomaliesOption)
            : TableIdentifier.of(target.namespace(), "lifecycle_anomalies");
    Duration interval = jobOptions.interval();
    RunMode mode = jobOptions.mode();
    int cap = jobOptions.maxSnapshotsPerSession();
    CatalogSpec spec = catalog.spec();
    Map<String, TableIdentifier> targets = new LinkedHashMap<>();
    targets.put("target", target);
    targets.put("anomalies", anomalies);
    jobOptions.checkTables(spec.metadataNamespace(), targets);
    try (CatalogHandle opened = CatalogHandle.open(spec)) {
      EventSources.check(opened.catalog(), catalog.location(spec), catalog.hint(), sources);
      LifecycleJob job =
          new LifecycleJob(
              spec,
              process,
              sources.stream().map(TableIdentifier::toString).collect(Collectors.toList()),
              target.toString(),
              anomalies.toString());
      job.maxSnapshotsPerSession(cap);
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
      SessionLog log = new SessionLog(opened.catalog(), spec.metadataNamespace());
      // both targets, as each publish of a session is reported
      Map<String, Table> published = new LinkedHashMap<>();
      published.put(target.toString(), opened.catalog().loadTable(target));
      published.put(anomalies.toString(), opened.catalog().loadTable(anomalies));
      CatchUp catchUp = new CatchUp(job, opened, sources, cap, log, published, process, out);
      if (mode == RunMode.BOUNDED) {
        return catchUp.run();
      }
      if (job.hasPublished()) {
        // A fresh continuous start writes its state from the published history (a bounded job
        // before the continuous one): both targets must stand at the same high watermark, which a
        // bounded run to the head gives them.
        out.println("catching up with a bounded run before starting continuously ...");
        int caughtUp = catchUp.run();
        if (caughtUp != ExitCodes.OK) {
          return caughtUp;
        }
      }
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      env.enableCheckpointing(interval.toMillis());
      if (job.hasPublished()) {
        out.println("writing the lifecycle state of the published history ...");
      }
      job.continuous(env, interval, null);
      return continuous(env, log, process, out, err);
    }
  }

  private int continuous(
      StreamExecutionEnvironment env,
      SessionLog log,
      String process,
      PrintStream out,
      PrintStream err)
      throws Exception {
    JobClient client = env.executeAsync("lifecycle " + process);
    out.printf(
        "running continuously as Flink job %s; stop with Ctrl-C (the next run resumes from the"
            + " published high watermark).%n",
        client.getJobID());
    out.flush();
    return new ContinuousRun(
            client,
            new SessionWatcher(log, process, client.getJobID()),
            "the continuous lifecycle job of process " + process,
            out,
            err)
        .await(Duration.ofSeconds(2));
  }
}
