package io.psyberg.flink.metadata;

import io.psyberg.flink.catalog.SameThreadExecutor;
import java.util.Collection;
import org.apache.flink.annotation.Internal;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitStateUnknownException;

/**
 * The {@code replace} commit of a compaction that read {@code read}: the rewritten files keep its
 * data sequence number, so deletes committed meanwhile still apply to them, and any other change to
 * the removed files makes Iceberg refuse the commit. A refused commit deletes the new files.
 */
@Internal
public final class RewriteCommit {
  private RewriteCommit() {}

  public static void commit(
      Table table,
      Snapshot read,
      Collection<DataFile> removedData,
      Collection<DeleteFile> removedDeletes,
      Collection<DataFile> written) {
    RewriteFiles rewrite =
        table
            .newRewrite()
            .validateFromSnapshot(read.snapshotId())
            .dataSequenceNumber(read.sequenceNumber())
            .scanManifestsWith(SameThreadExecutor.get());
    removedData.forEach(rewrite::deleteFile);
    removedDeletes.forEach(rewrite::deleteFile);
    written.forEach(rewrite::addFile);
    try {
      rewrite.commit();
    } catch (CommitStateUnknownException unknown) {
      // The commit may have landed: its files must stay (an orphan at worst).
      throw unknown;
    } catch (RuntimeException e) {
      written.forEach(f -> table.io().deleteFile(f.path().toString()));
      throw e;
    }
  }
}
