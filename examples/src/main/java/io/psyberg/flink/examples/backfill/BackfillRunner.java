package io.psyberg.flink.examples.backfill;

import io.psyberg.flink.backfill.Backfill;
import io.psyberg.flink.backfill.BackfillBranch;
import io.psyberg.flink.backfill.BackfillStatus;
import io.psyberg.flink.examples.cli.CommandException;
import io.psyberg.flink.metadata.BackfillLog;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.ValidationException;

/**
 * Builds a backfill chunk by chunk: each chunk's rows are one commit on every target's branch (a
 * job that computes several chunks at once commits them in one transaction per target, still one
 * snapshot per chunk); the log row's progress follows at most every {@link #PROGRESS_EVERY}. Which
 * chunks are in is read from the branches, so a resume after a crash or a failure continues after
 * the last committed chunk and never adds one twice.
 */
public final class BackfillRunner {

  /** Called after each chunk is committed on every target; may fail the build. */
  public interface ChunkListener {
    void committed(Backfill progress, int chunk) throws Exception;
  }

  /** How often at most a build records its progress in the backfill log. */
  static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

  private final Catalog catalog;
  private final BackfillLog log;
  private final ChunkListener listener;

  public BackfillRunner(Catalog catalog, BackfillLog log, ChunkListener listener) {
    this.catalog = catalog;
    this.log = log;
    this.listener = listener;
  }

  /**
   * Records a new backfill, creates its empty branches, and builds it; {@code recorded} hears of it
   * once it is recorded and its branches exist (from then on it can be resumed by its id).
   */
  public Backfill start(Backfill started, BackfillJob job, Consumer<Backfill> recorded)
      throws CommandException {
    log.record(started);
    for (Table target : targets(started).values()) {
      BackfillBranch.create(target, started.backfillId(), job.branchProperties());
    }
    recorded.accept(started);
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
    // per chunk not on every branch yet, the targets whose branch lacks it
    Map<Integer, Map<String, Table>> lacking = new LinkedHashMap<>();
    for (int chunk = 0; chunk < backfill.chunksTotal(); chunk++) {
      for (Map.Entry<String, Table> t : targets.entrySet()) {
        if (!committed.get(t.getKey()).contains(chunk)) {
          lacking.computeIfAbsent(chunk, c -> new LinkedHashMap<>()).put(t.getKey(), t.getValue());
        }
      }
    }
    List<Integer> pending = new ArrayList<>(lacking.keySet());
    job.building(List.copyOf(pending));
    Backfill current =
        backfill
            .withStatus(BackfillStatus.RUNNING)
            .withProgress(backfill.chunksTotal() - pending.size(), rows(targets, id));
    log.record(current);
    Instant recorded = Instant.now();
    while (!pending.isEmpty()) {
      int chunk = pending.get(0);
      try {
        BackfillJob.Committed done = job.commitNext(id, List.copyOf(pending), lacking, heads);
        heads.putAll(done.heads());
        pending.removeAll(done.chunks());
        current = current.withProgress(backfill.chunksTotal() - pending.size(), rows(targets, id));
        // the branches say which chunks are in; the log's progress is for display, so it is
        // written at most every few seconds (and not at all before the BUILT record)
        if (!pending.isEmpty() && Instant.now().isAfter(recorded.plus(PROGRESS_EVERY))) {
          log.record(current);
          recorded = Instant.now();
        }
        for (int c : done.chunks()) {
          chunk = c;
          listener.committed(current, c);
        }
      } catch (Exception e) {
        if (branchMoved(e, targets, heads, id)) {
          // another build of this backfill committed on the branches since they were read: it owns
          // the log row from here, so this one records nothing
          throw new CommandException(
              String.format(
                  "backfill %s: another build of it wrote its branches while this one built chunk"
                      + " %d of %d (were two 'backfill resume %s' running at once?). This build"
                      + " stopped without committing that chunk; nothing is doubled. See where it"
                      + " stands with: backfill status %s",
                  id, chunk + 1, backfill.chunksTotal(), id, id),
              e);
        }
        String message =
            String.format(
                "backfill %s failed at chunk %d of %d: %s. Chunks committed so far stay on its"
                    + " branches; continue with: backfill resume %s",
                id, chunk + 1, backfill.chunksTotal(), e.getMessage(), id);
        log.record(current.failed(message));
        throw new CommandException(message, e);
      }
    }
    current = current.withStatus(BackfillStatus.BUILT);
    log.record(current);
    return current;
  }

  /**
   * Whether a chunk commit was refused because someone wrote a branch after this build read its
   * head: a refused commit, and a branch whose head is no longer the one this build last saw.
   */
  private static boolean branchMoved(
      Throwable e, Map<String, Table> targets, Map<String, Long> heads, String id) {
    boolean refused = false;
    for (Throwable t = e; t != null && !refused; t = t.getCause()) {
      refused = t instanceof ValidationException;
    }
    if (!refused) {
      return false;
    }
    try {
      for (Map.Entry<String, Table> t : targets.entrySet()) {
        if (BackfillBranch.head(t.getValue(), id) != heads.get(t.getKey())) {
          return true;
        }
      }
    } catch (RuntimeException gone) {
      // a branch dropped meanwhile (an abort): reported as the failure it caused
    }
    return false;
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
