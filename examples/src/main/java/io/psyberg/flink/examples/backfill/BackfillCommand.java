package io.psyberg.flink.examples.backfill;

import io.psyberg.flink.backfill.Backfill;
import io.psyberg.flink.backfill.BackfillStatus;
import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.cli.CatalogOptions;
import io.psyberg.flink.examples.cli.ExitCodes;
import io.psyberg.flink.examples.cli.PsybergCommand;
import io.psyberg.flink.examples.cli.UsageException;
import io.psyberg.flink.examples.progress.ProgressLine;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.iceberg.catalog.Catalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code backfill start|status|resume|validate|publish|abort}: the managed backfill cycle (DESIGN
 * section 13) on the command line. {@code start} is {@link BackfillStartCommand}; the others, which
 * take a backfill id, are the methods here.
 */
@Command(
    name = "backfill",
    description =
        "Managed backfill: start, status, resume, validate, publish or abort a rebuild of a range"
            + " of a process's output.",
    customSynopsis =
        "${COMMAND-FULL-NAME} start|status|resume|validate|publish|abort [ID] [options]",
    subcommands = BackfillStartCommand.class)
public final class BackfillCommand extends PsybergCommand {
  private static final String ID_HELP = "the backfill id that backfill start printed";

  @Override
  protected int execute(PrintStream out, PrintStream err) throws UsageException {
    throw new UsageException(
        "missing subcommand: start, status, resume, validate, publish or abort");
  }

  @Command(
      name = "status",
      description =
          "Lists the backfills, or shows one (with a progress bar on a terminal while it runs).",
      customSynopsis = "${COMMAND-FULL-NAME} [ID] [catalog options]")
  int status(
      @Parameters(arity = "0..1", paramLabel = "ID", description = "one backfill to show") @Nullable
          String id,
      @Mixin CatalogOptions catalog)
      throws Exception {
    PrintStream out = out();
    if (id == null) {
      List<Backfill> all = withBackfills(catalog, null, b -> b.log().all());
      BackfillTables.backfills(all, out);
      return ExitCodes.OK;
    }
    Backfill b = withBackfills(catalog, null, backfills -> backfills.get(id));
    try (ProgressLine progress = ProgressLine.on(err())) {
      while (progress.enabled()
          && (b.status() == BackfillStatus.RUNNING || b.status() == BackfillStatus.STARTED)) {
        progress.draw(BackfillProgress.of(b, Instant.now()));
        Thread.sleep(1000); // a terminal's refresh interval, not a wait for an event
        b = withBackfills(catalog, null, backfills -> backfills.get(id));
      }
    }
    BackfillTables.backfills(List.of(b), out);
    if (b.error() != null) {
      out.println("error: " + b.error());
    }
    return ExitCodes.OK;
  }

  @Command(
      name = "resume",
      description = "Continues a stopped or failed backfill after its last committed chunk.",
      customSynopsis = "${COMMAND-FULL-NAME} ID [catalog options]")
  int resume(
      @Parameters(paramLabel = "ID", description = ID_HELP) String id,
      @Mixin CatalogOptions catalog)
      throws Exception {
    Backfill built = build(catalog, err(), b -> b.resume(id));
    out()
        .printf(
            "backfill %s: %s, %d/%d chunks, %,d rows%n",
            built.backfillId(),
            built.status(),
            built.chunksDone(),
            built.chunksTotal(),
            built.rowsWritten());
    return ExitCodes.OK;
  }

  @Command(
      name = "validate",
      description =
          "Audits a built backfill's branches and compares them with main over the range.",
      customSynopsis = "${COMMAND-FULL-NAME} ID [catalog options]")
  int validate(
      @Parameters(paramLabel = "ID", description = ID_HELP) String id,
      @Mixin CatalogOptions catalog)
      throws Exception {
    BackfillValidation.Result result = withBackfills(catalog, null, b -> b.validate(id));
    BackfillTables.comparisons(result.targets(), out());
    out()
        .printf(
            "backfill %s: %s - %s%nreport kept in psyberg.backfills (column validation_report)%n",
            id, result.backfill().status(), result.backfill().validation());
    return result.passed() ? ExitCodes.OK : ExitCodes.FAILURE;
  }

  @Command(
      name = "publish",
      description =
          "Replaces the range on main with a validated backfill's rows; rows the live process"
              + " published meanwhile survive.",
      customSynopsis = "${COMMAND-FULL-NAME} ID [catalog options]")
  int publish(
      @Parameters(paramLabel = "ID", description = ID_HELP) String id,
      @Mixin CatalogOptions catalog)
      throws Exception {
    boolean[] already = new boolean[1];
    Backfill b =
        withBackfills(
            catalog,
            null,
            backfills -> {
              already[0] = backfills.get(id).status() == BackfillStatus.PUBLISHED;
              return backfills.publish(id);
            });
    out()
        .printf(
            "backfill %s: %s (%s)%n",
            b.backfillId(),
            b.status(),
            already[0] ? "published before; nothing to do" : "published to main; branches dropped");
    return ExitCodes.OK;
  }

  @Command(
      name = "abort",
      description = "Drops a backfill's branches and marks it ABORTED; main is not touched.",
      customSynopsis = "${COMMAND-FULL-NAME} ID [catalog options]")
  int abort(
      @Parameters(paramLabel = "ID", description = ID_HELP) String id,
      @Mixin CatalogOptions catalog)
      throws Exception {
    return report(catalog, b -> b.abort(id), "branches dropped");
  }

  /** One call on {@link Backfills} with an open catalog. */
  interface Call<T> {
    T on(Backfills backfills) throws Exception;
  }

  static <T> T withBackfills(
      CatalogOptions catalog, @Nullable BackfillRunner.ChunkListener listener, Call<T> call)
      throws Exception {
    CatalogSpec spec = catalog.spec();
    Catalog opened = spec.open();
    try {
      Backfills backfills =
          new Backfills(opened, spec.metadataNamespace()).sqlCatalog(spec, catalog.options());
      if (listener != null) {
        backfills.listener(listener);
      }
      return call.on(backfills);
    } finally {
      CatalogSpec.closeQuietly(opened);
    }
  }

  /** Builds chunks with a progress line on a terminal's {@code err}. */
  static Backfill build(CatalogOptions catalog, PrintStream err, Call<Backfill> call)
      throws Exception {
    try (ProgressLine progress = ProgressLine.on(err)) {
      BackfillRunner.ChunkListener listener =
          progress.enabled()
              ? (b, chunk) -> progress.draw(BackfillProgress.of(b, Instant.now()))
              : null;
      return withBackfills(catalog, listener, call);
    }
  }

  private int report(CatalogOptions catalog, Call<Backfill> call, String what) throws Exception {
    Backfill b = withBackfills(catalog, null, call);
    out().printf("backfill %s: %s (%s)%n", b.backfillId(), b.status(), what);
    return ExitCodes.OK;
  }
}
