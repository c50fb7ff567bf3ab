package io.psyberg.flink.examples.reliability;

import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.hadoop.HadoopFileIO;
import org.apache.iceberg.io.InputFile;

/**
 * A Hadoop FileIO that holds back every reader opening one of the held data files until the test
 * releases them: the history of a fresh continuous start is then read as late as the test wants,
 * whatever the machine's speed. Readers open data files in the source's fetcher thread, so the task
 * itself stays free to checkpoint while it is held. State is static because the MiniCluster runs
 * jobs in the test's JVM while Iceberg instantiates this class inside the tasks.
 */
public class HeldHistoryFileIO extends HadoopFileIO {
  private static final long serialVersionUID = 1L;

  /** A guard against a test that never releases; never reached when the test works. */
  private static final long GUARD_SECONDS = 300;

  private static volatile Set<String> heldNames = Set.of();
  private static volatile CountDownLatch release = new CountDownLatch(0);
  private static volatile boolean holding;

  /** Holds readers of the data files named {@code fileNames} (last path segments) from now on. */
  static void hold(Set<String> fileNames) {
    release = new CountDownLatch(1);
    holding = false;
    heldNames = Set.copyOf(fileNames);
  }

  /** Lets every held reader go on, and those to come. */
  static void release() {
    heldNames = Set.of();
    release.countDown();
  }

  /** Whether a reader has been held since {@link #hold}. */
  static boolean isHolding() {
    return holding;
  }

  @Override
  public InputFile newInputFile(String path) {
    awaitRelease(path);
    return super.newInputFile(path);
  }

  @Override
  public InputFile newInputFile(String path, long length) {
    awaitRelease(path);
    return super.newInputFile(path, length);
  }

  private static void awaitRelease(String path) {
    if (!heldNames.contains(path.substring(path.lastIndexOf('/') + 1))) {
      return;
    }
    holding = true;
    try {
      if (!release.await(GUARD_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the read of " + path);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while held before reading " + path, e);
    }
  }
}
