package io.psyberg.flink.backfill;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.metadata.SummaryKeys;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * Replaces a range of a target's main with a backfill branch's rows in one commit: main's live rows
 * in the range are deleted by key and the branch's rows added. The commit carries no process name,
 * so the process's high watermark (the newest main snapshot that names the process, and its tag)
 * stays where the live process put it. It is refused, publishing nothing, when rows in the range
 * were added or deleted on main since main was read; a retry reads again.
 */
@PublicEvolving
public final class BackfillPublish {
  /** Summary key on the main commit that published a backfill: its id. */
  public static final String PUBLISHED = SummaryKeys.PREFIX + "backfill-published";

  private BackfillPublish() {}

  /** The main snapshot that published the backfill to this target, if it was published. */
  public static Optional<Long> publishedSnapshot(Table target, String backfillId) {
    target.refresh();
    for (Snapshot s : SnapshotUtil.currentAncestors(target)) {
      if (s.summary() != null && backfillId.equals(s.summary().get(PUBLISHED))) {
        return Optional.of(s.snapshotId());
      }
    }
    return Optional.empty();
  }

  /**
   * Publishes the branch's rows in {@code range} to main, unless this backfill was published to the
   * target already.
   *
   * @return the main snapshot that holds the backfill
   * @throws PsybergException when main changed in the range meanwhile (nothing published: retry)
   */
  public static long publish(
      Table target, String backfillId, Expression range, @Nullable Long mainRead) {
    Optional<Long> done = publishedSnapshot(target, backfillId);
    if (done.isPresent()) {
      return done.get();
    }
    SnapshotRef branch = target.refs().get(BackfillBranch.name(backfillId));
    if (branch == null) {
      throw new PsybergException(
          "Target "
              + target.name()
              + " has no branch "
              + BackfillBranch.name(backfillId)
              + ": backfill "
              + backfillId
              + " was aborted or its branch removed. Start a new backfill.");
    }
    List<Record> rows = BackfillBranch.rows(target, backfillId, range);
    try {
      return RowReplacement.commit(
          target,
          SnapshotRef.MAIN_BRANCH,
          range,
          range,
          rows,
          Map.of(PUBLISHED, backfillId),
          mainRead);
    } catch (ValidationException | CommitFailedException moved) {
      throw new PsybergException(
          "Main of "
              + target.name()
              + " changed in the backfill's range while backfill "
              + backfillId
              + " was being published ("
              + moved.getMessage()
              + "). Nothing of it was published to "
              + target.name()
              + ". Run the publish again: it brings the branch up to the live process first.",
          moved);
    }
  }
}
