package io.psyberg.flink.source.split;

import io.psyberg.flink.planning.FileChange;
import io.psyberg.flink.planning.PlannedSnapshot;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.iceberg.BaseCombinedScanTask;
import org.apache.iceberg.BaseFileScanTask;
import org.apache.iceberg.CombinedScanTask;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.PartitionSpecParser;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.expressions.ResidualEvaluator;
import org.apache.iceberg.flink.source.split.IcebergSourceSplit;

/**
 * Turns a planned snapshot into splits: one per data file, large files cut at the split size. A
 * snapshot read as changes gives a split per changed file; files whose deletes changed are read
 * whole (both states of a row are compared by position).
 */
@Internal
public final class PsybergSplitFactory {
  private PsybergSplitFactory() {}

  public static List<PsybergSplit> splits(
      String sessionId, PlannedSnapshot snapshot, long splitSizeBytes) {
    if (snapshot.changelog()) {
      return changeSplits(sessionId, snapshot, splitSizeBytes);
    }
    List<PsybergSplit> out = new ArrayList<>();
    String schemaJson = SchemaParser.toJson(snapshot.source().schema());
    int index = 0;
    for (DataFile file : snapshot.files()) {
      PartitionSpec spec = snapshot.source().specs().get(file.specId());
      FileScanTask task =
          new BaseFileScanTask(
              file,
              new DeleteFile[0],
              schemaJson,
              PartitionSpecParser.toJson(spec),
              ResidualEvaluator.of(spec, Expressions.alwaysTrue(), true));
      Iterable<FileScanTask> pieces =
          file.splitOffsets() != null && file.fileSizeInBytes() > splitSizeBytes
              ? task.split(splitSizeBytes)
              : List.of(task);
      for (FileScanTask piece : pieces) {
        out.add(
            new PsybergSplit(
                sessionId,
                snapshot.table(),
                snapshot.snapshotId(),
                snapshot.committedAtMillis(),
                index++,
                IcebergSourceSplit.fromCombinedScanTask(new BaseCombinedScanTask(piece))));
      }
    }
    return out;
  }

  private static List<PsybergSplit> changeSplits(
      String sessionId, PlannedSnapshot snapshot, long splitSizeBytes) {
    List<PsybergSplit> out = new ArrayList<>();
    String schemaJson = SchemaParser.toJson(snapshot.source().schema());
    int index = 0;
    for (FileChange change : snapshot.changes()) {
      DataFile file = change.file();
      PartitionSpec spec = snapshot.source().specs().get(file.specId());
      if (change.before() != null && change.after() != null) {
        List<FileScanTask> both =
            List.of(
                task(file, change.before(), schemaJson, spec),
                task(file, change.after(), schemaJson, spec));
        out.add(
            split(
                sessionId,
                snapshot,
                index++,
                new BaseCombinedScanTask(both),
                PsybergSplit.Kind.CHANGED));
        continue;
      }
      boolean added = change.before() == null;
      FileScanTask task = task(file, added ? change.after() : change.before(), schemaJson, spec);
      Iterable<FileScanTask> pieces =
          file.splitOffsets() != null && file.fileSizeInBytes() > splitSizeBytes
              ? task.split(splitSizeBytes)
              : List.of(task);
      for (FileScanTask piece : pieces) {
        out.add(
            split(
                sessionId,
                snapshot,
                index++,
                new BaseCombinedScanTask(piece),
                added ? PsybergSplit.Kind.ADDED : PsybergSplit.Kind.REMOVED));
      }
    }
    return out;
  }

  private static FileScanTask task(
      DataFile file, List<DeleteFile> deletes, String schemaJson, PartitionSpec spec) {
    return new BaseFileScanTask(
        file,
        deletes.toArray(new DeleteFile[0]),
        schemaJson,
        PartitionSpecParser.toJson(spec),
        ResidualEvaluator.of(spec, Expressions.alwaysTrue(), true));
  }

  private static PsybergSplit split(
      String sessionId,
      PlannedSnapshot snapshot,
      int index,
      CombinedScanTask task,
      PsybergSplit.Kind kind) {
    return new PsybergSplit(
        sessionId,
        snapshot.table(),
        snapshot.snapshotId(),
        snapshot.committedAtMillis(),
        index,
        IcebergSourceSplit.fromCombinedScanTask(task),
        kind);
  }
}
