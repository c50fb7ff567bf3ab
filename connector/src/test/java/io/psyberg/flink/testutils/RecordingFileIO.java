package io.psyberg.flink.testutils;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.iceberg.hadoop.HadoopFileIO;
import org.apache.iceberg.io.InputFile;

/** A Hadoop FileIO that records every file opened for reading, to prove what planning touches. */
public class RecordingFileIO extends HadoopFileIO {
  public static final List<String> OPENED = new CopyOnWriteArrayList<>();

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
