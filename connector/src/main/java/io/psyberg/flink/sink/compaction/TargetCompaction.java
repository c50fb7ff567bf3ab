package io.psyberg.flink.sink.compaction;

import io.psyberg.flink.metadata.MetadataRows;
import io.psyberg.flink.metadata.RewriteCommit;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.util.PropertyUtil;
import org.apache.iceberg.util.StructLikeWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an {@code upsert} or {@code retract} target as cheap to read on its hundredth run as on its
 * second. Every such session adds equality-delete files, and every later read of their partitions
 * (the next session's corrections, its audits, any query) applies all of them, so without upkeep a
 * run's cost grows with the number of runs since someone last compacted the table. Once the target
 * holds {@code compaction.delete-files} delete files, the committer rewrites, after a publish, the
 * live rows of each partition that has delete files into new files and removes that partition's
 * data and delete files in one {@code replace} commit. Partitions over {@code
 * compaction.max-partition-rows} rows are left to the table's own maintenance ({@code
 * rewrite_data_files}). A table sorted by a timestamp or date column gets a file per day of it
 * ({@link DayClustering}), so that reads of recent rows prune the rest of the partition.
 *
 * <p>It is best effort and never fails the publish that triggered it. The rewritten files keep the
 * data sequence number of the snapshot that was read, so deletes committed meanwhile (a foreign
 * writer) still apply to them; any other change to the rewritten files makes Iceberg refuse the
 * commit, and a later publish tries again.
 */
