package io.psyberg.flink.examples.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.examples.sessions.SessionWatcher;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.testutils.Warehouse;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.DiscardingSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping a continuous command (Ctrl-C, an interrupt of its thread) returns only once the
 * cancelled job has ended, so nothing of the job writes after the command returned. The job's end
 * is held on an event (an operator whose close waits to be released), not by timing.
 */
class ContinuousRunStopITCase {
  private static volatile CountDownLatch opened = new CountDownLatch(1);
  private static volatile CountDownLatch closing = new CountDownLatch(1);
  private static volatile CountDownLatch released = new CountDownLatch(1);
  private static volatile CountDownLatch closed = new CountDownLatch(1);

  @TempDir Path dir;

  @AfterEach
  void release() {
    released.countDown();
  }

  @Test
  void aStoppedRunReturnsOnlyAfterTheCancelledJobHasEnded() throws Exception {
    opened = new CountDownLatch(1);
    closing = new CountDownLatch(1);
    released = new CountDownLatch(1);
    closed = new CountDownLatch(1);
    Configuration conf = new Configuration();
    conf.set(RestOptions.BIND_PORT, "0");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
    env.fromSource(
            new NumberSequenceSource(0, Long.MAX_VALUE), WatermarkStrategy.noWatermarks(), "n")
        .map(new HeldOnClose())
        .addSink(new DiscardingSink<>());
    JobClient client = env.executeAsync("held on close");
    await(opened);

    try (Warehouse wh = new Warehouse(dir)) {
      SessionWatcher watcher =
          new SessionWatcher(new SessionLog(wh.catalog(), "psyberg"), "p", client.getJobID());
      PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
      AtomicInteger exit = new AtomicInteger(-1);
      Thread command =
          new Thread(
              () -> {
                try {
                  exit.set(
                      new ContinuousRun(client, watcher, "the test job", out, out)
                          .await(Duration.ofMillis(50)));
                } catch (Exception e) {
                  exit.set(99);
                }
              });
      command.start();
      command.interrupt(); // Ctrl-C
      await(closing); // the job is cancelled and its operator closing, held
      command.join(500);
      assertThat(command.isAlive()).as("the command returned before the job ended").isTrue();

      released.countDown();
      command.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(command.isAlive()).isFalse();
      assertThat(exit.get()).isZero();
      // the job's last task had closed when the command returned
      assertThat(closed.getCount()).isZero();
    }
  }

  private static void await(CountDownLatch latch) throws InterruptedException {
    assertThat(latch.await(60, TimeUnit.SECONDS)).as("waited 60 s for the job").isTrue();
  }

  /** Passes numbers on; its close, on the cancel, waits until the test releases it. */
  private static final class HeldOnClose extends RichMapFunction<Long, Long> {
    private static final long serialVersionUID = 1L;

    @Override
    public void open(Configuration parameters) {
      opened.countDown();
    }

    @Override
    public Long map(Long value) {
      return value;
    }

    @Override
    public void close() {
      closing.countDown();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      boolean interrupted = false;
      while (released.getCount() > 0 && System.nanoTime() < deadline) {
        try {
          released.await(100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException cancel) {
          interrupted = true; // the cancel interrupts the task; it still waits to be released
        }
      }
      closed.countDown();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
