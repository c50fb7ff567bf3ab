package io.psyberg.flink.planning;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.GenericManifestFile;
import org.apache.iceberg.GenericPartitionFieldSummary;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.ManifestContent;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.avro.Avro;
import org.apache.iceberg.exceptions.RuntimeIOException;
import org.apache.iceberg.io.CloseableIterable;

/**
 * The data files one snapshot added, with their column metrics, read from metadata only.
 *
 * <p>Why not {@link Snapshot#addedDataFiles}: it reads the snapshot's whole manifest list, which
 * with fast appends names every manifest of the table's history, so planning N new snapshots costs
 * N times the history. Instead, the manifest list of the range's last snapshot is read once: it
 * still names the manifests each new snapshot wrote, unless a later commit merged or rewrote them.
 * A snapshot whose manifests are all found there (their added-file counts add up to its summary's)
 * is read from them directly; for any other, its own manifest list is read, stopping as soon as its
 * new manifests (which come first in the list) are found. Either way the cost follows the new
 * snapshots, not the history.
 */
final class AddedFiles {
  private AddedFiles() {}

  /**
   * The data manifests named by {@code end}'s manifest list that were written by one of {@code
   * snapshotIds}, by writing snapshot. Empty for format v1 tables, whose added files are read per
   * snapshot.
   */
  static Map<Long, List<ManifestFile>> manifestsWrittenBy(
      Table table, Snapshot end, Set<Long> snapshotIds) {
    Map<Long, List<ManifestFile>> out = new HashMap<>();
    if (formatVersion(table) < 2 || end.manifestListLocation() == null) {
      return out;
    }
    try (CloseableIterable<ManifestFile> manifests = readManifestList(table, end)) {
      for (ManifestFile manifest : manifests) {
        Long writer = manifest.snapshotId();
        if (manifest.content() == ManifestContent.DATA
            && writer != null
            && snapshotIds.contains(writer)) {
          out.computeIfAbsent(writer, k -> new ArrayList<>()).add(manifest.copy());
        }
      }
    } catch (IOException e) {
      throw new RuntimeIOException(e, "Cannot read manifest list of snapshot %s", end.snapshotId());
    }
    return out;
  }

  /**
   * The files {@code snapshot} added. {@code written}: its manifests as found in a later manifest
   * list ({@link #manifestsWrittenBy}), used when they account for every file the snapshot added.
   */
  static List<DataFile> of(Table table, Snapshot snapshot, @Nullable List<ManifestFile> written) {
    if (formatVersion(table) < 2) {
      // v1 manifests carry no file sequence numbers to tell added from merged entries.
      List<DataFile> v1 = new ArrayList<>();
      snapshot.addedDataFiles(table.io()).forEach(v1::add);
      return v1;
    }
    String added =
        snapshot.summary() == null
            ? null
            : snapshot.summary().get(SnapshotSummary.ADDED_FILES_PROP);
    long expected = added == null ? Long.MAX_VALUE : Long.parseLong(added);
    List<DataFile> files = new ArrayList<>();
    if (expected == 0) {
      return files;
    }
    if (written != null && addedCount(written) == expected) {
      try {
        for (ManifestFile manifest : written) {
          readAdded(table, snapshot, manifest, files);
        }
      } catch (IOException e) {
        throw new RuntimeIOException(
            e, "Cannot read the manifests of snapshot %s", snapshot.snapshotId());
      }
      return files;
    }
    long found = 0;
    try (CloseableIterable<ManifestFile> manifests = readManifestList(table, snapshot)) {
      for (ManifestFile manifest : manifests) {
        if (manifest.content() != ManifestContent.DATA
            || !Objects.equals(manifest.snapshotId(), snapshot.snapshotId())) {
          continue;
        }
        readAdded(table, snapshot, manifest, files);
        found += manifest.addedFilesCount() == null ? 0 : manifest.addedFilesCount();
        if (found >= expected) {
          break;
        }
      }
    } catch (IOException e) {
      throw new RuntimeIOException(
          e, "Cannot read manifest list of snapshot %s", snapshot.snapshotId());
    }
    return files;
  }

  /** Sum of the manifests' added-file counts; -1 when a manifest does not record it. */
  private static long addedCount(List<ManifestFile> manifests) {
    long sum = 0;
    for (ManifestFile m : manifests) {
      if (m.addedFilesCount() == null) {
        return -1;
      }
      sum += m.addedFilesCount();
    }
    return sum;
  }

  private static void readAdded(
      Table table, Snapshot snapshot, ManifestFile manifest, List<DataFile> out)
      throws IOException {
    try (ManifestReader<DataFile> reader =
        ManifestFiles.read(manifest, table.io(), table.specs())) {
      for (DataFile file : reader) {
        // A manifest written by this snapshot may also carry files merged in from older manifests.
        if (Objects.equals(file.fileSequenceNumber(), snapshot.sequenceNumber())) {
          out.add(file.copy());
        }
      }
    }
  }

  private static CloseableIterable<ManifestFile> readManifestList(Table table, Snapshot snapshot) {
    return Avro.read(table.io().newInputFile(snapshot.manifestListLocation()))
        .rename("manifest_file", GenericManifestFile.class.getName())
        .rename("partitions", GenericPartitionFieldSummary.class.getName())
        .rename("r508", GenericPartitionFieldSummary.class.getName())
        .classLoader(GenericManifestFile.class.getClassLoader())
        .project(ManifestFile.schema())
        .reuseContainers(false)
        .build();
  }

  static int formatVersion(Table table) {
    if (table instanceof HasTableOperations) {
      TableOperations ops = ((HasTableOperations) table).operations();
      return ops.current().formatVersion();
    }
    return 1;
  }
}
