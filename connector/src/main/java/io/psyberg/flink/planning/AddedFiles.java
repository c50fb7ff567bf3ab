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

  /** The data manifests {@code end}'s manifest list names; empty for format v1 tables. */
  static List<ManifestFile> dataManifests(Table table, Snapshot end) {
    List<ManifestFile> out = new ArrayList<>();
    if (formatVersion(table) < 2 || end.manifestListLocation() == null) {
      return out;
    }
    try (CloseableIterable<ManifestFile> manifests = readManifestList(table, end)) {
      for (ManifestFile manifest : manifests) {
        if (manifest.content() == ManifestContent.DATA) {
          out.add(manifest.copy());
        }
      }
    } catch (IOException e) {
      throw new RuntimeIOException(e, "Cannot read manifest list of snapshot %s", end.snapshotId());
    }
    return out;
  }

  /** Those of {@code manifests} written by one of {@code snapshotIds}, by writing snapshot. */
  static Map<Long, List<ManifestFile>> writtenBy(
      List<ManifestFile> manifests, Set<Long> snapshotIds) {
    Map<Long, List<ManifestFile>> out = new HashMap<>();
    for (ManifestFile manifest : manifests) {
      Long writer = manifest.snapshotId();
      if (writer != null && snapshotIds.contains(writer)) {
        out.computeIfAbsent(writer, k -> new ArrayList<>()).add(manifest);
      }
    }
    return out;
  }

  /**
   * The files of those {@code snapshots} whose own manifests a later commit merged (merging
   * appends, as Flink's and Spark's writers commit, fold the small manifests into one every so
   * often), found in the range end's manifests by their file sequence number, which a merge keeps.
   * Reading the few merged manifests once replaces reading, per snapshot, its manifest list and the
   * merged manifest it names (a range of N snapshots otherwise reads N manifests that each hold up
   * to the whole history). Only snapshots all of whose added files are found are returned (a later
   * commit may have removed some); the others are read from their own manifest lists.
   */
  static Map<Long, List<DataFile>> foundInMergedManifests(
      Table table,
      List<ManifestFile> endManifests,
      List<Snapshot> snapshots,
      Map<Long, List<ManifestFile>> written) {
    Map<Long, Snapshot> bySequence = new HashMap<>();
    for (Snapshot s : snapshots) {
      long expected = expectedAdded(s);
      List<ManifestFile> own = written.get(s.snapshotId());
      if (expected > 0 && (own == null || addedCount(own) != expected)) {
        bySequence.put(s.sequenceNumber(), s);
      }
    }
    if (bySequence.size() < 2 || formatVersion(table) < 2) {
      return Map.of();
    }
    long minSequence = bySequence.keySet().stream().mapToLong(Long::longValue).min().getAsLong();
    long maxSequence = bySequence.keySet().stream().mapToLong(Long::longValue).max().getAsLong();
    Map<Long, List<DataFile>> found = new HashMap<>();
    try {
      for (ManifestFile manifest : endManifests) {
        // Written before the first of them, or holding only files committed after the last.
        if (manifest.sequenceNumber() < minSequence || manifest.minSequenceNumber() > maxSequence) {
          continue;
        }
        try (ManifestReader<DataFile> reader =
            ManifestFiles.read(manifest, table.io(), table.specs())) {
          for (DataFile file : reader) {
            Snapshot adder = bySequence.get(file.fileSequenceNumber());
            if (adder != null) {
              found.computeIfAbsent(adder.snapshotId(), k -> new ArrayList<>()).add(file.copy());
            }
          }
        }
      }
    } catch (IOException e) {
      throw new RuntimeIOException(e, "Cannot read the manifests of table %s", table.name());
    }
    Map<Long, Long> expectedById = new HashMap<>();
    bySequence.values().forEach(sn -> expectedById.put(sn.snapshotId(), expectedAdded(sn)));
    found.entrySet().removeIf(e -> e.getValue().size() != expectedById.get(e.getKey()));
    return found;
  }

  /** Data files the snapshot's summary says it added; unknown counts as more than any. */
  private static long expectedAdded(Snapshot snapshot) {
    String added =
        snapshot.summary() == null
            ? null
            : snapshot.summary().get(SnapshotSummary.ADDED_FILES_PROP);
    return added == null ? Long.MAX_VALUE : Long.parseLong(added);
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
    long expected = expectedAdded(snapshot);
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
