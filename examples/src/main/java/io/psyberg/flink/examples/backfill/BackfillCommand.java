package io.psyberg.flink.examples.backfill;

import io.psyberg.flink.backfill.Backfill;
import io.psyberg.flink.backfill.BackfillStatus;
import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.cli.CatalogArgs;
import io.psyberg.flink.examples.cli.CommandGroup;
import io.psyberg.flink.examples.cli.ExitCodes;
import io.psyberg.flink.examples.cli.OptionSpec;
import io.psyberg.flink.examples.cli.ParsedArgs;
import io.psyberg.flink.examples.cli.UsageException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.iceberg.catalog.Catalog;

/**
 * {@code backfill start|status|resume|validate|publish|abort}: the managed backfill cycle (DESIGN
 * section 13) on the command line.
 */
public final class BackfillCommand implements CommandGroup {
  private final Map<String, BackfillSubcommand> subcommands = new LinkedHashMap<>();

  public BackfillCommand() {
    add(
        new BackfillSubcommand(
            "start",
            "Rebuilds a process's output for an event-time range into branch"
                + " psyberg-backfill-<id> of its targets, in resumable chunks; prints the id.",
            "--process P --job signups|lifecycle|sql [--file F] (--from-time T1 --to-time T2 |"
                + " --all) [--max-snapshots-per-session N] [--format table|json]",
            List.of(
                OptionSpec.value("process", "P", "the process whose output is rebuilt"),
                OptionSpec.value("job", "JOB", "the job's logic: signups, lifecycle or sql"),
                OptionSpec.value(
                    "file", "F", "the Flink SQL script of --job sql (see README, Backfill)"),
                OptionSpec.value("from-time", "T1", "start of the event-time range (inclusive)"),
                OptionSpec.value("to-time", "T2", "end of the event-time range (exclusive)"),
                OptionSpec.flag("all", "rebuild the whole history"),
                OptionSpec.value(
                    "max-snapshots-per-session", "N", "source snapshots per chunk (default: all)"),
                OptionSpec.value("format", "FORMAT", "output: table or json", "table")),
            this::start));
    add(
        new BackfillSubcommand(
            "status",
            "Lists the backfills, or shows one (with a progress bar on a terminal while it runs).",
            "[ID]",
            List.of(),
            this::status));
    add(
        new BackfillSubcommand(
            "resume",
            "Continues a stopped or failed backfill after its last committed chunk.",
            "ID",
            List.of(),
            (args, id, out, err) -> build(args, out, err, b -> b.resume(id))));
    add(
        new BackfillSubcommand(
            "validate",
            "Audits a built backfill's branches and compares them with main over the range.",
            "ID",
            List.of(),
            this::validate));
    add(
        new BackfillSubcommand(
            "publish",
            "Replaces the range on main with a validated backfill's rows; rows the live process"
                + " published meanwhile survive.",
            "ID",
            List.of(),
            (args, id, out, err) ->
                report(args, out, b -> b.publish(id), "published to main; branches dropped")));
    add(
        new BackfillSubcommand(
            "abort",
            "Drops a backfill's branches and marks it ABORTED; main is not touched.",
            "ID",
            List.of(),
            (args, id, out, err) -> report(args, out, b -> b.abort(id), "branches dropped")));
  }

  private void add(BackfillSubcommand sub) {
    subcommands.put(sub.shortName(), sub);
  }

  @Override
  public String name() {
    return "backfill";
  }

  @Override
  public String summary() {
    return "Managed backfill: start, status, resume, validate, publish or abort a rebuild of a"
        + " range of a process's output.";
  }

  @Override
  public String synopsis() {
    return String.join("|", subcommands.keySet()) + " [ID] [options]";
  }

  @Override
  public Invocation resolve(List<String> args) throws UsageException {
    BackfillSubcommand sub = subcommands.get(args.get(0));
    if (sub == null) {
      throw new UsageException(
          "unknown subcommand '"
              + args.get(0)
              + "': valid subcommands are "
              + String.join(", ", subcommands.keySet()));
    }
    List<String> rest = new ArrayList<>(args.subList(1, args.size()));
    String id = null;
    if (sub.takesId() && !rest.isEmpty() && !rest.get(0).startsWith("-")) {
      id = rest.remove(0);
    } else if (sub.synopsis().equals("ID") && !rest.contains("--help")) {
      throw new UsageException("backfill " + sub.shortName() + " needs the backfill ID");
    }
    return new Invocation(sub.withId(id), rest);
  }

  /** One call on {@link Backfills} with an open catalog. */
  private interface Call<T> {
    T on(Backfills backfills) throws Exception;
  }

