package io.psyberg.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.metadata.HighWatermarkMirror;
import io.psyberg.flink.metadata.PublishedHighWatermark;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.metadata.SummaryKeys;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.session.SourceRange;
import io.psyberg.flink.sink.audit.Audit;
import io.psyberg.flink.sink.audit.AuditContext;
import io.psyberg.flink.sink.audit.AuditResult;
import io.psyberg.flink.sink.audit.Severity;
import io.psyberg.flink.sink.audit.SourceFilter;
import io.psyberg.flink.sink.commit.PublishHook;
import io.psyberg.flink.source.PsybergSource;
import io.psyberg.flink.testutils.Failures;
import io.psyberg.flink.testutils.Pipelines;
import io.psyberg.flink.testutils.Waits;
import io.psyberg.flink.testutils.Warehouse;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class PsybergSinkITCase {
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

  private PsybergSource source(String process) {
    return PsybergSource.builder()
        .catalog(wh.spec())
        .processName(process)
        .tables(SRC)
        .changeRangeColumn("event_ts")
        .targetTable(DST)
        .build();
  }

  private PsybergSinkBuilder sink(String process) {
    return PsybergSink.builder().catalog(wh.spec()).processName(process).table(DST);
  }

  private List<Session> sessions(String process) {
    return new SessionLog(wh.catalog(), "psyberg").sessions(process);
  }

  @Test
  void publishesExactlyTheNewRowsWithTheHighWatermarkInTheSameSnapshot() throws Exception {
    wh.append(SRC, Warehouse.events("a", 3, DAY1));
    wh.append(SRC, Warehouse.events("b", 2, DAY1));
    long s3 = wh.append(SRC, Warehouse.events("c", 4, DAY1));

    Pipelines.run(
        source("p1"),
        sink("p1")
            .auditNotNull(List.of("account_id", "event_ts"))
            .auditRowCountMatchesSource(null)
            .build(),
        2);

    Table target = wh.load(DST);
    assertThat(Pipelines.ids(target)).hasSize(9).doesNotHaveDuplicates();
    Snapshot published = target.currentSnapshot();
    assertThat(published.summary())
        .containsEntry(SummaryKeys.hwmKey(SRC), Long.toString(s3))
        .containsEntry(SummaryKeys.PROCESS_NAME, "p1");
    assertThat(published.operation()).isEqualTo("append");
    // main and the tag at the process's newest publish: no audit branch left.
    assertThat(target.refs()).containsOnlyKeys("main", PublishedHighWatermark.tagOf("p1"));
    assertThat(target.refs().get(PublishedHighWatermark.tagOf("p1")).snapshotId())
        .isEqualTo(published.snapshotId());
    Session first = sessions("p1").get(0);
    assertThat(first.status()).isEqualTo(SessionStatus.PUBLISHED);
    assertThat(first.publishedSnapshotId()).isEqualTo(published.snapshotId());
    assertThat(first.auditResults())
        .contains("\"name\":\"not-null\",\"passed\":true")
        .contains("row-count");
    assertThat(new HighWatermarkMirror(wh.catalog(), "psyberg").read("p1").get(SRC).snapshotId)
        .isEqualTo(s3);

    // Nothing new: an EMPTY session, nothing published.
    Pipelines.run(source("p1"), sink("p1").build(), 2);
    assertThat(wh.load(DST).currentSnapshot().snapshotId()).isEqualTo(published.snapshotId());
    assertThat(sessions("p1"))
        .extracting(Session::status)
        .containsExactly(SessionStatus.PUBLISHED, SessionStatus.EMPTY);

    // Two more appends, one of late events: exactly those are read and published.
    wh.append(SRC, Warehouse.events("d", 2, DAY1.plusDays(2)));
    long s5 = wh.append(SRC, Warehouse.events("late", 3, DAY1.minusDays(3)));
    Pipelines.run(source("p1"), sink("p1").build(), 2);
    assertThat(Pipelines.ids(wh.load(DST)))
        .hasSize(14)
        .doesNotHaveDuplicates()
        .contains("late-0", "d-1");
    Session third = sessions("p1").get(2);
    assertThat(third.range(SRC).fromSnapshotId()).isEqualTo(s3);
    assertThat(third.range(SRC).toSnapshotId()).isEqualTo(s5);
    assertThat(third.range(SRC).snapshotCount()).isEqualTo(2);
    assertThat(third.range(SRC).recordCount()).isEqualTo(5);
    assertThat(third.range(SRC).changeRange().min()).isEqualTo("2025-12-29T08:00:00.000000");
    assertThat(third.status()).isEqualTo(SessionStatus.PUBLISHED);
  }

  @Test
  void failedAuditPublishesNothingAndKeepsTheStagedSnapshot() throws Exception {
    long s1 = wh.append(SRC, Warehouse.events("a", 3, DAY1));
    Pipelines.run(source("p2"), sink("p2").build(), 1);
    long before = wh.load(DST).currentSnapshot().snapshotId();

    List<Record> bad = Warehouse.events("bad", 2, DAY1);
    bad.add(Warehouse.event("dup", 7, "SIGNUP", null, DAY1));
    wh.append(SRC, bad);
    PsybergSink auditing =
        sink("p2")
            .auditNotNull(List.of("plan"))
            .auditRowBounds(null, 2L)
            .auditUnique(List.of("account_id"))
            .build();

    assertThatThrownBy(() -> Pipelines.run(source("p2"), auditing, 1))
        .satisfies(
            e ->
                assertThat(Failures.messages(e))
                    .contains(
                        "Process p2",
                        "failed its audits",
                        "nothing was published",
                        "not-null",
                        "max-rows",
                        "unique",
                        "observed 3 rows staged",
                        "psyberg-audit-"));

    Table target = wh.load(DST);
    assertThat(target.currentSnapshot().snapshotId()).isEqualTo(before);
    assertThat(Pipelines.ids(target)).hasSize(3);
    assertThat(PublishedHighWatermark.find(target, "p2").get().positions().get(SRC)).isEqualTo(s1);
    Session failed = sessions("p2").get(1);
    assertThat(failed.status()).isEqualTo(SessionStatus.AUDIT_FAILED);
    assertThat(failed.auditResults())
        .contains("\"name\":\"not-null\",\"passed\":false")
        .contains("\"name\":\"max-rows\",\"passed\":false")
        .contains("\"name\":\"unique\",\"passed\":false");
    String branch = "psyberg-audit-" + failed.sessionId();
    assertThat(target.refs()).containsKey(branch);
    assertThat(Pipelines.rows(target).size()).isEqualTo(3);
    Snapshot staged = target.snapshot(target.refs().get(branch).snapshotId());
    assertThat(staged.summary()).containsEntry(SummaryKeys.STAGED_SESSION, failed.sessionId());

    // A warn-severity audit is recorded but does not block.
    Pipelines.run(
        source("p2"),
        sink("p2").auditNotNull(List.of("plan")).severity("not-null", Severity.WARN).build(),
        1);
    assertThat(Pipelines.ids(wh.load(DST))).hasSize(6);
    assertThat(sessions("p2").get(2).auditResults())
        .contains("\"passed\":false")
        .contains("\"severity\":\"warn\"");
  }

  @Test
  void rowCountAuditWithSourceFilter() throws Exception {
    List<Record> rows = new ArrayList<>(Warehouse.events("s", 3, DAY1));
    rows.add(Warehouse.event("c1", 1, "CANCEL", "basic", DAY1.plusHours(1)));
    wh.append(SRC, rows);
    // The job copies every row, but the audit expects only SIGNUP rows: 4 staged vs 3 expected.
    assertThatThrownBy(
            () ->
                Pipelines.run(
                    source("p3"),
                    sink("p3")
                        .auditRowCountMatchesSource(
                            SourceFilter.parse(
                                "event_type = 'SIGNUP'", "audit.row-count.source-filter"))
                        .build(),
                    1))
        .satisfies(
            e ->
                assertThat(Failures.messages(e))
                    .contains(
                        "row-count: observed 4 rows staged, expected 3 (source rows where"
                            + " event_type = 'SIGNUP')"));
  }

  /**
   * Throws once at the chosen step; a static flag survives the hook's serialization into the job.
   */
  static final class FailOnce implements PublishHook {
    static final AtomicBoolean ARMED = new AtomicBoolean();
    private final boolean afterStage;

    FailOnce(boolean afterStage) {
      this.afterStage = afterStage;
    }

    @Override
    public void afterStage(Session session, long staged) {
      if (afterStage && ARMED.compareAndSet(true, false)) {
        throw new IllegalStateException("injected failure after stage");
      }
    }

    @Override
    public void afterPublish(Session session, long published) {
      if (!afterStage && ARMED.compareAndSet(true, false)) {
        throw new IllegalStateException("injected failure after publish");
      }
    }
  }

  /**
   * Reports the session's status in the session log while the audits run, after waiting up to
   * {@code waitMs}.
   */
  static final class WatchStatus implements Audit {
    static final List<SessionStatus> SEEN = new CopyOnWriteArrayList<>();
    private final long waitMs;

    WatchStatus(long waitMs) {
      this.waitMs = waitMs;
    }

    @Override
    public String name() {
      return "watch-status";
    }

    @Override
    public AuditResult run(AuditContext ctx) throws Exception {
      SessionLog log = new SessionLog(ctx.catalog(), "psyberg");
      String id = ctx.session().sessionId();
      if (waitMs > 0) {
        // Not reaching STAGED is no failure here: SEEN shows the status the audit saw instead.
        Waits.holdsWithin(
            Duration.ofMillis(waitMs),
            () -> log.find(id).orElseThrow().status() == SessionStatus.STAGED);
      }
      SessionStatus status = log.find(id).orElseThrow().status();
      SEEN.add(status);
      return AuditResult.of(name(), true, status.name(), "any");
    }
  }

  @Test
  void aSessionShowsStagedWhileLongAuditsRunAndGoesStraightToPublishedAfterQuickOnes()
      throws Exception {
    WatchStatus.SEEN.clear();
    wh.append(SRC, Warehouse.events("a", 3, DAY1));
    Pipelines.run(source("p9"), sink("p9").audit(new WatchStatus(10_000)).build(), 1);
    wh.append(SRC, Warehouse.events("b", 2, DAY1));
    Pipelines.run(source("p9"), sink("p9").audit(new WatchStatus(0)).build(), 1);

    // The slow audit outlived the delay and saw the STAGED row; the quick one saw the session as
    // planned.
    assertThat(WatchStatus.SEEN).containsExactly(SessionStatus.STAGED, SessionStatus.PLANNED);
    assertThat(sessions("p9"))
        .extracting(Session::status)
        .containsExactly(SessionStatus.PUBLISHED, SessionStatus.PUBLISHED);
    assertThat(Pipelines.ids(wh.load(DST))).hasSize(5).doesNotHaveDuplicates();
  }

  @Test
  void failureAfterStageThenRerunPublishesOnce() throws Exception {
    wh.append(SRC, Warehouse.events("a", 4, DAY1));
    FailOnce.ARMED.set(true);
    assertThatThrownBy(
            () ->
                Pipelines.run(source("p4"), sink("p4").publishHook(new FailOnce(true)).build(), 1))
        .satisfies(e -> assertThat(Failures.messages(e)).contains("injected failure after stage"));
    assertThat(wh.load(DST).currentSnapshot()).isNull();

    Pipelines.run(source("p4"), sink("p4").build(), 1);
    assertThat(Pipelines.ids(wh.load(DST))).hasSize(4).doesNotHaveDuplicates();
    assertThat(sessions("p4"))
        .extracting(Session::status)
        .containsExactly(SessionStatus.STAGED, SessionStatus.PUBLISHED);
  }

  @Test
  void failureAfterPublishBeforeMetadataThenRerunFixesMetadataWithoutRepublishing()
      throws Exception {
    long s1 = wh.append(SRC, Warehouse.events("a", 4, DAY1));
    FailOnce.ARMED.set(true);
    assertThatThrownBy(
            () ->
                Pipelines.run(source("p5"), sink("p5").publishHook(new FailOnce(false)).build(), 1))
        .satisfies(
            e -> assertThat(Failures.messages(e)).contains("injected failure after publish"));
    assertThat(Pipelines.ids(wh.load(DST))).hasSize(4);
    assertThat(new HighWatermarkMirror(wh.catalog(), "psyberg").read("p5")).isEmpty();

    long published = wh.load(DST).currentSnapshot().snapshotId();
    Pipelines.run(source("p5"), sink("p5").build(), 1);
    assertThat(Pipelines.ids(wh.load(DST))).hasSize(4).doesNotHaveDuplicates();
    assertThat(wh.load(DST).currentSnapshot().snapshotId()).isEqualTo(published);
    assertThat(new HighWatermarkMirror(wh.catalog(), "psyberg").read("p5").get(SRC).snapshotId)
        .isEqualTo(s1);
  }

  @Test
  void aMirrorLeftBehindAfterTheSessionLogWasUpdatedIsRepairedByTheNextRun() throws Exception {
    long s1 = wh.append(SRC, Warehouse.events("a", 2, DAY1));
    Pipelines.run(source("p9"), sink("p9").build(), 1);
    long s2 = wh.append(SRC, Warehouse.events("b", 2, DAY1));
    Pipelines.run(source("p9"), sink("p9").build(), 1);
    // As if the run had died after recording its session PUBLISHED but before updating the mirror.
    HighWatermarkMirror mirror = new HighWatermarkMirror(wh.catalog(), "psyberg");
    mirror.update(
        "p9", DST, sessions("p9").get(0).sessionId(), List.of(SourceRange.empty(SRC, s1, null)));
    assertThat(sessions("p9").get(1).status()).isEqualTo(SessionStatus.PUBLISHED);

    Pipelines.run(source("p9"), sink("p9").build(), 1);
    assertThat(mirror.read("p9").get(SRC).snapshotId).isEqualTo(s2);
    assertThat(Pipelines.ids(wh.load(DST))).hasSize(4).doesNotHaveDuplicates();
  }

  /** Commits foreign rows to the target right after staging, before the publish. */
  static final class ForeignWriter implements PublishHook {
    static final AtomicBoolean ARMED = new AtomicBoolean();
    private final String warehouse;

    ForeignWriter(String warehouse) {
      this.warehouse = warehouse;
    }

    @Override
    public void afterStage(Session session, long staged) {
      if (ARMED.compareAndSet(true, false)) {
        try (Warehouse other = new Warehouse(Path.of(URI.create(warehouse)))) {
          other.append(DST, Warehouse.events("foreign", 2, DAY1));
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      }
    }
  }

  /** Reads main and the audit branch of the target at the moment between stage and publish. */
  static final class MainReader implements PublishHook {
    static final List<Integer> SEEN = new CopyOnWriteArrayList<>();
    private final String warehouse;

    MainReader(String warehouse) {
      this.warehouse = warehouse;
    }

    @Override
    public void afterStage(Session session, long staged) {
      try (Warehouse other = new Warehouse(Path.of(URI.create(warehouse)))) {
        SEEN.add(Pipelines.ids(other.load(DST)).size());
        List<String> stagedRows = new ArrayList<>();
        try (CloseableIterable<Record> rows =
            IcebergGenerics.read(other.load(DST)).useSnapshot(staged).build()) {
          rows.forEach(r -> stagedRows.add(r.getField("event_id").toString()));
        }
        SEEN.add(stagedRows.size());
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    }
  }

  @Test
  void readersOfMainSeeNothingStagedBeforeThePublish() throws Exception {
    wh.append(SRC, Warehouse.events("a", 4, DAY1));
    MainReader.SEEN.clear();
    Pipelines.run(
        source("p8"), sink("p8").publishHook(new MainReader(wh.spec().warehouse())).build(), 1);
    assertThat(MainReader.SEEN).containsExactly(0, 4);
    assertThat(Pipelines.ids(wh.load(DST))).hasSize(4);
  }

  @Test
  void foreignCommitBetweenStageAndPublishKeepsBothAndTheHighWatermark() throws Exception {
    long s1 = wh.append(SRC, Warehouse.events("a", 3, DAY1));
    ForeignWriter.ARMED.set(true);
    Pipelines.run(
        source("p6"), sink("p6").publishHook(new ForeignWriter(wh.spec().warehouse())).build(), 1);
    Table target = wh.load(DST);
    assertThat(Pipelines.ids(target))
        .containsExactlyInAnyOrder("a-0", "a-1", "a-2", "foreign-0", "foreign-1");
    assertThat(target.currentSnapshot().summary())
        .containsEntry(SummaryKeys.hwmKey(SRC), Long.toString(s1));
    assertThat(sessions("p6").get(0).status()).isEqualTo(SessionStatus.PUBLISHED);
  }

  @Test
  void aSessionWhoseRangeWasPublishedByAnotherRunIsNotPublished() throws Exception {
    wh.append(SRC, Warehouse.events("a", 3, DAY1));
    // Both runs plan from the same (empty) high watermark; the second to publish must lose.
    PsybergSource first = source("p7");
    PsybergSource second = source("p7");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    sink("p7").build().append(env.fromSource(first, WatermarkStrategy.noWatermarks(), "a"));
    StreamExecutionEnvironment env2 = StreamExecutionEnvironment.getExecutionEnvironment();
    env2.setParallelism(1);
    sink("p7").build().append(env2.fromSource(second, WatermarkStrategy.noWatermarks(), "b"));
    JobClient a = env.executeAsync("run-a");
    JobClient b = env2.executeAsync("run-b");
    List<Throwable> failures = new ArrayList<>();
    for (JobClient c : List.of(a, b)) {
      try {
        c.getJobExecutionResult().get();
      } catch (Exception e) {
        failures.add(e);
      }
    }
    // Exactly once whatever the interleaving: rows published once; a loser fails with a clear
    // message.
    assertThat(Pipelines.ids(wh.load(DST))).hasSize(3).doesNotHaveDuplicates();
    long publishes =
        sessions("p7").stream().filter(s -> s.status() == SessionStatus.PUBLISHED).count();
    assertThat(publishes).isEqualTo(1);
    for (Throwable f : failures) {
      assertThat(Failures.messages(f)).contains("Another run published this range first");
    }
  }
}
