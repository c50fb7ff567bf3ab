package io.psyberg.flink.examples.backfill;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.backfill.Backfill;
import io.psyberg.flink.backfill.BackfillBranch;
import io.psyberg.flink.backfill.BackfillStatus;
import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.cli.CommandException;
import io.psyberg.flink.examples.cli.UsageException;
import io.psyberg.flink.metadata.BackfillLog;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import javax.annotation.Nullable;
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
  private BiFunction<Catalog, Backfill, BackfillJob> jobs = this::openJob;
  private BackfillRunner.ChunkListener listener = (progress, chunk) -> {};
  private Consumer<Backfill> recorded = b -> {};
  @Nullable private CatalogSpec sqlCatalog;
  private Map<String, String> sqlCatalogOptions = Map.of();
  @Nullable private Path startScript;

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

  /**
   * Called once a new backfill is recorded, before its build: from then on {@code backfill resume
   * ID} continues it after a kill.
   */
  public Backfills onRecorded(Consumer<Backfill> recorded) {
    this.recorded = recorded;
    return this;
  }

  /**
   * The catalog as SQL sees it, for {@code --job sql} backfills: the script runs with it as catalog
   * {@code lake}.
   */
  public Backfills sqlCatalog(CatalogSpec spec, Map<String, String> catalogOptions) {
    this.sqlCatalog = spec;
    this.sqlCatalogOptions = Map.copyOf(catalogOptions);
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
    return start(process, job, null, range, maxSnapshotsPerChunk);
  }

  /**
   * As {@link #start(String, String, BackfillRange, int)}; {@code script} is the SQL script of
   * {@code --job sql} (and only of it).
   */
  public Backfill start(
      String process,
      String job,
      @Nullable Path script,
      BackfillRange range,
      int maxSnapshotsPerChunk)
      throws CommandException, UsageException {
    BackfillJobs.check(job);
    if ((script != null) != job.equals(BackfillJobs.SQL)) {
      throw new UsageException(
          script == null
              ? "--job sql needs the script that computes the output: give --file F"
              : "--file is only for --job sql");
    }
    if (script != null && maxSnapshotsPerChunk > 0) {
      throw new UsageException(
          "--max-snapshots-per-session does not apply to --job sql: its chunks are the days of"
              + " the range. Leave the option out.");
    }
    this.startScript = script;
    List<ProcessTargets.Target> targets =
        BackfillJobs.targetsOf(
            job, process, ProcessTargets.find(catalog, metadataNamespace, process));
    Map<String, Long> fixed = ProcessTargets.sharedHighWatermark(process, targets);
    List<String> names = targets.stream().map(ProcessTargets.Target::name).toList();
    String id = UUID.randomUUID().toString().substring(0, 8);
    Backfill planned =
        Backfill.started(
            id, process, job, range.from(), range.to(), fixed, names, maxSnapshotsPerChunk, 0);
    BackfillJob opened;
    try {
      opened = job(planned);
    } finally {
      startScript = null;
    }
    try (BackfillJob logic = opened) {
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
      return runner().start(started, logic, recorded);
    }
  }

  /** Builds the chunks of a stopped or failed backfill that are not on its branches yet. */
  public Backfill resume(String id) throws CommandException {
    Backfill b = get(id);
    try (BackfillJob job = job(b)) {
      return runner().build(b, job);
    }
  }

  public BackfillValidation.Result validate(String id) throws CommandException {
    Backfill b = get(id);
    try (BackfillJob job = job(b)) {
      return BackfillValidation.validate(catalog, log, b, job);
    }
  }

  public Backfill publish(String id) throws CommandException {
    Backfill b = get(id);
    try (BackfillJob job = job(b)) {
      return BackfillPublishing.publish(catalog, log, b, job);
    } catch (SqlBackfillException e) {
      throw new CommandException(e.getMessage(), e);
    }
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

  /** The backfill's job; a SQL script that does not fit is a {@link CommandException}. */
  private BackfillJob job(Backfill b) throws CommandException {
    try {
      return jobs.apply(catalog, b);
    } catch (SqlBackfillException e) {
      throw new CommandException(e.getMessage(), e);
    }
  }

  private BackfillJob openJob(Catalog c, Backfill b) {
    if (!b.job().equals(BackfillJobs.SQL)) {
      return BackfillJobs.open(c, b);
    }
    if (sqlCatalog == null) {
      throw new SqlBackfillException(
          "backfill "
              + b.backfillId()
              + " runs a SQL script: give the catalog as SQL sees it"
              + " (Backfills.sqlCatalog)");
    }
    // the script given at start; later the one recorded on the branches
    return new SqlBackfill(c, b, startScript, sqlCatalog, sqlCatalogOptions, startScript != null);
  }

  private BackfillRunner runner() {
    return new BackfillRunner(catalog, log, listener);
  }
}