  private static <T> T withBackfills(
      ParsedArgs args, @Nullable BackfillRunner.ChunkListener listener, Call<T> call)
      throws Exception {
    CatalogSpec spec = CatalogArgs.spec(args);
    Catalog catalog = spec.open();
    try {
      Backfills backfills =
          new Backfills(catalog, spec.metadataNamespace())
              .sqlCatalog(spec, CatalogArgs.options(args));
      if (listener != null) {
        backfills.listener(listener);
      }
      return call.on(backfills);
    } finally {
      CatalogSpec.closeQuietly(catalog);
    }
  }

  private int start(ParsedArgs args, String unused, PrintStream out, PrintStream err)
      throws Exception {
    String job = BackfillJobs.check(args.required("job"));
    Path script = args.get("file").map(Path::of).orElse(null);
    String format = args.get("format").orElse("table");
    if (!format.equals("table") && !format.equals("json")) {
      throw new UsageException(
          "option '--format' has the bad value '" + format + "': valid values are table, json");
    }
    BackfillRange range =
        BackfillRange.parse(
            args.get("from-time").orElse(null), args.get("to-time").orElse(null), args.has("all"));
    int max =
        args.has("max-snapshots-per-session")
            ? (int) args.requiredLong("max-snapshots-per-session", 1)
            : 0;
    String process = args.required("process");
    Backfill built =
        withBackfills(args, progress(err), b -> b.start(process, job, script, range, max));
    if (ProgressLine.onTerminal()) {
      err.println();
    }
    if (format.equals("json")) {
      out.println("{\"backfill_id\":" + ValidationReport.quote(built.backfillId()) + "}");
    } else {
      out.println(built.backfillId());
      err.printf(
          "backfill %s: %s, %d chunks, %,d rows on branch %s of %s. Next: backfill validate %s%n",
          built.backfillId(),
          built.status(),
          built.chunksTotal(),
          built.rowsWritten(),
          built.branch(),
          String.join(", ", built.targetTables()),
          built.backfillId());
    }
    return ExitCodes.OK;
  }

  private static int build(ParsedArgs args, PrintStream out, PrintStream err, Call<Backfill> call)
      throws Exception {
    Backfill built = withBackfills(args, progress(err), call);
    if (ProgressLine.onTerminal()) {
      err.println();
    }
    out.printf(
        "backfill %s: %s, %d/%d chunks, %,d rows%n",
        built.backfillId(),
        built.status(),
        built.chunksDone(),
        built.chunksTotal(),
        built.rowsWritten());
    return ExitCodes.OK;
  }

  private static int report(ParsedArgs args, PrintStream out, Call<Backfill> call, String what)
      throws Exception {
    Backfill b = withBackfills(args, null, call);
    out.printf("backfill %s: %s (%s)%n", b.backfillId(), b.status(), what);
    return ExitCodes.OK;
  }

  @Nullable
  private static BackfillRunner.ChunkListener progress(PrintStream err) {
    if (!ProgressLine.onTerminal()) {
      return null;
    }
    return (b, chunk) -> {
      err.print("\r" + ProgressLine.of(b, Instant.now()));
      err.flush();
    };
  }

  private int validate(ParsedArgs args, String id, PrintStream out, PrintStream err)
      throws Exception {
    BackfillValidation.Result result = withBackfills(args, null, b -> b.validate(id));
    BackfillTables.comparisons(result.targets(), out);
    out.printf(
        "backfill %s: %s - %s%nreport kept in psyberg.backfills (column validation_report)%n",
        id, result.backfill().status(), result.backfill().validation());
    return result.passed() ? ExitCodes.OK : ExitCodes.FAILURE;
  }

  private int status(ParsedArgs args, @Nullable String id, PrintStream out, PrintStream err)
      throws Exception {
    if (id == null) {
      List<Backfill> all = withBackfills(args, null, b -> b.log().all());
      BackfillTables.backfills(all, out);
      return ExitCodes.OK;
    }
    Backfill b = withBackfills(args, null, backfills -> backfills.get(id));
    if (ProgressLine.onTerminal()) {
      while (b.status() == BackfillStatus.RUNNING || b.status() == BackfillStatus.STARTED) {
        err.print("\r" + ProgressLine.of(b, Instant.now()));
        err.flush();
        Thread.sleep(1000); // a terminal's refresh interval, not a wait for an event
        b = withBackfills(args, null, backfills -> backfills.get(id));
      }
      err.println();
    }
    BackfillTables.backfills(List.of(b), out);
    if (b.error() != null) {
      out.println("error: " + b.error());
    }
    return ExitCodes.OK;
  }
}