@Internal
public final class TargetCompaction implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(TargetCompaction.class);

  public static final TargetCompaction OFF = new TargetCompaction(0, 0);

  private final int deleteFiles;
  private final long maxPartitionRows;

  /**
   * @param deleteFiles compact once the target holds this many delete files; 0 never
   * @param maxPartitionRows partitions with more rows than this are not rewritten
   */
  public TargetCompaction(int deleteFiles, long maxPartitionRows) {
    this.deleteFiles = deleteFiles;
    this.maxPartitionRows = maxPartitionRows;
  }

  /** What one compaction rewrote. */
  public record Result(
      long snapshotId, int partitions, int dataFilesRemoved, int deleteFilesRemoved, long rows) {}

  /**
   * Whether the current snapshot of {@code table} holds enough delete files to compact. Counted in
   * its manifest list: the summary's totals are wrong in snapshots staged on a new branch by
   * earlier versions (Iceberg counts them from zero there).
   */
  public boolean due(Table table) {
    Snapshot current = table.currentSnapshot();
    if (deleteFiles <= 0 || current == null) {
      return false;
    }
    long files = 0;
    for (ManifestFile m : current.deleteManifests(table.io())) {
      if (m.addedFilesCount() == null || m.existingFilesCount() == null) {
        return false;
      }
      files += m.addedFilesCount() + m.existingFilesCount();
    }
    return files >= deleteFiles;
  }

  /**
   * Compacts the partitions of {@code table} that have delete files, if {@link #due}; logs and
   * carries on when it cannot.
   */
  public Optional<Result> compactIfDue(Table table, String processName) {
    if (!due(table)) {
      return Optional.empty();
    }
    try {
      Optional<Result> done = compact(table, table.currentSnapshot());
      done.ifPresent(
          r ->
              LOG.info(
                  "Process {}: compacted target {} in snapshot {}: {} partition(s), {} data and {}"
                      + " delete files rewritten into files of {} live rows.",
                  processName,
                  table.name(),
                  r.snapshotId(),
                  r.partitions(),
                  r.dataFilesRemoved(),
                  r.deleteFilesRemoved(),
                  r.rows()));
      return done;
    } catch (ValidationException | CommitFailedException changed) {
      LOG.info(
          "Process {}: target {} changed while it was compacted; a later publish compacts it: {}",
          processName,
          table.name(),
          changed.getMessage());
    } catch (RuntimeException e) {
      LOG.warn(
          "Process {}: could not compact target {} (its rows are intact; reads stay slower until"
              + " it is compacted): {}",
          processName,
          table.name(),
          e.toString());
    }
    return Optional.empty();
  }

  private Optional<Result> compact(Table table, Snapshot snapshot) {
    PartitionSpec spec = table.spec();
    DayClustering days = DayClustering.of(table).orElse(null);
    Files files = Files.of(table, snapshot, days);
    if (files.otherSpec) {
      LOG.info(
          "Target {} has files of an earlier partition spec; psyberg leaves its compaction to"
              + " rewrite_data_files.",
          table.name());
      return Optional.empty();
    }
    Map<StructLikeWrapper, Partition> chosen = new LinkedHashMap<>();
    files.deletes.forEach(
        (partition, deletes) -> {
          Partition p = files.partition(partition);
          if (p.rows > maxPartitionRows) {
            LOG.info(
                "Target {}: a partition of {} rows with {} delete files is over"
                    + " 'compaction.max-partition-rows' ({}); compact it with rewrite_data_files.",
                table.name(),
                p.rows,
                deletes.size(),
                maxPartitionRows);
          } else {
            chosen.put(partition, p);
          }
        });
    if (chosen.isEmpty()) {
      return Optional.empty();
    }
    long targetBytes =
        PropertyUtil.propertyAsLong(
            table.properties(),
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES,
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT);
    List<DataFile> written;
    long rows;
    Map<StructLikeWrapper, Long> clusterFrom = new HashMap<>();
    chosen.forEach(
        (partition, p) -> {
          if (p.lastDay != null) {
            clusterFrom.put(partition, p.lastDay - DayClustering.RECENT_DAYS + 1);
          }
        });
    try (PartitionFiles out = new PartitionFiles(table, spec, targetBytes, days, clusterFrom)) {
      StructLikeWrapper probe = StructLikeWrapper.forType(spec.partitionType());
      boolean read =
          MetadataRows.forEach(
              table,
              Expressions.alwaysTrue(),
              snapshot.snapshotId(),
              (FileScanTask task) -> chosen.containsKey(probe.set(task.file().partition())),
              out::write);
      if (!read) {
        LOG.info(
            "Target {} has data files other than Parquet; psyberg leaves its compaction to"
                + " rewrite_data_files.",
            table.name());
        out.abort();
        return Optional.empty();
      }
      written = out.finish();
      rows = out.rows();
    }
    List<DataFile> removedData = new ArrayList<>();
    List<DeleteFile> removedDeletes = new ArrayList<>();
    chosen.values().forEach(p -> removedData.addAll(p.data));
    chosen.keySet().forEach(partition -> removedDeletes.addAll(files.deletes.get(partition)));
    RewriteCommit.commit(table, snapshot, removedData, removedDeletes, written);
    table.refresh();
    return Optional.of(
        new Result(
            table.currentSnapshot().snapshotId(),
            chosen.size(),
            removedData.size(),
            removedDeletes.size(),
            rows));
  }

  /**
   * A partition's live data files, their row count and the day of their last value of the
   * clustering column (null when not clustered or a file has no bound for it).
   */
  private static final class Partition {
    final List<DataFile> data = new ArrayList<>();
    long rows;
    @Nullable Long lastDay;
    boolean lastDayUnknown;

    /**
     * @param day the day of the file's last value of the clustering column; null when not clustered
     */
    void add(DataFile file, @Nullable OptionalLong day) {
      data.add(file);
      rows += file.recordCount();
      if (day != null && !lastDayUnknown) {
        lastDayUnknown = day.isEmpty();
        lastDay =
            day.isEmpty()
                ? null
                : lastDay == null ? day.getAsLong() : Math.max(lastDay, day.getAsLong());
      }
    }
  }

  /** The data and delete files of a snapshot by partition. */
  private static final class Files {
    final Map<StructLikeWrapper, Partition> data = new HashMap<>();
    final Map<StructLikeWrapper, List<DeleteFile>> deletes = new LinkedHashMap<>();
    boolean otherSpec;

    Partition partition(StructLikeWrapper key) {
      return data.computeIfAbsent(key, k -> new Partition());
    }

    static Files of(Table table, Snapshot snapshot, @Nullable DayClustering days) {
      PartitionSpec spec = table.spec();
      Files files = new Files();
      try {
        for (ManifestFile m : snapshot.deleteManifests(table.io())) {
          files.otherSpec |= m.partitionSpecId() != spec.specId();
          try (ManifestReader<DeleteFile> reader =
              ManifestFiles.readDeleteManifest(m, table.io(), table.specs())) {
            for (DeleteFile entry : reader) {
              // the reader reuses its entries: keep copies
              DeleteFile f = entry.copyWithoutStats();
              files
                  .deletes
                  .computeIfAbsent(key(spec, f.partition()), k -> new ArrayList<>())
                  .add(f);
            }
          }
        }
        for (ManifestFile m : snapshot.dataManifests(table.io())) {
          files.otherSpec |= m.partitionSpecId() != spec.specId();
          try (ManifestReader<DataFile> reader = ManifestFiles.read(m, table.io(), table.specs())) {
            for (DataFile entry : reader) {
              if (files.deletes.containsKey(key(spec, entry.partition()))) {
                // the reader reuses its entries: keep a copy (its stats read first)
                DataFile f = entry.copyWithoutStats();
                files
                    .partition(key(spec, f.partition()))
                    .add(f, days == null ? null : days.lastDay(entry));
              }
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return files;
    }

    private static StructLikeWrapper key(PartitionSpec spec, org.apache.iceberg.StructLike p) {
      return StructLikeWrapper.forType(spec.partitionType()).set(p);
    }
  }
}
