package io.psyberg.flink.examples.backfill;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.backfill.Backfill;
import io.psyberg.flink.backfill.BackfillBranch;
import io.psyberg.flink.backfill.BackfillStatus;
import io.psyberg.flink.examples.cli.CommandException;
import io.psyberg.flink.examples.cli.UsageException;
import io.psyberg.flink.metadata.BackfillLog;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * The managed backfill cycle over one catalog: start (fix the source snapshots, build in chunks),
 * resume, validate, publish, abort. The CLI's {@code backfill} commands call it; so can a program
 * or a test, also with the job's logic replaced ({@link #jobs}), e.g. by a fixed version.
 */
public final class Backfills {
  private final Catalog catalog;
  private final String metadataNamespace;
  private final BackfillLog log;
  private BiFunction<Catalog, Backfill, BackfillJob> jobs = BackfillJobs::open;
  private BackfillRunner.ChunkListener listener = (progress, chunk) -> {};

  public Backfills(Catalog catalog, String metadataNamespace) {
    this.catalog = catalog;
    this.metadataNamespace = metadataNamespace;
    this.log = new BackfillLog(catalog, metadataNamespace);
  }

  /** The job logic per backfill (default: the built-in signups and lifecycle jobs). */
  public Backfills jobs(BiFunction<Catalog, Backfill, BackfillJob> jobs) {
    this.jobs = jobs;
    return this;
  }

  /** Called after every committed chunk (progress display; tests stop or interleave here). */
  public Backfills listener(BackfillRunner.ChunkListener listener) {
    this.listener = listener;
    return this;
  }

  public BackfillLog log() {
    return log;
  }

  /**
   * Starts a backfill of {@code process} with {@code job} over {@code range}: fixes the source
   * snapshots at the process's high watermark (what main reflects now), records it, and builds it.
   *
   * @param maxSnapshotsPerChunk chunk size in source snapshots, 0 for one chunk per source
   * @throws CommandException when a chunk fails: the message names the backfill id to resume
   */
  public Backfill start(String process, String job, BackfillRange range, int maxSnapshotsPerChunk)
      throws CommandException, UsageException {
    BackfillJobs.check(job);
    List<ProcessTargets.Target> targets =
        BackfillJobs.targetsOf(
            job, process, ProcessTargets.find(catalog, metadataNamespace, process));
    Map<String, Long> fixed = ProcessTargets.sharedHighWatermark(process, targets);
    List<String> names = targets.stream().map(ProcessTargets.Target::name).toList();
    String id = UUID.randomUUID().toString().substring(0, 8);
    Backfill planned =
        Backfill.started(
            id, process, job, range.from(), range.to(), fixed, names, maxSnapshotsPerChunk, 0);
    BackfillJob logic = jobs.apply(catalog, planned);
    Backfill started =
        Backfill.started(
            id,
            process,
            job,
            range.from(),
            range.to(),
            fixed,
            names,
            maxSnapshotsPerChunk,
            logic.chunkCount());
    return runner().start(started, logic);
  }

  /** Builds the chunks of a stopped or failed backfill that are not on its branches yet. */
  public Backfill resume(String id) throws CommandException {
    Backfill b = get(id);
    return runner().build(b, jobs.apply(catalog, b));
  }

  public BackfillValidation.Result validate(String id) throws CommandException {
    Backfill b = get(id);
    return BackfillValidation.validate(catalog, log, b, jobs.apply(catalog, b));
  }

  public Backfill publish(String id) throws CommandException {
    Backfill b = get(id);
    return BackfillPublishing.publish(catalog, log, b, jobs.apply(catalog, b));
  }

  /** Drops the backfill's branches and marks it {@code ABORTED}; main is not touched. */
  public Backfill abort(String id) throws CommandException {
    Backfill b = get(id);
    if (b.status() == BackfillStatus.ABORTED) {
      return b;
    }
    if (b.status() == BackfillStatus.PUBLISHED) {
      throw new CommandException(
          "backfill " + id + " is PUBLISHED: its rows are on main and it cannot be aborted.");
    }
    for (String name : b.targetTables()) {
      Table target = catalog.loadTable(TableIdentifier.parse(name));
      BackfillBranch.drop(target, id);
    }
    Backfill aborted = b.withStatus(BackfillStatus.ABORTED);
    log.record(aborted);
    return aborted;
  }

  public Backfill get(String id) throws CommandException {
    try {
      return log.get(id);
    } catch (PsybergException e) {
      throw new CommandException(e.getMessage(), e);
    }
  }

  private BackfillRunner runner() {
    return new BackfillRunner(catalog, log, listener);
  }
}
