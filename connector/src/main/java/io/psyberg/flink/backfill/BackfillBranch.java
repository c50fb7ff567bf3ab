package io.psyberg.flink.backfill;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.metadata.MetadataRows;
import io.psyberg.flink.metadata.SummaryKeys;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * The branch {@code psyberg-backfill-<id>} of a target, where a backfill builds its rows apart from
 * main. It starts empty; each chunk is one commit whose summary carries the chunk's number, so a
 * resume reads from the branch itself which chunks are in and never adds one twice.
 */
@PublicEvolving
public final class BackfillBranch {
  public static final String PREFIX = "psyberg-backfill-";

  /** Summary key on every backfill commit: the backfill's id. */
  public static final String BACKFILL_ID = SummaryKeys.PREFIX + "backfill-id";

  /** Summary key on a chunk's commit: its number, from 0. */
  public static final String CHUNK = SummaryKeys.PREFIX + "backfill-chunk";

  /**
   * Prefix of summary keys on a catch-up commit: {@code psyberg.backfill-caught-up.<source>} = the
   * source snapshot the branch was brought up to.
   */
  public static final String CAUGHT_UP_PREFIX = SummaryKeys.PREFIX + "backfill-caught-up.";

  /** Prefix of the summary keys of the properties given to {@link #create}. */
  public static final String PROPERTY_PREFIX = SummaryKeys.PREFIX + "backfill-property.";

  private BackfillBranch() {}

  public static String name(String backfillId) {
    return PREFIX + backfillId;
  }

  public static boolean exists(Table target, String backfillId) {
    return target.refs().containsKey(name(backfillId));
  }

  /**
   * Creates the branch, empty, unless it exists: forked from main, with main's data files removed
   * in the branch only.
   */
  public static void create(Table target, String backfillId) {
    create(target, backfillId, Map.of());
  }

  /**
   * Creates the branch, empty, unless it exists, with {@code properties} in the summary of its
   * first commit: what the backfill must find again on a resume (e.g. the script a SQL job runs).
   * Keys are prefixed {@code psyberg.backfill-}; read them back with {@link #property}.
   */
  public static void create(Table target, String backfillId, Map<String, String> properties) {
    target.refresh();
    if (exists(target, backfillId)) {
      return;
    }
    org.apache.iceberg.SnapshotUpdate<?> first =
        target.currentSnapshot() == null
            ? target.newAppend().toBranch(name(backfillId))
            : target
                .newDelete()
                .deleteFromRowFilter(Expressions.alwaysTrue())
                .toBranch(name(backfillId));
    first.set(BACKFILL_ID, backfillId);
    properties.forEach((k, v) -> first.set(PROPERTY_PREFIX + k, v));
    first.commit();
  }

  /** The value of a property given to {@link #create}, if the branch has it. */
  public static Optional<String> property(Table target, String backfillId, String key) {
    List<Snapshot> history = history(target, backfillId);
    for (int i = history.size() - 1; i >= 0; i--) {
      String value = history.get(i).summary().get(PROPERTY_PREFIX + key);
      if (value != null) {
        return Optional.of(value);
      }
    }
    return Optional.empty();
  }

  /** The snapshot the branch is at; read it before {@link #committedChunks}. */
  public static long head(Table target, String backfillId) {
    target.refresh();
    SnapshotRef ref = target.refs().get(name(backfillId));
    if (ref == null) {
      throw new PsybergException(
          "Target "
              + target.name()
              + " has no branch "
              + name(backfillId)
              + ": was backfill "
              + backfillId
              + " aborted? Start a new backfill.");
    }
    return ref.snapshotId();
  }

  /** The numbers of the chunks committed on the branch. */
  public static Set<Integer> committedChunks(Table target, String backfillId) {
    Set<Integer> chunks = new TreeSet<>();
    for (Snapshot s : history(target, backfillId)) {
      String chunk = s.summary() == null ? null : s.summary().get(CHUNK);
      if (chunk != null) {
        chunks.add(Integer.parseInt(chunk));
      }
    }
    return chunks;
  }

