package io.psyberg.flink.examples.backfill;

import io.psyberg.flink.backfill.Backfill;
import io.psyberg.flink.backfill.BackfillBranch;
import io.psyberg.flink.backfill.BackfillStatus;
import io.psyberg.flink.examples.cli.CommandException;
import io.psyberg.flink.metadata.BackfillLog;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * Builds a backfill chunk by chunk: each chunk's rows are one commit on every target's branch, and
 * the log row follows. Which chunks are in is read from the branches, so a resume after a crash or
 * a failure continues after the last committed chunk and never adds one twice.
 */
public final class BackfillRunner {

  /** Called after each chunk is committed on every target; may fail the build. */
  public interface ChunkListener {
    void committed(Backfill progress, int chunk) throws Exception;
  }

  private final Catalog catalog;
  private final BackfillLog log;
  private final ChunkListener listener;

  public BackfillRunner(Catalog catalog, BackfillLog log, ChunkListener listener) {
    this.catalog = catalog;
    this.log = log;
    this.listener = listener;
  }

  /** Records a new backfill, creates its empty branches, and builds it. */
  public Backfill start(Backfill started, BackfillJob job) throws CommandException {
    log.record(started);
    for (Table target : targets(started).values()) {
      BackfillBranch.create(target, started.backfillId(), job.branchProperties());
    }
    return build(started, job);
  }

  /** Builds the chunks not committed yet. */
  public Backfill build(Backfill backfill, BackfillJob job) throws CommandException {
    String id = backfill.backfillId();
    if (!backfill.status().canBuild()) {
      throw new CommandException(
          "backfill "
              + id
              + " is "
              + backfill.status()
              + ": there is nothing left to build. See it with: backfill status "
              + id);
    }
    if (job.chunkCount() != backfill.chunksTotal()) {
      throw new CommandException(
          String.format(
              "backfill %s was planned in %d chunks, its fixed source snapshots now give %d (were"
                  + " they expired or rewritten?). Abort it and start a new one.",
              id, backfill.chunksTotal(), job.chunkCount()));
    }
    Map<String, Table> targets = targets(backfill);
    Map<String, Long> heads = new LinkedHashMap<>();
    Map<String, Set<Integer>> committed = new LinkedHashMap<>();
    targets.forEach(
        (name, t) -> {
          heads.put(name, BackfillBranch.head(t, id));
          committed.put(name, BackfillBranch.committedChunks(t, id));
        });
    List<Integer> pending = new ArrayList<>();
    for (int chunk = 0; chunk < backfill.chunksTotal(); chunk++) {
      int c = chunk;
      if (!committed.values().stream().allMatch(done -> done.contains(c))) {
        pending.add(chunk);
      }
    }
    job.building(pending);
    Backfill current = backfill.withStatus(BackfillStatus.RUNNING);
    log.record(current);
    for (int chunk = 0; chunk < backfill.chunksTotal(); chunk++) {
      try {
        commitChunk(id, chunk, job, targets, heads, committed);
        current = current.withProgress(chunk + 1, rows(targets, id));
        log.record(current);
        listener.committed(current, chunk);
      } catch (Exception e) {
        String message =
            String.format(
                "backfill %s failed at chunk %d of %d: %s. Chunks committed so far stay on its"
                    + " branches; continue with: backfill resume %s",
                id, chunk + 1, backfill.chunksTotal(), e.getMessage(), id);
        log.record(current.failed(message));
        throw new CommandException(message, e);
      }
    }
    current = current.withProgress(backfill.chunksTotal(), rows(targets, id));
    current = current.withStatus(BackfillStatus.BUILT);
    log.record(current);
    return current;
  }

  private static void commitChunk(
      String id,
      int chunk,
      BackfillJob job,
      Map<String, Table> targets,
      Map<String, Long> heads,
      Map<String, Set<Integer>> committed) {
    if (committed.values().stream().allMatch(c -> c.contains(chunk))) {
      return;
    }
    Map<String, Table> pending = new LinkedHashMap<>();
    targets.forEach(
        (name, target) -> {
          if (!committed.get(name).contains(chunk)) {
            pending.put(name, target);
          }
        });
    heads.putAll(job.commitChunk(id, chunk, pending, heads));
  }

  private static long rows(Map<String, Table> targets, String id) {
    return targets.values().stream().mapToLong(t -> BackfillBranch.rowCount(t, id)).sum();
  }

  Map<String, Table> targets(Backfill backfill) {
    Map<String, Table> out = new LinkedHashMap<>();
    for (String name : backfill.targetTables()) {
      out.put(name, catalog.loadTable(TableIdentifier.parse(name)));
    }
    return out;
  }
}
