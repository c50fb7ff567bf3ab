package io.psyberg.flink.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.metadata.PublishedHighWatermark;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.metadata.SnapshotPoint;
import io.psyberg.flink.metadata.SummaryKeys;
import io.psyberg.flink.planning.OnLostHighWatermark;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.sink.PsybergSink;
import io.psyberg.flink.sink.WriteMode;
import io.psyberg.flink.source.PsybergSource;
import io.psyberg.flink.source.PsybergSourceBuilder;
import io.psyberg.flink.testutils.Failures;
import io.psyberg.flink.testutils.Jobs;
import io.psyberg.flink.testutils.Maintenance;
import io.psyberg.flink.testutils.Pipelines;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.restartstrategy.RestartStrategies;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.CommonTestUtils;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sources and targets under routine maintenance (Iceberg's own snapshot expiry, compaction and
 * manifest rewrites) between and during sessions, bounded and continuous: every run ends exact (no
 * row lost, none doubled) or, where the history cannot tell, with the clear error and nothing
 * published.
 */
class MaintenanceITCase {
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
  private static final String KEYED = "facts.events_by_id";

  @TempDir Path dir;
  private Warehouse wh;

  @BeforeEach
  void setUp() {
    wh = new Warehouse(dir);
    wh.createEventsTable(SRC);
    wh.createEventsTable(DST);
    wh.createTable(KEYED, new Schema(Warehouse.EVENTS.columns(), Set.of(1)));
  }

  @AfterEach
  void tearDown() throws Exception {
    wh.close();
  }

  private PsybergSourceBuilder source(String process, String target) {
    return PsybergSource.builder()
        .catalog(wh.spec())
        .processName(process)
        .tables(SRC)
        .targetTable(target);
  }

  private PsybergSink appendSink(String process) {
    return PsybergSink.builder()
        .catalog(wh.spec())
        .processName(process)
        .table(DST)
        .auditRowCountMatchesSource(null)
        .build();
  }

  private PsybergSink upsertSink(String process) {
    return PsybergSink.builder()
        .catalog(wh.spec())
        .processName(process)
        .table(KEYED)
        .writeMode(WriteMode.UPSERT)
        .upsertKey(List.of("event_id"))
        .build();
  }

  /** A run in a fresh process: nothing remembered from earlier runs in this JVM. */
  private void runBounded(PsybergSourceBuilder source, PsybergSink sink) throws Exception {
    SnapshotPoint.forgetAll();
    Pipelines.run(source.build(), sink, 2);
  }

