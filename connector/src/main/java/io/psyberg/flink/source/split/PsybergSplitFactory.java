package io.psyberg.flink.source.split;

import io.psyberg.flink.planning.PlannedSnapshot;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.iceberg.BaseCombinedScanTask;
import org.apache.iceberg.BaseFileScanTask;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.PartitionSpecParser;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.expressions.ResidualEvaluator;
import org.apache.iceberg.flink.source.split.IcebergSourceSplit;

/** Turns a planned snapshot into splits: one per data file, large files cut at the split size. */
@Internal
public final class PsybergSplitFactory {
  private PsybergSplitFactory() {}

  public static List<PsybergSplit> splits(
      String sessionId, PlannedSnapshot snapshot, long splitSizeBytes) {
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
}
