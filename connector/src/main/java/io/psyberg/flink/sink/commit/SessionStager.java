package io.psyberg.flink.sink.commit;

import io.psyberg.flink.catalog.SameThreadExecutor;
import io.psyberg.flink.metadata.PublishedHighWatermark;
import io.psyberg.flink.metadata.SummaryKeys;
import io.psyberg.flink.session.ChangeRange;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SourceRange;
import io.psyberg.flink.sink.WriteMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotUpdate;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expression;

/**
 * The stage step of write-audit-publish: commits a session's files to its audit branch by write
 * mode (append, upsert one commit per checkpoint, overwrite of the session's change range), the
 * last commit carrying the new high watermark and the session's identity in its summary.
 */
final class SessionStager {
  private final String processName;
  private final WriteMode writeMode;
  @Nullable private final String overwriteColumn;

  SessionStager(String processName, WriteMode writeMode, @Nullable String overwriteColumn) {
    this.processName = processName;
    this.writeMode = writeMode;
    this.overwriteColumn = overwriteColumn;
  }

  /**
   * Stages the session on {@code branch} (created from {@code main}, the main its continuity was
   * checked against); returns the staged snapshot.
   */
  long stage(
      Table table,
      String branch,
      Session session,
      StagedFiles files,
      @Nullable PublishedHighWatermark published,
      Map<String, String> points,
      String jobId,
      long checkpointId,
      @Nullable Snapshot main) {
    if (table.refs().containsKey(branch)) {
      // Left by an earlier attempt of this session: stage afresh from the current main.
      RefChanges.removeBranch(table, branch);
      table.refresh();
    }
    if (main != null) {
      // Created at the checked main first: Iceberg counts a snapshot's totals (records, data and
      // delete files) from its branch's head, and from zero on a branch that does not exist yet, so
      // a session staged onto a new branch would publish totals of its own files only. Should main
      // have moved since the check, the fast-forward fails and the publish stages again.
      table.manageSnapshots().createBranch(branch, main.snapshotId()).commit();
      table.refresh();
    }
    SnapshotUpdate<?> op;
    switch (writeMode) {
      case APPEND:
        {
          if (!files.deleteFiles.isEmpty()) {
            throw new IllegalStateException("append wrote delete files");
          }
          AppendFiles append = table.newFastAppend();
          files.dataFiles.forEach(append::appendFile);
          op = append;
          break;
        }
      case UPSERT:
      case RETRACT:
        {
          // One commit per checkpoint, as Iceberg's own Flink committer does (see
          // StagedFiles.checkpoints);
          // the last one carries the high watermark.
          List<StagedFiles> parts = upsertParts(files);
          for (int i = 0; i < parts.size() - 1; i++) {
            commitToBranch(rowDelta(table, parts.get(i)), branch);
          }
          op = rowDelta(table, parts.get(parts.size() - 1));
          break;
        }
      case OVERWRITE_RANGE:
        {
          OverwriteFiles overwrite = table.newOverwrite();
          Expression range = overwriteRange(table, session);
          if (range != null) {
            RangeOverwrite rewrite =
                RangeOverwrite.plan(table, main == null ? null : main.snapshotId(), range);
            rewrite.removed.forEach(overwrite::deleteFile);
            rewrite.kept.forEach(overwrite::addFile);
            if (main != null) {
              overwrite
                  .validateFromSnapshot(main.snapshotId())
                  .conflictDetectionFilter(range)
                  .validateNoConflictingData()
                  .validateNoConflictingDeletes();
            }
          }
          files.dataFiles.forEach(overwrite::addFile);
          op = overwrite;
          break;
        }
      default:
        throw new IllegalStateException(writeMode.toString());
    }
    summary(op, processName, session, published, jobId, checkpointId);
    points.forEach(op::set);
    commitToBranch(op, branch);
    table.refresh();
    return table.refs().get(branch).snapshotId();
  }

  /** The commits an upsert staging makes: one per checkpoint that wrote files (at least one). */
  private static List<StagedFiles> upsertParts(StagedFiles files) {
    List<StagedFiles> parts = new ArrayList<>();
    files.checkpoints.stream().filter(p -> !p.isEmpty()).forEach(parts::add);
    return parts.size() > 1 ? parts : List.of(files);
  }

  /**
   * How many commits {@link #stage} makes: the staged snapshot's distance from the main it sits on.
   */
  int stagingCommits(StagedFiles files) {
    return writeMode.isKeyed() ? upsertParts(files).size() : 1;
  }

  private static RowDelta rowDelta(Table table, StagedFiles files) {
    RowDelta delta = table.newRowDelta();
    files.dataFiles.forEach(delta::addRows);
    files.deleteFiles.forEach(delta::addDeletes);
    return delta;
  }

  private static void commitToBranch(SnapshotUpdate<?> op, String branch) {
    try {
      op.toBranch(branch);
      // A session's files fit in a few manifests: writing them inline beats Iceberg's 10 ms
      // polling.
      op.scanManifestsWith(SameThreadExecutor.get());
      op.commit();
    } catch (ValidationException conflict) {
      throw new CommitFailedException(
          conflict, "conflicting change while staging: %s", conflict.getMessage());
    }
  }

  @Nullable
  private Expression overwriteRange(Table table, Session session) {
    String min = null;
    String max = null;
    for (SourceRange r : session.ranges()) {
      ChangeRange c = r.changeRange();
      if (c == null || c.min() == null || c.max() == null) {
        continue;
      }
      min = min == null || c.min().compareTo(min) < 0 ? c.min() : min;
      max = max == null || c.max().compareTo(max) > 0 ? c.max() : max;
    }
    if (min == null) {
      return null;
    }
    return RangeOverwrite.rangeFilter(table.schema(), overwriteColumn, min, max);
  }

  /** The session's identity and the new high watermark, as every staged snapshot carries them. */
  static void summary(
      SnapshotUpdate<?> op,
      String processName,
      Session session,
      @Nullable PublishedHighWatermark published,
      String jobId,
      long checkpointId) {
    Map<String, String> hwm = new LinkedHashMap<>();
    if (published != null) {
      published
          .positions()
          .forEach((t, id) -> hwm.put(t, id == null ? SummaryKeys.NO_SNAPSHOT : id.toString()));
    }
    for (SourceRange r : session.ranges()) {
      hwm.put(
          r.table(),
          r.toSnapshotId() == null ? SummaryKeys.NO_SNAPSHOT : r.toSnapshotId().toString());
    }
    op.set(SummaryKeys.PROCESS_NAME, processName);
    op.set(SummaryKeys.SESSION_IDS, session.sessionId());
    op.set(SummaryKeys.STAGED_SESSION, session.sessionId());
    op.set(SummaryKeys.JOB_ID, jobId);
    op.set(SummaryKeys.CHECKPOINT_ID, Long.toString(checkpointId));
    hwm.forEach((t, id) -> op.set(SummaryKeys.hwmKey(t), id));
  }
}
