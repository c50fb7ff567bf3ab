package io.psyberg.flink.examples.sessions;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.cli.CatalogArgs;
import io.psyberg.flink.examples.cli.Command;
import io.psyberg.flink.examples.cli.ExitCodes;
import io.psyberg.flink.examples.cli.OptionSpec;
import io.psyberg.flink.examples.cli.ParsedArgs;
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
import java.util.Optional;
import java.util.TreeSet;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * {@code sessions [--process P]}: prints the session log of the warehouse ({@code
 * psyberg.sessions}) as a table, oldest session first. Reads only; an empty or missing log is not
 * an error.
 */
public final class SessionsCommand implements Command {

  @Override
  public String name() {
    return "sessions";
  }

  @Override
  public String summary() {
    return "The session log as a table: ranges, counts, status, audits and what was published";
  }

  @Override
  public String synopsis() {
    return "[--process P] [--stale [--idle-days N]]";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(
        OptionSpec.value("process", "P", "only the sessions of this process"),
        OptionSpec.flag(
            "stale",
            "list the processes without a session for --idle-days, with the refs psyberg keeps"
                + " for them on their targets (drop them with drop-process)"),
        OptionSpec.value("idle-days", "N", "with --stale: days without a session", "7"));
  }

  @Override
  public int execute(ParsedArgs args, PrintStream out, PrintStream err) throws Exception {
    Optional<String> process = args.get("process");
    if (process.isPresent() && process.get().isBlank()) {
      throw new UsageException("option '--process' must not be blank");
    }
    CatalogSpec spec = CatalogArgs.spec(args);
    try (CatalogHandle catalog = CatalogHandle.open(spec)) {
      TableIdentifier logTable = SessionLog.tableIdentifier(spec.metadataNamespace());
      // Reading through SessionLog would create the log table; a look must not change anything.
      if (!SessionLog.exists(catalog.catalog(), spec.metadataNamespace())) {
        out.println(
            "No sessions yet: "
                + CatalogArgs.location(args, spec)
                + " has no session log ("
                + logTable
                + "). Run a job first, e.g. signups.");
        return ExitCodes.OK;
      }
      SessionLog log = new SessionLog(catalog.catalog(), spec.metadataNamespace());
      if (args.has("stale")) {
        return printStale(args, catalog, spec, log, out);
      }
      List<Session> sessions =
          process.isPresent() ? log.sessions(process.get()) : log.allSessions();
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

  private static int printStale(
      ParsedArgs args, CatalogHandle catalog, CatalogSpec spec, SessionLog log, PrintStream out)
      throws UsageException {
    long days = args.optionalLong("idle-days").orElse(7L);
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

  private static String noSessions(Optional<String> process, SessionLog log) {
    if (process.isEmpty()) {
      return "No sessions yet: the session log is empty.";
    }
    TreeSet<String> known = new TreeSet<>();
    log.allSessions().forEach(s -> known.add(s.processName()));
    return "No sessions of process '"
        + process.get()
        + "'"
        + (known.isEmpty() ? "." : " (processes in the log: " + String.join(", ", known) + ").");
  }
}
