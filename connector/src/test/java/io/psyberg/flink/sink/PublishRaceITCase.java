package io.psyberg.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.source.PsybergSource;
import io.psyberg.flink.testutils.Failures;
import io.psyberg.flink.testutils.Pipelines;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.hadoop.HadoopFileIO;
import org.apache.iceberg.io.OutputFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Two runs of one process race; the loser's staging commit happens after the winner published. */
class PublishRaceITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  private static final String SRC = "membership.events";
  private static final String DST = "facts.events_copy";

  @TempDir Path dir;
  private Warehouse wh;

  @BeforeEach
  void setUp() {
    wh = new Warehouse(dir);
    wh.createEventsTable(SRC);
    wh.createEventsTable(DST);
  }

  @AfterEach
  void tearDown() throws Exception {
    HoldStaging.ARMED.set(false);
    HoldStaging.release.countDown();
    wh.close();
  }

  /**
   * Holds the first write of a staging commit until released: the moment after the high watermark
   * check.
   */
  public static final class HoldStaging extends HadoopFileIO {
    static final AtomicBoolean ARMED = new AtomicBoolean();
    static volatile CountDownLatch held = new CountDownLatch(1);
    static volatile CountDownLatch release = new CountDownLatch(1);

    @Override
    public OutputFile newOutputFile(String path) {
      boolean staging =
          StackWalker.getInstance()
              .walk(
                  frames ->
                      frames.anyMatch(
                          f ->
                              f.getClassName().endsWith("SessionStager")
                                  && f.getMethodName().equals("stage")));
      if (staging && ARMED.compareAndSet(true, false)) {
        held.countDown();
        try {
          release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return super.newOutputFile(path);
    }
  }

  private static JobClient start(CatalogSpec spec, String name) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    PsybergSource source =
        PsybergSource.builder()
            .catalog(spec)
            .processName("race")
            .tables(SRC)
            .targetTable(DST)
            .build();
    PsybergSink.builder()
        .catalog(spec)
        .processName("race")
        .table(DST)
        .build()
        .append(env.fromSource(source, WatermarkStrategy.noWatermarks(), "src"));
    return env.executeAsync(name);
  }

  @Test
  void aRunThatStagesAfterAnotherPublishedTheSameRangePublishesNothing() throws Exception {
    wh.append(SRC, Warehouse.events("a", 3, LocalDateTime.of(2026, 1, 1, 8, 0)));
    HoldStaging.held = new CountDownLatch(1);
    HoldStaging.release = new CountDownLatch(1);
    HoldStaging.ARMED.set(true);
    CatalogSpec held =
        CatalogSpec.fromOptions(
            Map.of(
                "warehouse", wh.spec().warehouse(), "catalog.io-impl", HoldStaging.class.getName()),
            Map.<String, String>of(),
            "test");
    JobClient loser = start(held, "checked first, stages last");
    assertThat(HoldStaging.held.await(60, TimeUnit.SECONDS))
        .as("the first run reached its staging commit")
        .isTrue();

    start(wh.spec(), "publishes meanwhile").getJobExecutionResult().get(60, TimeUnit.SECONDS);
    assertThat(Pipelines.ids(wh.load(DST))).hasSize(3);
    HoldStaging.release.countDown();

    Throwable failure = null;
    try {
      loser.getJobExecutionResult().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      failure = e;
    }
    assertThat(Pipelines.ids(wh.load(DST))).hasSize(3).doesNotHaveDuplicates();
    assertThat(new SessionLog(wh.catalog(), "psyberg").sessions("race"))
        .filteredOn(s -> s.status() == SessionStatus.PUBLISHED)
        .extracting(Session::sessionId)
        .hasSize(1);
    assertThat(failure).as("the run that staged last fails").isNotNull();
    assertThat(Failures.messages(failure)).contains("Another run published this range first");
  }
}
