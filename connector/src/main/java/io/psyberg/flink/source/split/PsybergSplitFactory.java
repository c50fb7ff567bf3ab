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
    List<PsybergSplit> out = new ArrayList<>();
    String schemaJson = SchemaParser.toJson(snapshot.source().schema());
    if (!snapshot.changelog()) {
      for (DataFile file : snapshot.files()) {
        FileScanTask task = task(file, List.of(), schemaJson, spec(snapshot, file));
        addPieces(out, sessionId, snapshot, task, PsybergSplit.Kind.ADDED, splitSizeBytes);
      }
      return out;
    }
    for (FileChange change : snapshot.changes()) {
      DataFile file = change.file();
      PartitionSpec spec = spec(snapshot, file);
      if (change.before() != null && change.after() != null) {
        List<FileScanTask> both =
            List.of(
                task(file, change.before(), schemaJson, spec),
                task(file, change.after(), schemaJson, spec));
        out.add(
            split(
                sessionId,
                snapshot,
                out.size(),
                new BaseCombinedScanTask(both),
                PsybergSplit.Kind.CHANGED));
      } else if (change.before() == null) {
        FileScanTask task = task(file, change.after(), schemaJson, spec);
        addPieces(out, sessionId, snapshot, task, PsybergSplit.Kind.ADDED, splitSizeBytes);
      } else {
        FileScanTask task = task(file, change.before(), schemaJson, spec);
        addPieces(out, sessionId, snapshot, task, PsybergSplit.Kind.REMOVED, splitSizeBytes);
      }
    }
    return out;
  }

  private static PartitionSpec spec(PlannedSnapshot snapshot, DataFile file) {
    return snapshot.source().specs().get(file.specId());
  }

  /** One split per piece of the task's file; a large file is cut at the split size. */
  private static void addPieces(
      List<PsybergSplit> out,
      String sessionId,
      PlannedSnapshot snapshot,
      FileScanTask task,
      PsybergSplit.Kind kind,
      long splitSizeBytes) {
    DataFile file = task.file();
    Iterable<FileScanTask> pieces =
        file.splitOffsets() != null && file.fileSizeInBytes() > splitSizeBytes
            ? task.split(splitSizeBytes)
            : List.of(task);
    for (FileScanTask piece : pieces) {
      out.add(split(sessionId, snapshot, out.size(), new BaseCombinedScanTask(piece), kind));
    }
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
