package io.psyberg.flink.bench;

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
  static final Set<String> OPENED = ConcurrentHashMap.newKeySet();

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
