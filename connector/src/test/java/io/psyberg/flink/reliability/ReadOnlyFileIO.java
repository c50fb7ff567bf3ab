package io.psyberg.flink.reliability;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.iceberg.exceptions.RuntimeIOException;
import org.apache.iceberg.hadoop.HadoopFileIO;
import org.apache.iceberg.io.OutputFile;

/**
 * A Hadoop FileIO that refuses to create files while {@link #READ_ONLY} is set, as a read-only
 * mount or a bucket without write permission does; tests run as root, where chmod stops nothing.
 */
public class ReadOnlyFileIO extends HadoopFileIO {
  public static final AtomicBoolean READ_ONLY = new AtomicBoolean();

  @Override
  public OutputFile newOutputFile(String path) {
    if (READ_ONLY.get()) {
      throw new RuntimeIOException(
          "Permission denied: storage is read-only, cannot create %s", path);
    }
    return super.newOutputFile(path);
  }

  @Override
  public void deleteFile(String path) {
    if (READ_ONLY.get()) {
      throw new RuntimeIOException(
          "Permission denied: storage is read-only, cannot delete %s", path);
    }
    super.deleteFile(path);
  }
}
