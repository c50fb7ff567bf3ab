package io.psyberg.flink.backfill;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.sink.PsybergSinkOptions;
import io.psyberg.flink.sink.WriteMode;
import io.psyberg.flink.sink.commit.CommittableState;
import io.psyberg.flink.sink.commit.PsybergCommittable;
import io.psyberg.flink.sink.commit.StagedFiles;
import io.psyberg.flink.sink.writer.PsybergWriterOperator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expressions;

/**
 * A backfill chunk written by a Flink job: the job's tasks write a target's data files in parallel
 * without committing them and hand back what they wrote, and the backfill commits exactly those
 * files on its branch as the chunk, in one commit. Rows never pass through the client.
 */
@PublicEvolving
public final class BackfillChunkFiles {
  private BackfillChunkFiles() {}

  /**
   * Appends to {@code rows} (insert-only, in {@code type}, the target's columns in order) a writer
   * of {@code target}'s files, chained to the operator before it. Collect the returned stream (a
   * few small messages per task) and give them to {@link #commit}; nothing is visible before.
   */
  public static DataStream<byte[]> write(
      DataStream<RowData> rows, CatalogSpec catalog, String target, RowType type, String process) {
    return rows.transform(
            "backfill files " + target,
            PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO,
            new PsybergWriterOperator(
                catalog,
                target,
                process,
                type,
                WriteMode.APPEND,
                List.of(),
                PsybergSinkOptions.TARGET_FILE_SIZE.defaultValue()))
        .setParallelism(rows.getParallelism());
  }

  /**
   * Commits the files {@link #write} reported for {@code target} as chunk {@code chunk} of the
   * backfill, in one commit on its branch, and returns the branch's new head. Refused, as {@link
   * BackfillBranch#commitChunk}, when anyone wrote the branch after {@code branchHead}.
   *
   * @throws org.apache.iceberg.exceptions.ValidationException when the branch moved
   */
  public static long commit(
      Table target, String backfillId, int chunk, Collection<byte[]> written, long branchHead) {
    RowReplacement.checkShape(target);
    List<PsybergCommittable> committables = new ArrayList<>();
    for (byte[] w : written) {
      try {
        committables.add(CommittableState.read(w));
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Could not read the files written for chunk " + chunk + " of " + target.name(), e);
      }
    }
    StagedFiles files = StagedFiles.of(target, committables);
    String branch = BackfillBranch.name(backfillId);
    RowDelta delta = target.newRowDelta().toBranch(branch);
    files.dataFiles().forEach(delta::addRows);
    files.deleteFiles().forEach(delta::addDeletes);
    delta.set(BackfillBranch.BACKFILL_ID, backfillId);
    delta.set(BackfillBranch.CHUNK, Integer.toString(chunk));
    delta
        .validateFromSnapshot(branchHead)
        .conflictDetectionFilter(Expressions.alwaysTrue())
        .validateNoConflictingDataFiles()
        .validateNoConflictingDeleteFiles()
        .commit();
    target.refresh();
    return target.refs().get(branch).snapshotId();
  }
}
