package io.psyberg.flink.planning;

import io.psyberg.flink.metadata.SnapshotPoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;

/**
 * What snapshots expired before they were read added, told from the files live at the oldest
 * snapshot still there: a data file whose data sequence number is above the position's is new; the
 * rows at or below it were processed, and they must all still be there (in their own files, or in
 * files rewritten from them alone that kept a data sequence number at or below it). When some are
 * missing, a compaction moved them into files with a newer data sequence number (perhaps with new
 * rows) or a delete removed them, and the history cannot tell new rows from processed ones.
 *
 * <p>This plans every live file of the table once, a cost that follows the table, not the new data;
 * it is taken only when expiry removed snapshots the process had not read.
 */
final class ExpiredStretch {
  /** Live data files at the oldest snapshot still there that are new since the position. */
  final List<DataFile> newFiles;

  /** Rows in live files at or below the position's data sequence number. */
  final long processedRows;

  /** Row-level delete files written after the position (changes beyond appends). */
  final int newDeleteFiles;

  final SnapshotPoint from;
  final Snapshot oldest;

  private ExpiredStretch(
      List<DataFile> newFiles,
      long processedRows,
      int newDeleteFiles,
      SnapshotPoint from,
      Snapshot oldest) {
    this.newFiles = newFiles;
    this.processedRows = processedRows;
    this.newDeleteFiles = newDeleteFiles;
    this.from = from;
    this.oldest = oldest;
  }

  static ExpiredStretch at(Table table, Snapshot oldest, SnapshotPoint from) {
    Set<String> rewrittenFromProcessed = rewrittenFromProcessedRows(table, oldest, from);
    List<DataFile> added = new ArrayList<>();
    long processed = 0;
    int deletes = 0;
    // With their column metrics: the session's change range (the lookback of stateful runs) is
    // computed from them.
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().useSnapshot(oldest.snapshotId()).includeColumnStats().planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile f = task.file();
        if (sequenceOf(f.dataSequenceNumber()) > from.sequenceNumber()
            && !rewrittenFromProcessed.contains(f.path().toString())) {
          added.add(f.copy());
        } else {
          processed += f.recordCount();
        }
        for (DeleteFile d : task.deletes()) {
          if (sequenceOf(d.dataSequenceNumber()) > from.sequenceNumber()) {
            deletes++;
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ExpiredStretch(added, processed, deletes, from, oldest);
  }

  /**
   * When the oldest snapshot still there is itself a compaction, its inputs are known: the files it
   * wrote from processed rows alone hold no new row, whatever data sequence number they got.
   */
  private static Set<String> rewrittenFromProcessedRows(
      Table table, Snapshot oldest, SnapshotPoint from) {
    if (!DataOperations.REPLACE.equals(oldest.operation())) {
      return Set.of();
    }
    boolean onlyProcessed = true;
    boolean any = false;
    for (DataFile removed : oldest.removedDataFiles(table.io())) {
      any = true;
      onlyProcessed &= sequenceOf(removed.dataSequenceNumber()) <= from.sequenceNumber();
    }
    if (!any || !onlyProcessed) {
      return Set.of();
    }
    Set<String> out = new HashSet<>();
    oldest.addedDataFiles(table.io()).forEach(f -> out.add(f.path().toString()));
    return out;
  }

  /** Whether every row processed up to the position is still in a file of its own history. */
  boolean keepsProcessedRows() {
    return processedRows == from.totalRecords();
  }

  long newRecords() {
    return newFiles.stream().mapToLong(DataFile::recordCount).sum();
  }

  private static long sequenceOf(Long n) {
    return n == null ? 0 : n;
  }
}
