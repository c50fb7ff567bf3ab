package io.psyberg.flink.examples.backfill;

import io.psyberg.flink.backfill.BackfillBranch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;

/**
 * What one job computes for a backfill, over the source snapshots the backfill fixed: its chunks,
 * and the catch-up from those snapshots to newer ones, as rows per target table.
 */
public interface BackfillJob extends AutoCloseable {

  /**
   * What the backfill keeps in the first commit of its branches, to open this job again on a
   * resume, validate or publish (see {@code BackfillBranch#property}).
   */
  default Map<String, String> branchProperties() {
    return Map.of();
  }

  /** Target table name to the filter of its rows in the backfill's range, in target order. */
  Map<String, Expression> ranges();

  /** How many chunks the backfill is built in; fixed by the source snapshots. */
  int chunkCount();

  /** The rows of chunk {@code chunk} (from 0), per target. Chunks never share a row. */
  Map<String, List<Record>> chunk(int chunk);

  /**
   * Says which chunks the build is about to commit with {@link #commitNext}, in that order (those
   * not on every branch yet), e.g. to start what the job needs. Default: nothing.
   */
  default void building(List<Integer> chunks) {}

  /**
   * Builds chunk {@code pending.get(0)} and commits it as one chunk commit on the branch of each
   * target in {@code targets.get(chunk)} (those not holding it yet), each checked against its head
   * in {@code heads}. A job that computes several chunks in one go builds the chunks after it in
   * {@code pending} too and commits each of them as its own chunk commit, one transaction per
   * target for all of them. By default one chunk: the rows of {@link #commitChunk}.
   *
   * @param pending the chunks not on every branch yet, in build order
   * @param targets per pending chunk, the targets (name to table) whose branch lacks it
   * @return the chunks committed (the first of {@code pending} and maybe the ones after it, in
   *     order) and the new heads of the branches written
   */
  default Committed commitNext(
      String backfillId,
      List<Integer> pending,
      Map<Integer, Map<String, Table>> targets,
      Map<String, Long> heads) {
    int chunk = pending.get(0);
    return new Committed(List.of(chunk), commitChunk(backfillId, chunk, targets.get(chunk), heads));
  }

  /**
   * Builds chunk {@code chunk} and commits it as one chunk commit on the branch of each of {@code
   * targets} (those not holding it yet), each checked against its head in {@code heads}; returns
   * their new heads. By default the rows of {@link #chunk} are written and committed here.
   */
  default Map<String, Long> commitChunk(
      String backfillId, int chunk, Map<String, Table> targets, Map<String, Long> heads) {
    Map<String, List<Record>> rows = chunk(chunk);
    Map<String, Long> out = new LinkedHashMap<>();
    targets.forEach(
        (name, target) ->
            out.put(
                name,
                BackfillBranch.commitChunk(
                    target,
                    backfillId,
                    chunk,
                    rows.getOrDefault(name, List.of()),
                    heads.get(name))));
    return out;
  }

  /**
   * What the source snapshots in {@code (from, to]} change in the range, per target: branch rows
   * matching {@link Replacement#replaced} give way to {@link Replacement#rows}.
   */
  Map<String, Replacement> catchUp(Map<String, Long> from, Map<String, Long> to);

  /** Releases what the job holds (e.g. a SQL job's local cluster). */
  @Override
  default void close() {}

  /** Rows that replace the rows matching a filter. */
  record Replacement(Expression replaced, List<Record> rows) {}

  /** What {@link #commitNext} committed: its chunks, in order, and the branches' new heads. */
  record Committed(List<Integer> chunks, Map<String, Long> heads) {}
}
