package io.psyberg.flink.examples.reliability;

import io.psyberg.flink.testutils.Warehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/** Compaction of a keyed (upsert) target with Iceberg's {@code RewriteFiles}, deletes applied. */
final class KeyedCompaction {
  private KeyedCompaction() {}

  /**
   * Compacts a keyed table as a maintenance job does: its live rows (deletes applied) into one file
   * per partition, replacing every data and delete file.
   */
  static void compact(Warehouse wh, Table table) {
    table.refresh();
    List<Record> rows = new ArrayList<>();
    List<DataFile> data = new ArrayList<>();
    List<DeleteFile> deletes = new ArrayList<>();
    Set<String> deletePaths = new HashSet<>();
    try (CloseableIterable<Record> live = IcebergGenerics.read(table).build();
        CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      live.forEach(r -> rows.add(r.copy()));
      for (FileScanTask t : tasks) {
        data.add(t.file());
        for (DeleteFile d : t.deletes()) {
          if (deletePaths.add(d.path().toString())) {
            deletes.add(d);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (data.isEmpty() && deletes.isEmpty()) {
      return; // nothing published there yet
    }
    List<DataFile> merged = wh.writeFiles(table, rows);
    RewriteFiles rewrite =
        table.newRewrite().validateFromSnapshot(table.currentSnapshot().snapshotId());
    data.forEach(rewrite::deleteFile);
    deletes.forEach(rewrite::deleteFile);
    merged.forEach(rewrite::addFile);
    rewrite.commit();
  }
}
