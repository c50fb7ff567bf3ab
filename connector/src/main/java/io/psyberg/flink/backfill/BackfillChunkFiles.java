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
import java.util.Map;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Table;
import org.apache.iceberg.Transaction;
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
   * Commits the files {@link #write} reported for several chunks of the backfill, each chunk as its
   * own commit on the branch (its own snapshot, numbered as the chunk), in the order of {@code
   * written}, and all of them in one transaction: the table's metadata is written once, and either
   * every chunk is on the branch or none. Refused, as {@link BackfillBranch#commitChunk}, when
   * anyone wrote the branch after {@code branchHead}.
   *
   * @param written chunk number to what the writers reported for it, in commit order
   * @return the branch's new head
   * @throws org.apache.iceberg.exceptions.ValidationException when the branch moved
   */
  public static long commit(
      Table target,
      String backfillId,
      Map<Integer, ? extends Collection<byte[]>> written,
      long branchHead) {
    RowReplacement.checkShape(target);
    String branch = BackfillBranch.name(backfillId);
    Transaction transaction = target.newTransaction();
    boolean first = true;
    for (Map.Entry<Integer, ? extends Collection<byte[]>> chunk : written.entrySet()) {
      StagedFiles files = StagedFiles.of(target, read(target, chunk.getKey(), chunk.getValue()));
      RowDelta delta = transaction.newRowDelta().toBranch(branch);
      files.dataFiles().forEach(delta::addRows);
      files.deleteFiles().forEach(delta::addDeletes);
      delta.set(BackfillBranch.BACKFILL_ID, backfillId);
      delta.set(BackfillBranch.CHUNK, Integer.toString(chunk.getKey()));
      if (first) {
        // the later chunks follow the first inside the transaction: nobody can write between them,
        // and a retry of the transaction validates the first again against the branch
        delta
            .validateFromSnapshot(branchHead)
            .conflictDetectionFilter(Expressions.alwaysTrue())
            .validateNoConflictingDataFiles()
            .validateNoConflictingDeleteFiles();
        first = false;
      }
      delta.commit();
    }
    transaction.commitTransaction();
    target.refresh();
    return target.refs().get(branch).snapshotId();
  }

  private static List<PsybergCommittable> read(
      Table target, int chunk, Collection<byte[]> written) {
    List<PsybergCommittable> committables = new ArrayList<>();
    for (byte[] w : written) {
      try {
        committables.add(CommittableState.read(w));
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Could not read the files written for chunk " + chunk + " of " + target.name(), e);
      }
    }
    return committables;
  }
}
