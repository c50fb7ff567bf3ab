package io.psyberg.flink.sink.commit;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Processing;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.session.SourceRange;
import io.psyberg.flink.sink.WriteMode;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.hadoop.HadoopFileIO;
import org.apache.iceberg.io.OutputFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing a publisher (as a cancelled task does) while its delayed STAGED row is being written: the
 * close returns only once the row has landed, so nothing of the job writes the session log after
 * its task ended. The row's write is held on an event (the file it writes), not by timing.
 */
class PublisherCloseTest {
  @TempDir Path dir;
  private Warehouse wh;

  @AfterEach
  void tearDown() throws Exception {
    HeldSessionLogWrites.release();
    if (wh != null) {
      wh.close();
    }
  }

  @Test
  void closeWaitsForAStagedRowBeingWrittenEvenWhenInterrupted() throws Exception {
    wh =
        new Warehouse(
            CatalogSpec.fromOptions(
                Map.of(
                    "catalog-type", "hadoop",
                    "warehouse", dir.toString(),
                    "catalog.io-impl", HeldSessionLogWrites.class.getName()),
                Map.of(),
                "test"));
    wh.createEventsTable("facts.t");
    assertThat(wh.load("facts.t").io()).isInstanceOf(HeldSessionLogWrites.class);
    Session planned =
        Session.builder()
            .sessionId("s-close")
            .processName("p")
            .mode("bounded")
            .processing(Processing.STATELESS)
            .jobId("job")
            .ranges(List.of(new SourceRange("raw.events", null, 7L, 1, 0, 1, 3, null, null, null)))
            .status(SessionStatus.PLANNED)
            .startedAt(Instant.now())
            .build();
    SessionLog log = new SessionLog(wh.catalog(), "psyberg");
    log.record(planned); // the log exists before the publish, as a source's planning makes it

    CountDownLatch looked = new CountDownLatch(1);
    SessionPublisher publisher =
        new SessionPublisher(
            wh.catalog(),
            "psyberg",
            TableIdentifier.parse("facts.t"),
            "p",
            WriteMode.APPEND,
            List.of(),
            null,
            new PublishHook() {
              @Override
              public void afterStage(Session session, long stagedSnapshotId) {
                // the publish outlasts the STAGED row's delay: the timer starts writing the row
                HeldSessionLogWrites.awaitHeld();
              }

              @Override
              public void afterPublish(Session session, long publishedSnapshotId) {
                // the PUBLISHED row waits until the test has looked at the log
                await(looked);
              }
            });
    HeldSessionLogWrites.holdNext();
    AtomicReference<Throwable> publishFailed = new AtomicReference<>();
    Thread publishing =
        new Thread(
            () -> {
              try {
                publisher.publish(planned, List.of(), "job", 1);
              } catch (Throwable t) {
                publishFailed.set(t);
              }
            });
    publishing.start();
    HeldSessionLogWrites.awaitHeld(); // the STAGED row's first file is being written, and held

    Thread closing = new Thread(publisher::close);
    closing.start();
    closing.interrupt(); // a cancelled task's thread is interrupted
    closing.join(500);
    assertThat(closing.isAlive()).as("close() returned while the STAGED row was written").isTrue();

    HeldSessionLogWrites.release();
    closing.join(TimeUnit.SECONDS.toMillis(60));
    assertThat(closing.isAlive()).isFalse();
    // the row had landed when close() returned
    assertThat(statuses()).containsExactly(SessionStatus.STAGED);
    looked.countDown();
    publishing.join(TimeUnit.SECONDS.toMillis(60));
    assertThat(publishFailed.get()).isNull();
    assertThat(statuses()).containsExactly(SessionStatus.PUBLISHED);
  }

  private List<SessionStatus> statuses() {
    return new SessionLog(wh.catalog(), "psyberg")
        .sessions("p").stream().map(Session::status).toList();
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(60, TimeUnit.SECONDS)) {
        throw new AssertionError("waited 60 s for an event of the test");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * The warehouse's file IO, which holds the next write of a session-log file until released: the
   * event a test waits on instead of a sleep.
   */
  public static final class HeldSessionLogWrites extends HadoopFileIO {
    private static final long serialVersionUID = 1L;
    private static volatile boolean armed;
    private static volatile CountDownLatch held = new CountDownLatch(1);
    private static volatile CountDownLatch released = new CountDownLatch(1);

    public HeldSessionLogWrites() {}

    static void holdNext() {
      held = new CountDownLatch(1);
      released = new CountDownLatch(1);
      armed = true;
    }

    static void awaitHeld() {
      await(held);
    }

    static void release() {
      armed = false;
      released.countDown();
    }

    @Override
    public OutputFile newOutputFile(String path) {
      if (armed && path.contains("/psyberg/sessions/")) {
        synchronized (HeldSessionLogWrites.class) {
          if (armed) {
            armed = false;
            held.countDown();
            try {
              released.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        }
      }
      return super.newOutputFile(path);
    }
  }
}