  private static List<String> ids(String prefix, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(prefix + "-" + i);
    }
    return out;
  }

  private List<Session> sessions(String process) {
    return new SessionLog(wh.catalog(), "psyberg").sessions(process);
  }

  @Test
  void boundedRunsStayExactThroughSourceExpiryAndTargetCompactionAndExpiry() throws Exception {
    wh.append(SRC, Warehouse.events("a", 3, DAY1));
    wh.append(SRC, Warehouse.events("b", 2, DAY1));
    runBounded(source("m1", DST), appendSink("m1"));

    // Several batches land, then the source keeps only its newest snapshot: the HWM snapshot and
    // every unread one are expired, their files are still live.
    wh.append(SRC, Warehouse.events("c", 4, DAY1));
    wh.append(SRC, Warehouse.events("d", 1, DAY1));
    Maintenance.rewriteManifests(wh.load(SRC));
    long head = wh.append(SRC, Warehouse.events("e", 2, DAY1));
    Maintenance.retainLast(wh.load(SRC), 1);
    runBounded(source("m1", DST), appendSink("m1"));
    List<String> expected = new ArrayList<>();
    for (String p : List.of("a:3", "b:2", "c:4", "d:1", "e:2")) {
      expected.addAll(ids(p.split(":")[0], Integer.parseInt(p.split(":")[1])));
    }
    assertThat(Pipelines.ids(wh.load(DST))).containsExactlyInAnyOrderElementsOf(expected);
    Table target = wh.load(DST);
    assertThat(target.currentSnapshot().summary())
        .containsEntry(SummaryKeys.hwmKey(SRC), Long.toString(head))
        .containsKey(SummaryKeys.hwmPointKey(SRC));
    long published = target.currentSnapshot().snapshotId();
    String lastSession = sessions("m1").get(1).sessionId();

    // The target is maintained too: another writer's commit, a compaction, and expiry down to one
    // snapshot leave none of the process's publishes on main's lineage.
    target.newAppend().commit();
    Maintenance.compactAll(wh, wh.load(DST));
    Maintenance.rewriteManifests(wh.load(DST));
    Maintenance.retainLast(wh.load(DST), 1);
    target = wh.load(DST);
    assertThat(target.currentSnapshot().summary()).doesNotContainKey(SummaryKeys.PROCESS_NAME);
    // The process's tag keeps its newest publish: its HWM and sessions are still recognised.
    assertThat(PublishedHighWatermark.find(target, "m1").orElseThrow().targetSnapshotId())
        .isEqualTo(published);
    assertThat(PublishedHighWatermark.isPublished(target, "m1", lastSession)).isTrue();

    // Expiry again on the source, of the new HWM snapshot too, then more data.
    wh.append(SRC, Warehouse.events("f", 3, DAY1));
    wh.append(SRC, Warehouse.events("g", 1, DAY1));
    Maintenance.retainLast(wh.load(SRC), 1);
    runBounded(source("m1", DST), appendSink("m1"));
    expected.addAll(ids("f", 3));
    expected.addAll(ids("g", 1));
    assertThat(Pipelines.ids(wh.load(DST))).containsExactlyInAnyOrderElementsOf(expected);

    // Nothing new: an empty session, nothing published.
    long before = wh.load(DST).currentSnapshot().snapshotId();
    runBounded(source("m1", DST), appendSink("m1"));
    assertThat(wh.load(DST).currentSnapshot().snapshotId()).isEqualTo(before);
    assertThat(sessions("m1"))
        .extracting(Session::status)
        .containsExactly(
            SessionStatus.PUBLISHED,
            SessionStatus.PUBLISHED,
            SessionStatus.PUBLISHED,
            SessionStatus.EMPTY);
  }

  @Test
  void compactionMixingProcessedAndUnreadRowsThenExpiredFailsThenReprocessByKeyIsExact()
      throws Exception {
    wh.append(SRC, Warehouse.events("a", 3, DAY1));
    wh.append(SRC, Warehouse.events("b", 2, DAY1));
    runBounded(source("k1", KEYED), upsertSink("k1"));
    runBounded(source("a1", DST), appendSink("a1"));

    wh.append(SRC, Warehouse.events("c", 2, DAY1));
    Maintenance.compactAll(wh, wh.load(SRC)); // processed and unread rows in one file
    wh.append(SRC, Warehouse.events("d", 1, DAY1));
    Maintenance.retainLast(wh.load(SRC), 1);

    long keyedBefore = wh.load(KEYED).currentSnapshot().snapshotId();
    assertThatThrownBy(() -> runBounded(source("k1", KEYED), upsertSink("k1")))
        .satisfies(
            e ->
                assertThat(Failures.messages(e))
                    .contains("Process k1")
                    .contains(SRC)
                    .contains("compacted")
                    .contains("rewritten")
                    .contains("Nothing was read or published")
                    .contains("'on-lost-hwm' = 'reprocess-by-key'"));
    assertThat(wh.load(KEYED).currentSnapshot().snapshotId()).isEqualTo(keyedBefore);

    // The explicit way out for a keyed target: every live row once more, absorbed by the key.
    runBounded(
        source("k1", KEYED).onLostHighWatermark(OnLostHighWatermark.REPROCESS_BY_KEY),
        upsertSink("k1"));
    List<String> all = new ArrayList<>();
    all.addAll(ids("a", 3));
    all.addAll(ids("b", 2));
    all.addAll(ids("c", 2));
    all.addAll(ids("d", 1));
    assertThat(Pipelines.ids(wh.load(KEYED))).containsExactlyInAnyOrderElementsOf(all);
    // From then on the process is incremental again.
    wh.append(SRC, Warehouse.events("e", 2, DAY1));
    runBounded(source("k1", KEYED), upsertSink("k1"));
    all.addAll(ids("e", 2));
    assertThat(Pipelines.ids(wh.load(KEYED))).containsExactlyInAnyOrderElementsOf(all);

    // An append target refuses the reprocessed range: nothing is published, no row doubled.
    long appendBefore = wh.load(DST).currentSnapshot().snapshotId();
    assertThatThrownBy(
            () ->
                runBounded(
                    source("a1", DST).onLostHighWatermark(OnLostHighWatermark.REPROCESS_BY_KEY),
                    appendSink("a1")))
        .satisfies(
            e ->
                assertThat(Failures.messages(e))
                    .contains("Process a1")
                    .contains("reprocesses every live row")
                    .contains("append target would hold them twice")
                    .contains("nothing was published by this run"));
    assertThat(wh.load(DST).currentSnapshot().snapshotId()).isEqualTo(appendBefore);
    assertThat(Pipelines.ids(wh.load(DST)))
        .containsExactlyInAnyOrderElementsOf(List.of("a-0", "a-1", "a-2", "b-0", "b-1"));
  }

  @Test
  void continuousJobStaysExactWhileSourceAndTargetAreCompactedAndExpired() throws Exception {
    SnapshotPoint.forgetAll();
    List<String> expected = new ArrayList<>();
    wh.append(SRC, Warehouse.events("a", 3, DAY1));
    expected.addAll(ids("a", 3));
    JobClient job = startContinuous();
    awaitExactly(expected, job);

    // Batches land faster than the job reads them and the source keeps one snapshot: whether the
    // job planned them before the expiry or not, each row arrives once.
    for (String p : List.of("b", "c", "d")) {
      wh.append(SRC, Warehouse.events(p, 2, DAY1));
      expected.addAll(ids(p, 2));
    }
    Maintenance.retainLast(wh.load(SRC), 1);
    awaitExactly(expected, job);

    // The target is compacted and expired between checkpoints.
    Maintenance.compactAll(wh, wh.load(DST));
    Maintenance.retainLast(wh.load(DST), 1);
    wh.append(SRC, Warehouse.events("e", 2, DAY1));
    expected.addAll(ids("e", 2));
    // The source is compacted once e is published: compacting rows not yet read together with
    // read ones would leave no way to tell them apart (refused for an append target, on purpose).
    waitForRows(expected.size(), job);
    Maintenance.compactAll(wh, wh.load(SRC));
    Maintenance.retainLast(wh.load(SRC), 1);
    awaitExactly(expected, job);
    Jobs.cancelAndWait(job);

    // A fresh start after more expiry resumes from the published HWM, exactly.
    wh.append(SRC, Warehouse.events("f", 2, DAY1));
    Maintenance.retainLast(wh.load(SRC), 1);
    expected.addAll(ids("f", 2));
    SnapshotPoint.forgetAll();
    JobClient fresh = startContinuous();
    awaitExactly(expected, fresh);
    Jobs.cancelAndWait(fresh);
    assertThat(Pipelines.ids(wh.load(DST))).containsExactlyInAnyOrderElementsOf(expected);
  }

  private JobClient startContinuous() throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.enableCheckpointing(300);
    env.setRestartStrategy(RestartStrategies.noRestart());
    PsybergSink.builder()
        .catalog(wh.spec())
        .processName("c1")
        .table(DST)
        .build()
        .append(
            env.fromSource(
                    source("c1", DST).continuous(Duration.ofMillis(200)).build(),
                    WatermarkStrategy.noWatermarks(),
                    "src")
                .uid("src"));
    return env.executeAsync("continuous under maintenance");
  }

  /**
   * Waits until the target holds the expected rows, then lands a marker batch and waits for it: a
   * row read twice before the marker would show up by then.
   */
  private void awaitExactly(List<String> expected, JobClient job) throws Exception {
    waitForRows(expected.size(), job);
    String marker = "marker" + expected.size();
    wh.append(SRC, Warehouse.events(marker, 1, DAY1));
    expected.add(marker + "-0");
    waitForRows(expected.size(), job);
    assertThat(Pipelines.ids(wh.load(DST))).containsExactlyInAnyOrderElementsOf(expected);
  }

  private void waitForRows(int n, JobClient job) throws Exception {
    CommonTestUtils.waitUntilCondition(
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
        100L,
        600);
  }
}