  /**
   * The source snapshots the branch was last brought up to by a catch-up commit; empty when none
   * was made (the branch is at the backfill's fixed snapshots).
   */
  public static Optional<Map<String, Long>> caughtUpTo(Table target, String backfillId) {
    for (Snapshot s : history(target, backfillId)) {
      Map<String, Long> positions = new LinkedHashMap<>();
      s.summary()
          .forEach(
              (k, v) -> {
                if (k.startsWith(CAUGHT_UP_PREFIX)) {
                  positions.put(
                      k.substring(CAUGHT_UP_PREFIX.length()),
                      SummaryKeys.NO_SNAPSHOT.equals(v) ? null : Long.parseLong(v));
                }
              });
      if (!positions.isEmpty()) {
        return Optional.of(positions);
      }
    }
    return Optional.empty();
  }

  /**
   * Commits chunk {@code chunk}'s rows on the branch and returns the branch's new head; refused
   * when anyone added rows to the branch after {@code branchHead} (the head its caller read with
   * {@link #committedChunks}), so two builds of one backfill at once never land a chunk twice.
   *
   * @throws org.apache.iceberg.exceptions.ValidationException when the branch moved
   */
  public static long commitChunk(
      Table target, String backfillId, int chunk, List<Record> rows, long branchHead) {
    return RowReplacement.commit(
        target,
        name(backfillId),
        Expressions.alwaysFalse(),
        Expressions.alwaysTrue(),
        rows,
        Map.of(BACKFILL_ID, backfillId, CHUNK, Integer.toString(chunk)),
        branchHead);
  }

  /**
   * Brings the branch up to {@code positions}: the branch rows matching {@code replaced} give way
   * to {@code rows}, in one commit recording the positions.
   */
  public static void commitCatchUp(
      Table target,
      String backfillId,
      Map<String, Long> positions,
      Expression replaced,
      List<Record> rows) {
    Map<String, String> summary = new LinkedHashMap<>();
    summary.put(BACKFILL_ID, backfillId);
    positions.forEach(
        (source, snapshot) ->
            summary.put(
                CAUGHT_UP_PREFIX + source,
                snapshot == null ? SummaryKeys.NO_SNAPSHOT : snapshot.toString()));
    RowReplacement.commit(
        target, name(backfillId), replaced, Expressions.alwaysTrue(), rows, summary, null);
  }

  /** The live rows of the branch that match {@code filter}. */
  public static List<Record> rows(Table target, String backfillId, Expression filter) {
    target.refresh();
    SnapshotRef ref = target.refs().get(name(backfillId));
    return ref == null
        ? List.of()
        : MetadataRows.read(target, filter, ref.snapshotId(), task -> true);
  }

  /** Rows the branch's chunk commits added (the rows a build wrote). */
  public static long rowCount(Table target, String backfillId) {
    long rows = 0;
    for (Snapshot s : history(target, backfillId)) {
      String added = s.summary().get(SnapshotSummary.ADDED_RECORDS_PROP);
      if (s.summary().containsKey(CHUNK) && added != null) {
        rows += Long.parseLong(added);
      }
    }
    return rows;
  }

  /** Removes the branch (its files stay until snapshot expiry); no-op when it is gone. */
  public static void drop(Table target, String backfillId) {
    target.refresh();
    if (exists(target, backfillId)) {
      target.manageSnapshots().removeBranch(name(backfillId)).commit();
    }
  }

  /** The branch's commits that this backfill made, newest first. */
  private static List<Snapshot> history(Table target, String backfillId) {
    target.refresh();
    SnapshotRef ref = target.refs().get(name(backfillId));
    if (ref == null) {
      return List.of();
    }
    List<Snapshot> out = new java.util.ArrayList<>();
    for (Snapshot s : SnapshotUtil.ancestorsOf(ref.snapshotId(), target::snapshot)) {
      if (s.summary() == null || !backfillId.equals(s.summary().get(BACKFILL_ID))) {
        break;
      }
      out.add(s);
    }
    return out;
  }
}
