package io.psyberg.flink.sink.commit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.Table;

/** The data and delete files of some committables, read back from their manifests. */
final class StagedFiles {
  final List<DataFile> dataFiles = new ArrayList<>();
  final List<DeleteFile> deleteFiles = new ArrayList<>();
  long writtenRows;

  static StagedFiles of(Table table, Collection<PsybergCommittable> committables) {
    StagedFiles files = new StagedFiles();
    try {
      for (PsybergCommittable c : committables) {
        files.writtenRows += c.rowCount();
        if (c.dataManifest() != null) {
          ManifestFile manifest = ManifestFiles.decode(c.dataManifest());
          try (ManifestReader<DataFile> reader = ManifestFiles.read(manifest, table.io(), table.specs())) {
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
          "Could not read the manifests written for " + table.name() + "; they may have been deleted: " + e.getMessage(), e);
    }
    return files;
  }

  boolean isEmpty() {
    return dataFiles.isEmpty() && deleteFiles.isEmpty();
  }
}
