package io.psyberg.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.metadata.SummaryKeys;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.source.PsybergSource;
import io.psyberg.flink.testutils.Failures;
import io.psyberg.flink.testutils.Jobs;
import io.psyberg.flink.testutils.Pipelines;
import io.psyberg.flink.testutils.Waits;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.restartstrategy.RestartStrategies;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointConfigOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class ContinuousPipelineITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  private static final LocalDateTime DAY1 = LocalDateTime.of(2026, 1, 1, 8, 0);
  private static final String SRC = "membership.events";
  private static final String DST = "facts.events_copy";

  @TempDir Path dir;
  @TempDir Path savepoints;
  private Warehouse wh;

  @BeforeEach
  void setUp() {
    wh = new Warehouse(dir);
    wh.createEventsTable(SRC);
    wh.createEventsTable(DST);
  }

  @AfterEach
  void tearDown() throws Exception {
    wh.close();
  }

  private JobClient start(String process, Configuration conf, boolean failOnce) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    env.enableCheckpointing(300);
    env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 200));
    PsybergSource source =
        PsybergSource.builder()
            .catalog(wh.spec())
            .processName(process)
            .tables(SRC)
            .continuous(Duration.ofMillis(200))
            .targetTable(DST)
            .build();
    DataStream<RowData> rows =
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "src").uid("src");
    if (failOnce) {
      rows =
          rows.map(new FailOnceMap())
              .returns(InternalTypeInfo.of(FlinkSchemaUtil.convert(Warehouse.EVENTS)));
    }
    PsybergSink.builder().catalog(wh.spec()).processName(process).table(DST).build().append(rows);
    return env.executeAsync("continuous " + process);
  }

  /**
   * Fails the task once, on the 7th record it sees, to force a failover from the last checkpoint.
   */
  static final class FailOnceMap implements MapFunction<RowData, RowData> {
    static final AtomicBoolean ARMED = new AtomicBoolean();
    static final AtomicInteger SEEN = new AtomicInteger();

    @Override
    public RowData map(RowData value) {
      if (SEEN.incrementAndGet() == 7 && ARMED.compareAndSet(true, false)) {
        throw new IllegalStateException("injected failover");
      }
      return value;
    }
  }

  private void awaitRows(int n, JobClient job) throws Exception {
    Waits.await(
        "target reaches " + n + " rows",
        Duration.ofSeconds(180),
        () -> {
          if (job.getJobStatus().get().isGloballyTerminalState()) {
            try {
              job.getJobExecutionResult().get();
            } catch (Exception e) {
              throw new AssertionError("job ended: " + Failures.messages(e), e);
            }
          }
          return Pipelines.ids(wh.load(DST)).size() >= n;
        },
        () ->
            Pipelines.ids(wh.load(DST)).size()
                + " rows; job "
                + job.getJobStatus().get()
                + "; sessions "
                + new SessionLog(wh.catalog(), "psyberg").sessions("c1"));
  }

  @Test
  void appendsWhileRunningAreReadAndPublishedExactlyOnceAcrossFailoverSavepointAndFreshStart()
      throws Exception {
    wh.append(SRC, Warehouse.events("a", 5, DAY1));
    FailOnceMap.ARMED.set(true);
    FailOnceMap.SEEN.set(0);
    JobClient job = start("c1", new Configuration(), true);
    awaitRows(5, job);
    wh.append(SRC, Warehouse.events("b", 4, DAY1));
    wh.append(SRC, Warehouse.events("c", 3, DAY1));
    awaitRows(12, job);
    assertThat(FailOnceMap.ARMED.get()).as("the failover happened").isFalse();

    // Stop with a savepoint; data landing meanwhile is read after the restore, not before and not
    // twice.
    String savepoint =
        job.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
            .get(60, TimeUnit.SECONDS);
    long s4 = wh.append(SRC, Warehouse.events("d", 2, DAY1));
    Configuration restore = new Configuration();
    restore.set(SavepointConfigOptions.SAVEPOINT_PATH, savepoint);
    JobClient restored = start("c1", restore, false);
    awaitRows(14, restored);
    Jobs.cancelAndWait(restored);

    // A fresh start without a savepoint resumes from the published high watermark.
    long s5 = wh.append(SRC, Warehouse.events("e", 3, DAY1));
    JobClient fresh = start("c1", new Configuration(), false);
    awaitRows(17, fresh);
    // The publish is complete once its session is recorded PUBLISHED; a duplicate would be on
    // main by then.
    SessionLog log = new SessionLog(wh.catalog(), "psyberg");
    Waits.await(
        "the session up to snapshot " + s5 + " is recorded PUBLISHED",
        Duration.ofSeconds(180),
        () ->
            log.sessions("c1").stream()
                .anyMatch(
                    s ->
                        s.status() == SessionStatus.PUBLISHED
                            && s.range(SRC) != null
                            && Objects.equals(s.range(SRC).toSnapshotId(), s5)),
        () -> "sessions " + log.sessions("c1"));
    Jobs.cancelAndWait(fresh);

    List<String> ids = Pipelines.ids(wh.load(DST));
    assertThat(ids).hasSize(17).doesNotHaveDuplicates();
    List<Session> sessions = new SessionLog(wh.catalog(), "psyberg").sessions("c1");
    assertThat(sessions).filteredOn(s -> s.status() == SessionStatus.PUBLISHED).isNotEmpty();
    assertThat(wh.load(DST).currentSnapshot().summary()).containsKey(SummaryKeys.hwmKey(SRC));
    assertThat(s4).isPositive();
  }
}
