package io.psyberg.flink.metadata;

import io.psyberg.flink.catalog.SameThreadExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a metadata table as cheap to read and write as on its first day. Every upsert adds a data
 * file and an equality-delete file, and a reader applies all of them: without upkeep, reading a
 * process's sessions after a few hundred sessions took most of a second. Once {@link
 * #DELETE_FILES_TO_COMPACT} delete files have piled up, the live rows of the processes updated
 * since the last compaction are rewritten into files per process (tables created by an older
 * version without the process partition: all rows, sorted by process, so a scan for one process
 * skips the others by their column bounds), their old files and all delete files are removed in one
 * commit, and snapshots older than {@link #SNAPSHOT_RETENTION_MS} beyond the newest {@link
 * #SNAPSHOTS_KEPT} are expired so the table's metadata stops growing.
 *
 * <p>Compaction is best effort and never fails the upsert that triggered it. The rewritten files
 * keep the sequence number of the snapshot that was read, so an upsert committed meanwhile still
 * deletes the old version of its row from them (Iceberg lets such a rewrite commit); anything else
 * that changed the table meanwhile makes it give up, and a later upsert tries again.
 */
final class MetadataCompaction {
  private static final Logger LOG = LoggerFactory.getLogger(MetadataCompaction.class);

  /**
   * Compact once the table holds this many delete files (one per upsert since the last compaction).
   */
  static final int DELETE_FILES_TO_COMPACT = 16;

  /**
   * Rows per rewritten file; sorted by process, so each file covers a narrow range of processes.
   */
  static final int ROWS_PER_FILE = 20_000;

  static final int SNAPSHOTS_KEPT = 20;

  /** Both metadata tables have it, and new ones are partitioned by it. */
  static final String PROCESS_COLUMN = "process_name";

  /**
   * A reader holds a snapshot for milliseconds; this leaves it ample time before the snapshot's
   * files go.
   */
  static final long SNAPSHOT_RETENTION_MS = TimeUnit.MINUTES.toMillis(1);

  private MetadataCompaction() {}

  /** Whether the table's current snapshot holds enough delete files to be worth a compaction. */
  static boolean due(Table table) {
    Snapshot current = table.currentSnapshot();
    if (current == null || current.summary() == null) {
      return false;
    }
    String deletes = current.summary().get(SnapshotSummary.TOTAL_DELETE_FILES_PROP);
    try {
      return deletes != null && Long.parseLong(deletes) >= DELETE_FILES_TO_COMPACT;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * Compacts the table if {@link #due}; logs and carries on when it cannot.
   *
   * @return whether the table was compacted
   */
  static boolean compactIfDue(Table table) {
    if (!due(table)) {
      return false;
    }
    try {
      compact(table, table.currentSnapshot());
    } catch (ValidationException | CommitFailedException changed) {
      LOG.debug(
          "Metadata table {} changed while compacting; a later update compacts it: {}",
          table.name(),
          changed.getMessage());
      return false;
    } catch (RuntimeException e) {
      LOG.warn(
          "Could not compact metadata table {} (it stays correct, only slower to read): {}",
          table.name(),
          e.toString());
      return false;
    }
    try {
      table
          .expireSnapshots()
          .expireOlderThan(System.currentTimeMillis() - SNAPSHOT_RETENTION_MS)
          .retainLast(SNAPSHOTS_KEPT)
          .planWith(SameThreadExecutor.get())
          .executeDeleteWith(SameThreadExecutor.get())
          .commit();
    } catch (RuntimeException e) {
      LOG.debug(
          "Could not expire old snapshots of metadata table {}: {}", table.name(), e.toString());
    }
    return true;
  }

  /**
   * Rewrites the live rows of {@code snapshot} into sorted files. On a table partitioned by process
   * only the processes that have delete files are rewritten (equality deletes apply within their
   * partition), so a compaction costs the rows of the processes updated since the last one, not the
   * whole log.
   */
  static void compact(Table table, Snapshot snapshot) {
    List<DataFile> dataFiles = new ArrayList<>();
    List<DeleteFile> deleteFiles = new ArrayList<>();
    try {
      for (ManifestFile m : snapshot.dataManifests(table.io())) {
        try (ManifestReader<DataFile> reader = ManifestFiles.read(m, table.io(), table.specs())) {
          reader.forEach(f -> dataFiles.add(f.copyWithoutStats()));
        }
      }
      for (ManifestFile m : snapshot.deleteManifests(table.io())) {
        try (ManifestReader<DeleteFile> reader =
            ManifestFiles.readDeleteManifest(m, table.io(), table.specs())) {
          reader.forEach(f -> deleteFiles.add(f.copyWithoutStats()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Expression scope = Expressions.alwaysTrue();
    List<DataFile> replaced = dataFiles;
    if (byProcess(table, dataFiles, deleteFiles)) {
      Set<String> touched = new TreeSet<>();
      deleteFiles.forEach(f -> touched.add(f.partition().get(0, String.class)));
      scope = Expressions.in(PROCESS_COLUMN, touched.toArray());
      replaced = new ArrayList<>();
      for (DataFile f : dataFiles) {
        if (touched.contains(f.partition().get(0, String.class))) {
          replaced.add(f);
        }
      }
    }
    List<Record> rows = liveRows(table, snapshot, scope);
    List<DataFile> written = write(table, rows);

    RewriteCommit.commit(table, snapshot, replaced, deleteFiles, written);
    LOG.debug(
        "Compacted metadata table {}: {} data and {} delete files into {} files of {} rows",
        table.name(),
        replaced.size(),
        deleteFiles.size(),
        written.size(),
        rows.size());
  }

  /**
   * Whether every file is in the current spec and that spec is psyberg's: identity on the process.
   */
  private static boolean byProcess(
      Table table, List<DataFile> dataFiles, List<DeleteFile> deleteFiles) {
    PartitionSpec spec = table.spec();
    boolean identityOnProcess =
        spec.fields().size() == 1
            && spec.fields().get(0).transform().isIdentity()
            && PROCESS_COLUMN.equals(
                table.schema().findColumnName(spec.fields().get(0).sourceId()));
    return identityOnProcess
        && dataFiles.stream().allMatch(f -> f.specId() == spec.specId())
        && deleteFiles.stream().allMatch(f -> f.specId() == spec.specId());
  }

  private static List<Record> liveRows(Table table, Snapshot snapshot, Expression scope) {
    List<Record> rows = new ArrayList<>(MetadataRows.read(table, scope, snapshot.snapshotId()));
    List<String> key = new ArrayList<>(table.schema().identifierFieldNames());
    key.sort(Comparator.naturalOrder());
    Comparator<Record> order = Comparator.comparing(r -> text(r.getField(PROCESS_COLUMN)));
    for (String column : key) {
      order = order.thenComparing(r -> text(r.getField(column)));
    }
    rows.sort(order);
    return rows;
  }

  private static String text(Object value) {
    return Objects.toString(value, "");
  }

  private static List<DataFile> write(Table table, List<Record> rows) {
    GenericAppenderFactory factory = new GenericAppenderFactory(table.schema(), table.spec());
    OutputFileFactory files =
        OutputFileFactory.builderFor(table, 0, System.nanoTime())
            .format(FileFormat.PARQUET)
            .build();
    List<DataFile> written = new ArrayList<>();
    for (Map.Entry<PartitionKey, List<Record>> part :
        RowUpserter.byPartition(table, rows).entrySet()) {
      PartitionKey partition = table.spec().isPartitioned() ? part.getKey() : null;
      List<Record> partRows = part.getValue();
      for (int from = 0; from < partRows.size(); from += ROWS_PER_FILE) {
        DataWriter<Record> writer =
            factory.newDataWriter(
                RowUpserter.newOutputFile(table, files, partition), FileFormat.PARQUET, partition);
        try (DataWriter<Record> w = writer) {
          partRows.subList(from, Math.min(partRows.size(), from + ROWS_PER_FILE)).forEach(w::write);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        written.add(writer.toDataFile());
      }
    }
    return written;
  }
}
