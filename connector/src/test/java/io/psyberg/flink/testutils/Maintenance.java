package io.psyberg.flink.testutils;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;

/**
 * Routine table maintenance done with Iceberg's own APIs, as a scheduled job would: compaction
 * ({@code RewriteFiles}), snapshot expiry ({@code ExpireSnapshots}), manifest rewrites.
 */
public final class Maintenance {
  private Maintenance() {}

  /**
   * Rewrites the live data files chosen by {@code which} into one new file (a {@code replace}
   * snapshot); returns that snapshot's id, or -1 when fewer than two files were chosen.
   */
  public static long compact(Warehouse wh, Table table, Predicate<DataFile> which) {
    table.refresh();
    List<DataFile> chosen = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask t : tasks) {
        if (which.test(t.file())) {
          chosen.add(t.file().copy());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (chosen.size() < 2) {
      return -1;
    }
    List<Record> rows = new ArrayList<>();
    chosen.forEach(f -> rows.addAll(read(table, f)));
    DataFile merged = wh.writeFile(table, rows);
    // As Spark's rewrite_data_files does: validate against the snapshot the rewrite read.
    RewriteFiles rewrite =
        table.newRewrite().validateFromSnapshot(table.currentSnapshot().snapshotId());
    chosen.forEach(rewrite::deleteFile);
    rewrite.addFile(merged);
    rewrite.commit();
    return table.currentSnapshot().snapshotId();
  }

  /** Compacts every live data file of the table into one. */
  public static long compactAll(Warehouse wh, Table table) {
    return compact(wh, table, f -> true);
  }

  /** Expires every snapshot of main but the newest {@code n} (refs keep theirs). */
  public static void retainLast(Table table, int n) {
    table.refresh();
    table.expireSnapshots().expireOlderThan(Long.MAX_VALUE).retainLast(n).commit();
    table.refresh();
  }

  /**
   * The data and delete files live at the given snapshots that are not in storage (a file cleanup
   * that went wrong); empty when the snapshots can be read.
   */
  public static List<String> missingFiles(Table table, long... snapshots) {
    List<String> out = new ArrayList<>();
    for (long s : snapshots) {
      try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(s).planFiles()) {
        for (FileScanTask t : tasks) {
          List<String> paths = new ArrayList<>();
          paths.add(t.file().path().toString());
          t.deletes().forEach(d -> paths.add(d.path().toString()));
          for (String path : paths) {
            if (!table.io().newInputFile(path).exists() && !out.contains(path)) {
              out.add(path);
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  /** Rewrites all data manifests into new ones (a {@code replace} snapshot). */
  public static void rewriteManifests(Table table) {
    table.refresh();
    table.rewriteManifests().clusterBy(f -> "all").commit();
    table.refresh();
  }

  /** The rows of one data file. */
  public static List<Record> read(Table table, DataFile file) {
    List<Record> out = new ArrayList<>();
    try (CloseableIterable<Record> rows =
        Parquet.read(table.io().newInputFile(file.path().toString()))
            .project(table.schema())
            .createReaderFunc(s -> GenericParquetReaders.buildReader(table.schema(), s))
            .build()) {
      rows.forEach(r -> out.add(r.copy()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
