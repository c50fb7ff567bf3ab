package io.psyberg.flink.bench;

import io.psyberg.flink.catalog.CatalogSpec;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.iceberg.hadoop.HadoopFileIO;
import org.apache.iceberg.io.InputFile;

/**
 * Hadoop's FileIO, recording every file opened for reading: set as the catalog's {@code io-impl},
 * it shows which data files a job really reads (the MiniCluster runs in this JVM, so the tasks'
 * copies record here too).
 */
public class CountingFileIO extends HadoopFileIO {
  private static final long serialVersionUID = 1L;
  private static final Set<String> OPENED = ConcurrentHashMap.newKeySet();

  /** The embedded (hadoop) catalog over {@code warehouse}, reading through this FileIO. */
  static CatalogSpec hadoopCatalog(Path warehouse, String context) {
    return CatalogSpec.fromOptions(
        Map.of(
            "catalog-type",
            "hadoop",
            "warehouse",
            warehouse.toString(),
            "catalog.io-impl",
            CountingFileIO.class.getName()),
        Map.of(),
        context);
  }

  /** Forgets the files opened so far: what a measured read opens is recorded from here. */
  static void reset() {
    OPENED.clear();
  }

  /** The files opened since the last {@link #reset()}. */
  static Set<String> opened() {
    return new HashSet<>(OPENED);
  }

  @Override
  public InputFile newInputFile(String path) {
    OPENED.add(path);
    return super.newInputFile(path);
  }

  @Override
  public InputFile newInputFile(String path, long length) {
    OPENED.add(path);
    return super.newInputFile(path, length);
  }
}
