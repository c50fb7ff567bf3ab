package io.psyberg.flink.examples.sessions;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.cli.CatalogOptions;
import io.psyberg.flink.examples.cli.ExitCodes;
import io.psyberg.flink.examples.cli.PsybergCommand;
import io.psyberg.flink.examples.cli.UsageException;
import io.psyberg.flink.examples.jobs.CatalogHandle;
import io.psyberg.flink.examples.sql.ResultTable;
import io.psyberg.flink.examples.sql.TablePrinter;
import io.psyberg.flink.examples.sql.ValueFormatter;
import io.psyberg.flink.metadata.HighWatermarkMirror;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Session;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.TreeSet;
import javax.annotation.Nullable;
import org.apache.iceberg.catalog.TableIdentifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sessions [--process P]}: prints the session log of the warehouse ({@code
 * psyberg.sessions}) as a table, oldest session first. Reads only; an empty or missing log is not
 * an error.
 */
@Command(
    name = "sessions",
    description =
        "The session log as a table: ranges, counts, status, audits and what was published.",
    customSynopsis =
        "${COMMAND-FULL-NAME} [--process P] [--stale [--idle-days N]] [catalog options]")
public final class SessionsCommand extends PsybergCommand {

  @Option(names = "--process", paramLabel = "P", description = "only the sessions of this process")
  @Nullable
  private String process;

  @Option(
      names = "--stale",
      description =
          "list the processes without a session for --idle-days, with the refs psyberg keeps for"
              + " them on their targets (drop them with drop-process)")
  private boolean stale;

  @Option(
      names = "--idle-days",
      paramLabel = "N",
      defaultValue = "7",
      description = "with --stale: days without a session (default: ${DEFAULT-VALUE})")
  private long idleDays;

  @Mixin private CatalogOptions catalog;

  @Override
  protected int execute(PrintStream out, PrintStream err) throws Exception {
    if (process != null && process.isBlank()) {
      throw new UsageException("option '--process' must not be blank");
    }
    CatalogSpec spec = catalog.spec();
    try (CatalogHandle opened = CatalogHandle.open(spec)) {
      TableIdentifier logTable = SessionLog.tableIdentifier(spec.metadataNamespace());
      // Reading through SessionLog would create the log table; a look must not change anything.
      if (!SessionLog.exists(opened.catalog(), spec.metadataNamespace())) {
        out.println(
            "No sessions yet: "
                + catalog.location(spec)
                + " has no session log ("
                + logTable
                + "). Run a job first, e.g. signups.");
        return ExitCodes.OK;
      }
      SessionLog log = new SessionLog(opened.catalog(), spec.metadataNamespace());
      if (stale) {
        return printStale(opened, spec, log, out);
      }
      List<Session> sessions = process != null ? log.sessions(process) : log.allSessions();
      if (sessions.isEmpty()) {
        out.println(noSessions(process, log));
        return ExitCodes.OK;
      }
      new TablePrinter(new ValueFormatter(ZoneOffset.UTC), false)
          .print(SessionTable.of(sessions), out);
      out.println(sessions.size() == 1 ? "1 session" : sessions.size() + " sessions");
      return ExitCodes.OK;
    }
  }

  private int printStale(CatalogHandle catalog, CatalogSpec spec, SessionLog log, PrintStream out)
      throws UsageException {
    long days = idleDays;
    if (days < 0) {
      throw new UsageException("option '--idle-days' must be 0 or more, not " + days);
    }
    ResultTable stale =
        StaleProcesses.of(
            catalog.catalog(),
            log,
            new HighWatermarkMirror(catalog.catalog(), spec.metadataNamespace()),
            Duration.ofDays(days),
            Instant.now());
    if (stale.rows().isEmpty()) {
      out.println("No process has been without a session for " + days + " days or more.");
      return ExitCodes.OK;
    }
    new TablePrinter(new ValueFormatter(ZoneOffset.UTC), false).print(stale, out);
    out.println(
        stale.rows().size()
            + (stale.rows().size() == 1 ? " stale process" : " stale processes")
            + "; drop one with: drop-process --process P");
    return ExitCodes.OK;
  }

  private static String noSessions(@Nullable String process, SessionLog log) {
    if (process == null) {
      return "No sessions yet: the session log is empty.";
    }
    TreeSet<String> known = new TreeSet<>();
    log.allSessions().forEach(s -> known.add(s.processName()));
    return "No sessions of process '"
        + process
        + "'"
        + (known.isEmpty() ? "." : " (processes in the log: " + String.join(", ", known) + ").");
  }
}
