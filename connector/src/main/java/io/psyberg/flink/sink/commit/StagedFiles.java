package io.psyberg.flink.sink.commit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.annotation.Internal;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.Table;

/** The data and delete files of some committables, read back from their manifests. */
@Internal
public final class StagedFiles {
  final List<DataFile> dataFiles = new ArrayList<>();
  final List<DeleteFile> deleteFiles = new ArrayList<>();
  long writtenRows;

  /**
   * The same files per checkpoint, in checkpoint order. An upsert session spanning checkpoints is
   * staged as one commit per checkpoint: an equality delete applies only to data files of a lower
   * sequence number, so a key updated in a later checkpoint must not share a commit with its
   * earlier version.
   */
  final List<StagedFiles> checkpoints = new ArrayList<>();

  public static StagedFiles of(Table table, Collection<PsybergCommittable> committables) {
    Map<Long, List<PsybergCommittable>> byCheckpoint = new TreeMap<>();
    for (PsybergCommittable c : committables) {
      byCheckpoint.computeIfAbsent(c.checkpointId(), k -> new ArrayList<>()).add(c);
    }
    StagedFiles all = new StagedFiles();
    for (List<PsybergCommittable> group : byCheckpoint.values()) {
      StagedFiles part = read(table, group);
      all.writtenRows += part.writtenRows;
      all.dataFiles.addAll(part.dataFiles);
      all.deleteFiles.addAll(part.deleteFiles);
      all.checkpoints.add(part);
    }
    return all;
  }

  private static StagedFiles read(Table table, Collection<PsybergCommittable> committables) {
    StagedFiles files = new StagedFiles();
    try {
      for (PsybergCommittable c : committables) {
        files.writtenRows += c.rowCount();
        if (c.dataManifest() != null) {
          ManifestFile manifest = ManifestFiles.decode(c.dataManifest());
          try (ManifestReader<DataFile> reader =
              ManifestFiles.read(manifest, table.io(), table.specs())) {
            reader.forEach(f -> files.dataFiles.add(f.copy()));
          }
        }
        if (c.deleteManifest() != null) {
          ManifestFile manifest = ManifestFiles.decode(c.deleteManifest());
          try (ManifestReader<DeleteFile> reader =
              ManifestFiles.readDeleteManifest(manifest, table.io(), table.specs())) {
            reader.forEach(f -> files.deleteFiles.add(f.copy()));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Could not read the manifests written for "
              + table.name()
              + "; they may have been deleted: "
              + e.getMessage(),
          e);
    }
    return files;
  }

  public List<DataFile> dataFiles() {
    return dataFiles;
  }

  public List<DeleteFile> deleteFiles() {
    return deleteFiles;
  }

  boolean isEmpty() {
    return dataFiles.isEmpty() && deleteFiles.isEmpty();
  }
}
