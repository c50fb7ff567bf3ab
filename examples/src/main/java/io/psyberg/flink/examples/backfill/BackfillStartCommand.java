package io.psyberg.flink.examples.backfill;

import io.psyberg.flink.backfill.Backfill;
import io.psyberg.flink.examples.cli.CatalogOptions;
import io.psyberg.flink.examples.cli.ExitCodes;
import io.psyberg.flink.examples.cli.FormatOption;
import io.psyberg.flink.examples.cli.PsybergCommand;
import io.psyberg.flink.examples.cli.UsageException;
import java.io.PrintStream;
import java.nio.file.Path;
import javax.annotation.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code backfill start}: rebuilds a process's output for a range into a branch of its targets. */
@Command(
    name = "start",
    description =
        "Rebuilds a process's output for an event-time range into branch psyberg-backfill-<id> of"
            + " its targets, in resumable chunks; prints the id.",
    customSynopsis =
        "${COMMAND-FULL-NAME} --process P --job signups|lifecycle|sql [--file F] (--from-time T1"
            + " --to-time T2 | --all) [--max-snapshots-per-session N] [--format table|json]"
            + " [catalog options]")
public final class BackfillStartCommand extends PsybergCommand {

  @Option(
      names = "--process",
      paramLabel = "P",
      required = true,
      description = "the process whose output is rebuilt")
  private String process;

  @Option(
      names = "--job",
      paramLabel = "JOB",
      required = true,
      completionCandidates = BackfillJobs.Names.class,
      description = "the job's logic: signups, lifecycle or sql")
  private String job;

  @Option(
      names = "--file",
      paramLabel = "F",
      description = "the Flink SQL script of --job sql (see README, Backfill)")
  @Nullable
  private Path file;

  @Option(
      names = "--from-time",
      paramLabel = "T1",
      description = "start of the event-time range (inclusive), e.g. 2026-01-01")
  @Nullable
  private String from;

  @Option(
      names = "--to-time",
      paramLabel = "T2",
      description = "end of the event-time range (exclusive), e.g. 2026-01-02T06:00:00")
  @Nullable
  private String to;

  @Option(names = "--all", description = "rebuild the whole history")
  private boolean all;

  @Option(
      names = "--max-snapshots-per-session",
      paramLabel = "N",
      description = "source snapshots per chunk (default: all)")
  @Nullable
  private Integer maxSnapshots;

  @Mixin private FormatOption format;

  @Mixin private CatalogOptions catalog;

  @Override
  protected int execute(PrintStream out, PrintStream err) throws Exception {
    String checked = BackfillJobs.check(job);
    BackfillRange range = BackfillRange.parse(from, to, all);
    if (maxSnapshots != null && maxSnapshots < 1) {
      throw new UsageException(
          "option '--max-snapshots-per-session' must be at least 1, got " + maxSnapshots);
    }
    int max = maxSnapshots == null ? 0 : maxSnapshots;
    // the id on stderr as soon as it exists: a build killed halfway is resumed by it
    Backfill built =
        BackfillCommand.build(
            catalog,
            err,
            b ->
                b.onRecorded(
                        started ->
                            err.printf(
                                "backfill %s started: %d chunk(s). If it stops before it is built:"
                                    + " backfill resume %s%n",
                                started.backfillId(), started.chunksTotal(), started.backfillId()))
                    .start(process, checked, file, range, max));
    if (format.json()) {
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
}
