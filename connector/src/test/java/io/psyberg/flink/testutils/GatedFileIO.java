package io.psyberg.flink.testutils;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import org.apache.iceberg.hadoop.HadoopFileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.SeekableInputStream;

/**
 * A Hadoop FileIO with one armed gate: the first read of the gated file blocks (the reading thread
 * only) until the test opens the gate, then fails once; later reads go through. Lets a test hold a
 * reader in the middle of a session, take checkpoints there, and fail the job at that point.
 */
public class GatedFileIO extends HadoopFileIO {
  @Nullable private static volatile String gated;
  private static volatile CountDownLatch reached = new CountDownLatch(1);
  private static volatile CountDownLatch open = new CountDownLatch(1);

  /** Arms the gate on {@code path}. */
  public static void arm(String path) {
    reached = new CountDownLatch(1);
    open = new CountDownLatch(1);
    gated = path;
  }

  /** Waits until a reader stands at the gate. */
  public static boolean awaitReached(long seconds) throws InterruptedException {
    return reached.await(seconds, TimeUnit.SECONDS);
  }

  /** Lets the waiting read fail, once. */
  public static void release() {
    open.countDown();
  }

  @Override
  public InputFile newInputFile(String path) {
    return gate(super.newInputFile(path));
  }

  @Override
  public InputFile newInputFile(String path, long length) {
    return gate(super.newInputFile(path, length));
  }

  private static InputFile gate(InputFile file) {
    if (!file.location().equals(gated)) {
      return file;
    }
    return new InputFile() {
      @Override
      public long getLength() {
        return file.getLength();
      }

      @Override
      public SeekableInputStream newStream() {
        if (file.location().equals(gated)) {
          gated = null;
          reached.countDown();
          try {
            // Hang guard only: the test opens the gate once it has what it waits for.
            open.await(180, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          throw new java.io.UncheckedIOException(
              new IOException("injected read failure of " + file.location()));
        }
        return file.newStream();
      }

      @Override
      public String location() {
        return file.location();
      }

      @Override
      public boolean exists() {
        return file.exists();
      }
    };
  }
}
