package io.psyberg.flink.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.metadata.MetadataTableSchemas;
import io.psyberg.flink.metadata.PublishedHighWatermark;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.metadata.SummaryKeys;
import io.psyberg.flink.planning.NonAppendSnapshots;
import io.psyberg.flink.planning.StartFrom;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.sink.PsybergSink;
import io.psyberg.flink.sink.PsybergSinkBuilder;
import io.psyberg.flink.sink.PsybergSinkHooks;
import io.psyberg.flink.sink.commit.PublishHook;
import io.psyberg.flink.sink.commit.SessionPublisher;
import io.psyberg.flink.source.PsybergSource;
import io.psyberg.flink.source.PsybergSourceBuilder;
import io.psyberg.flink.testutils.Failures;
import io.psyberg.flink.testutils.Pipelines;
import io.psyberg.flink.testutils.Warehouse;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input and bad state met while a job runs: non-append and expired snapshots, a start position
 * that does not exist, rows that fail audits, an audit branch that vanishes or changes between
 * stage and publish, metadata tables that are dropped or damaged, and a warehouse that cannot be
 * written. Each case asserts the failure message and that nothing was lost or half-published.
 */
class BadInputCatalogueITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final LocalDateTime DAY1 = LocalDateTime.of(2026, 1, 1, 8, 0);
  private static final String SRC = "membership.events";
  private static final String DST = "facts.events_copy";
  private static final String P = "reliability";

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

  private PsybergSourceBuilder source() {
    return PsybergSource.builder()
        .catalog(wh.spec())
        .processName(P)
        .tables(SRC)
        .changeRangeColumn("event_ts");
  }

  private PsybergSinkBuilder hooked(PublishHook hook) {
    return PsybergSinkHooks.withPublishHook(sink(), hook);
  }

  private PsybergSinkBuilder sink() {
    return PsybergSink.builder().catalog(wh.spec()).processName(P).table(DST);
  }

  private void run(PsybergSourceBuilder source, PsybergSinkBuilder sink) throws Exception {
    Pipelines.run(source.build(), sink.build(), 1);
  }

  /** Runs the job, expects it to fail and returns every message along the cause chain. */
  private String failure(PsybergSourceBuilder source, PsybergSinkBuilder sink) {
    try {
      run(source, sink);
    } catch (Exception e) {
      return Failures.messages(e);
    }
    throw new AssertionError("the job did not fail");
  }

  private List<Session> sessions() {
    return new SessionLog(wh.catalog(), "psyberg").sessions(P);
  }

  /** A first run that publishes {@code a-0..a-2}: the state every bad run must leave alone. */
  private long publishBaseline() throws Exception {
    long s1 = wh.append(SRC, Warehouse.events("a", 3, DAY1));
    run(source(), sink());
    assertThat(Pipelines.ids(wh.load(DST))).hasSize(3);
    return s1;
  }

  // ---------------------------------------------------------------- snapshots in the source range

  @Test
  void overwriteSnapshotInRangeFailsNamingIt() throws Exception {
    publishBaseline();
    Table t = wh.load(SRC);
    DataFile old = t.currentSnapshot().addedDataFiles(t.io()).iterator().next();
    t.newOverwrite()
        .deleteFile(old)
        .addFile(wh.writeFile(t, Warehouse.events("o", 1, DAY1)))
        .commit();
    long overwrite = t.currentSnapshot().snapshotId();
    wh.append(SRC, Warehouse.events("b", 2, DAY1));
    PublishState before = PublishState.capture(wh, P, DST);

    assertThat(failure(source(), sink()))
        .contains(
            "Process " + P,
            SRC,
            "'overwrite' snapshot " + overwrite,
            "Nothing was read or published",
            "'non-append-snapshots' = 'skip'");
    before.assertUnchanged();

    // The documented way out: skip it; the appended rows after it are still processed, once.
    run(source().nonAppendSnapshots(NonAppendSnapshots.SKIP), sink());
    assertThat(Pipelines.ids(wh.load(DST)))
        .containsExactlyInAnyOrder("a-0", "a-1", "a-2", "b-0", "b-1");
  }

  @Test
  void deleteSnapshotInRangeFailsNamingIt() throws Exception {
    publishBaseline();
    Table t = wh.load(SRC);
    DataFile old = t.currentSnapshot().addedDataFiles(t.io()).iterator().next();
    t.newDelete().deleteFile(old).commit();
    long delete = t.currentSnapshot().snapshotId();
    PublishState before = PublishState.capture(wh, P, DST);

    assertThat(failure(source(), sink()))
        .contains(
            "Process " + P,
            SRC,
            "'delete' snapshot " + delete,
            "'non-append-snapshots' = 'skip'",
            "or repair the source table");
    before.assertUnchanged();
  }

  @Test
  void rolledBackHighWatermarkFailsAndKeepsEverything() throws Exception {
    long s1 = publishBaseline();
    long s2 = wh.append(SRC, Warehouse.events("b", 2, DAY1));
    run(source(), sink());
    // The source is rolled back behind the HWM and goes on from there: s2 is off main's lineage.
    wh.load(SRC).manageSnapshots().rollbackTo(s1).commit();
    wh.append(SRC, Warehouse.events("c", 2, DAY1));
    PublishState before = PublishState.capture(wh, P, DST);

    assertThat(failure(source(), sink()))
        .contains(
            "Process " + P,
            "high watermark of source table " + SRC,
            "snapshot " + s2,
            "no longer an ancestor of main",
            "Nothing was read or published",
            "'on-lost-hwm' = 'reprocess-by-key'",
            "'on-lost-hwm' = 'earliest'");
    before.assertUnchanged();
  }

  @Test
  void expiredHighWatermarkSnapshotIsReadOnExactly() throws Exception {
    long s1 = publishBaseline();
    wh.append(SRC, Warehouse.events("b", 2, DAY1));
    wh.append(SRC, Warehouse.events("c", 2, DAY1));
    wh.load(SRC).expireSnapshots().expireSnapshotId(s1).commit();

    run(source(), sink());
    assertThat(Pipelines.ids(wh.load(DST)))
        .containsExactlyInAnyOrder("a-0", "a-1", "a-2", "b-0", "b-1", "c-0", "c-1");
  }

  @Test
  void startFromASnapshotThatDoesNotExist() throws Exception {
    wh.append(SRC, Warehouse.events("a", 2, DAY1));
    PublishState before = PublishState.capture(wh, P, DST);
    assertThat(failure(source().startFrom(StartFrom.snapshot(42L)), sink()))
        .contains(
            "Process " + P,
            "'start-from' = 'snapshot:42'",
            "names no snapshot on the main branch of " + SRC,
            SRC + "$snapshots",
            "earliest | latest | timestamp:<ISO-8601>");
    before.assertUnchanged();
    assertThat(sessions()).isEmpty();
  }

  @Test
  void changeRangeColumnNotInTheSourceTable() throws Exception {
    wh.append(SRC, Warehouse.events("a", 2, DAY1));
    PublishState before = PublishState.capture(wh, P, DST);
    assertThat(failure(source().changeRangeColumn("updated_at"), sink()))
        .contains(
            "Process " + P,
            "change-range column 'updated_at' is not a column of source table " + SRC,
            "event_ts",
            "Fix option 'change-range-column'");
    before.assertUnchanged();
  }

  @Test
  void sourceTableDroppedBeforeTheRun() throws Exception {
    PsybergSource planned =
        source().build(); // the builder does no I/O: the table is looked up at run time
    wh.catalog().dropTable(TableIdentifier.parse(SRC));
    PublishState before = PublishState.capture(wh, P, DST);
    assertThatThrownBy(() -> Pipelines.run(planned, sink().build(), 1))
        .satisfies(
            e ->
                assertThat(Failures.messages(e))
                    .contains(
                        "Process " + P,
                        "source table " + SRC + " does not exist",
                        "fix the source table name"));
    before.assertUnchanged();
  }

  /**
   * Runs on a cluster of its own, closed before the test returns: the job fails in its committer
   * while the source's enumerator may still be recording a planned session, and closing the cluster
   * waits for the enumerator to stop (the shared cluster closes it after the job's result, while
   * the warehouse folder is being deleted).
   */
  @Test
  void continuousDataStreamJobWithoutCheckpointingFailsInsteadOfNeverPublishing() throws Exception {
    wh.append(SRC, Warehouse.events("a", 2, DAY1));
    PublishState before = PublishState.capture(wh, P, DST);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    sink()
        .build()
        .append(
            env.fromSource(
                source().continuous(Duration.ofMillis(200)).build(),
                WatermarkStrategy.noWatermarks(),
                "psyberg-source"));
    JobGraph graph = env.getStreamGraph().getJobGraph();
    try (MiniCluster cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(1)
                .build())) {
      cluster.start();
      JobID job = cluster.submitJob(graph).get(60, TimeUnit.SECONDS).getJobID();
      JobResult result = cluster.requestJobResult(job).get(60, TimeUnit.SECONDS);
      assertThatThrownBy(() -> result.toJobExecutionResult(getClass().getClassLoader()))
          .satisfies(
              e ->
                  assertThat(Failures.messages(e))
                      .contains(
                          "Process " + P,
                          "continuous",
                          "publishes at checkpoints",
                          "checkpointing is off",
                          "enableCheckpointing"));
    }
    before.assertUnchanged();
  }

  // ---------------------------------------------------------------- rows that fail audits

  @Test
  void nullInAnAuditedNotNullColumnPublishesNothing() throws Exception {
    publishBaseline();
    List<Record> rows = new ArrayList<>(Warehouse.events("b", 2, DAY1));
    rows.add(Warehouse.event("b-null", 9, "SIGNUP", null, DAY1));
    wh.append(SRC, rows);
    PublishState before = PublishState.capture(wh, P, DST);

    assertThat(failure(source(), sink().auditNotNull(List.of("plan"))))
        .contains(
            "Process " + P,
            "failed its audits",
            "nothing was published to " + DST,
            "high watermark did not move",
            "not-null: observed nulls {plan=1}",
            "psyberg-audit-",
            "fix the data or the job and re-run");
    before.assertUnchanged();
    assertThat(sessions())
        .extracting(Session::status)
        .containsExactly(SessionStatus.PUBLISHED, SessionStatus.AUDIT_FAILED);
  }

  @Test
  void auditedColumnThatIsNotInTheTarget() throws Exception {
    wh.append(SRC, Warehouse.events("a", 2, DAY1));
    PublishState before = PublishState.capture(wh, P, DST);
    assertThat(failure(source(), sink().auditNotNull(List.of("acount_id"))))
        .contains(
            "Process " + P, "failed its audits", "no column 'acount_id'", "nothing was published");
    before.assertUnchanged();
  }

  @Test
  void nullIntoANotNullSqlColumnFailsBeforeAnythingIsStaged() throws Exception {
    // The target's plan column is NOT NULL; one source row has no plan.
    wh.createTable(
        "facts.plans",
        new Schema(
            Types.NestedField.required(1, "event_id", Types.StringType.get()),
            Types.NestedField.required(2, "plan", Types.StringType.get())));
    wh.append(
        SRC,
        List.of(
            Warehouse.event("e1", 1, "SIGNUP", "basic", DAY1),
            Warehouse.event("e2", 2, "SIGNUP", null, DAY1)));
    PublishState before = PublishState.capture(wh, P, "facts.plans");
    TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    tEnv.getConfig()
        .getConfiguration()
        .setString("psyberg.catalog.warehouse", wh.spec().warehouse());
    tEnv.executeSql(
        "CREATE TEMPORARY TABLE src (event_id STRING, plan STRING) WITH ('connector' = 'psyberg',"
            + " 'table' = '"
            + SRC
            + "', 'process-name' = '"
            + P
            + "')");
    tEnv.executeSql(
        "CREATE TEMPORARY TABLE dst (event_id STRING NOT NULL, plan STRING NOT NULL) WITH"
            + " ('connector' = 'psyberg', 'table' = 'facts.plans', 'process-name' = '"
            + P
            + "')");
    assertThatThrownBy(
            () ->
                tEnv.executeSql("INSERT INTO dst SELECT event_id, plan FROM src")
                    .await(60, TimeUnit.SECONDS))
        .satisfies(
            e ->
                assertThat(Failures.messages(e))
                    .contains("Column 'plan' is NOT NULL", "table.exec.sink.not-null-enforcer"));
    before.assertUnchanged();
  }

  @Test
  void nullInAnAuditedColumnFromSql() throws Exception {
    wh.createTable(
        "facts.plans",
        new Schema(
            Types.NestedField.required(1, "event_id", Types.StringType.get()),
            Types.NestedField.optional(2, "plan", Types.StringType.get())));
    wh.append(
        SRC,
        List.of(
            Warehouse.event("e1", 1, "SIGNUP", "basic", DAY1),
            Warehouse.event("e2", 2, "SIGNUP", null, DAY1)));
    PublishState before = PublishState.capture(wh, P, "facts.plans");
    TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    tEnv.getConfig()
        .getConfiguration()
        .setString("psyberg.catalog.warehouse", wh.spec().warehouse());
    tEnv.executeSql(
        "CREATE TEMPORARY TABLE src (event_id STRING, plan STRING) WITH ('connector' = 'psyberg',"
            + " 'table' = '"
            + SRC
            + "', 'process-name' = '"
            + P
            + "')");
    tEnv.executeSql(
        "CREATE TEMPORARY TABLE dst (event_id STRING NOT NULL, plan STRING) WITH"
            + " ('connector' = 'psyberg', 'table' = 'facts.plans', 'process-name' = '"
            + P
            + "',"
            + " 'audit.not-null' = 'plan')");
    assertThatThrownBy(
            () ->
                tEnv.executeSql("INSERT INTO dst SELECT event_id, plan FROM src")
                    .await(60, TimeUnit.SECONDS))
        .satisfies(
            e ->
                assertThat(Failures.messages(e))
                    .contains(
                        "Process " + P,
                        "failed its audits",
                        "not-null: observed nulls {plan=1}",
                        "nothing was published"));
    before.assertUnchanged();
    assertThat(sessions()).extracting(Session::status).containsExactly(SessionStatus.AUDIT_FAILED);
  }

  // ---------------------------------------------------------------- the audit branch changes
  // before publish

  /** Between stage and publish, removes the session's audit branch, or points it at other data. */
  static final class TamperWithBranch implements PublishHook {
    static final AtomicInteger TIMES = new AtomicInteger();
    private final String warehouse;
    private final boolean repoint;

    TamperWithBranch(String warehouse, boolean repoint) {
      this.warehouse = warehouse;
      this.repoint = repoint;
    }

    @Override
    public void afterStage(Session session, long staged) {
      if (TIMES.getAndDecrement() <= 0) {
        return;
      }
      try (Warehouse other = new Warehouse(Path.of(URI.create(warehouse)))) {
        Table t = other.load(DST);
        String branch = SessionPublisher.branchOf(session);
        t.manageSnapshots().removeBranch(branch).commit();
        if (repoint) {
          // Same name, other content: main plus rows that were never audited and carry no high
          // watermark.
          t.refresh();
          t.manageSnapshots().createBranch(branch, t.currentSnapshot().snapshotId()).commit();
          t.newFastAppend()
              .appendFile(other.writeFile(t, Warehouse.events("unaudited", 2, DAY1)))
              .toBranch(branch)
              .commit();
        }
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    }
  }

  @Test
  void auditBranchRemovedOnceIsStagedAgainAndPublishedWhole() throws Exception {
    publishBaseline();
    long s2 = wh.append(SRC, Warehouse.events("b", 3, DAY1));
    TamperWithBranch.TIMES.set(1);
    run(source(), hooked(new TamperWithBranch(wh.spec().warehouse(), false)));

    Table target = wh.load(DST);
    assertThat(Pipelines.ids(target))
        .containsExactlyInAnyOrder("a-0", "a-1", "a-2", "b-0", "b-1", "b-2");
    assertThat(target.currentSnapshot().summary())
        .containsEntry(SummaryKeys.hwmKey(SRC), Long.toString(s2));
    // main and the tag at the process's newest publish: no audit branch left.
    assertThat(target.refs()).containsOnlyKeys("main", PublishedHighWatermark.tagOf(P));
    Session last = sessions().get(1);
    assertThat(last.status()).isEqualTo(SessionStatus.PUBLISHED);
    assertThat(last.publishedSnapshotId()).isEqualTo(target.currentSnapshot().snapshotId());
  }

  @Test
  void auditBranchThatKeepsVanishingFailsClearlyAndPublishesNothing() throws Exception {
    publishBaseline();
    wh.append(SRC, Warehouse.events("b", 3, DAY1));
    PublishState before = PublishState.capture(wh, P, DST);
    TamperWithBranch.TIMES.set(1000);
    try {
      assertThat(failure(source(), hooked(new TamperWithBranch(wh.spec().warehouse(), false))))
          .contains(
              "Process " + P,
              "could not publish session",
              "psyberg-audit-",
              "Nothing was published");
    } finally {
      TamperWithBranch.TIMES.set(0);
    }
    before.assertUnchanged();
  }

  @Test
  void auditBranchPointedAtOtherDataIsNeverPublished() throws Exception {
    publishBaseline();
    long s2 = wh.append(SRC, Warehouse.events("b", 3, DAY1));
    TamperWithBranch.TIMES.set(1);
    run(source(), hooked(new TamperWithBranch(wh.spec().warehouse(), true)));

    // What was audited is what reached main: the session's rows with its high watermark, nothing
    // else.
    Table target = wh.load(DST);
    assertThat(Pipelines.ids(target))
        .containsExactlyInAnyOrder("a-0", "a-1", "a-2", "b-0", "b-1", "b-2");
    assertThat(target.currentSnapshot().summary())
        .containsEntry(SummaryKeys.hwmKey(SRC), Long.toString(s2))
        .containsEntry(SummaryKeys.PROCESS_NAME, P);
    Session last = sessions().get(1);
    assertThat(last.status()).isEqualTo(SessionStatus.PUBLISHED);
    assertThat(last.publishedSnapshotId()).isEqualTo(target.currentSnapshot().snapshotId());
  }

  // ---------------------------------------------------------------- metadata tables

  @Test
  void sessionsTableDroppedBetweenRunsIsRecreated() throws Exception {
    publishBaseline();
    wh.catalog()
        .dropTable(TableIdentifier.of(Namespace.of("psyberg"), MetadataTableSchemas.SESSIONS));
    wh.append(SRC, Warehouse.events("b", 2, DAY1));
    run(source(), sink());
    // Resumed from the published high watermark: only the new rows, once.
    assertThat(Pipelines.ids(wh.load(DST)))
        .containsExactlyInAnyOrder("a-0", "a-1", "a-2", "b-0", "b-1");
    assertThat(sessions()).extracting(Session::status).containsExactly(SessionStatus.PUBLISHED);
  }

  @Test
  void highWatermarksTableDroppedBetweenRunsResumesFromTheTarget() throws Exception {
    publishBaseline();
    wh.catalog()
        .dropTable(
            TableIdentifier.of(Namespace.of("psyberg"), MetadataTableSchemas.HIGH_WATERMARKS));
    long s2 = wh.append(SRC, Warehouse.events("b", 2, DAY1));
    PublishState before = PublishState.capture(wh, P, DST);
    // Without 'target-table' the source finds its target through the dropped table, so it plans
    // from the
    // start: the sink must refuse to publish those rows twice, say why, and repair the table for
    // the re-run.
    assertThat(failure(source(), sink()))
        .contains(
            "Process " + P,
            "psyberg.high_watermarks had no row for the process",
            "Nothing was published by this run",
            "a re-run resumes from there",
            "'target-table' = '" + DST + "'");
    PublishState after = PublishState.capture(wh, P, DST);
    assertThat(after.mainSnapshot).isEqualTo(before.mainSnapshot);
    assertThat(after.rows).containsExactlyInAnyOrderElementsOf(before.rows);
    assertThat(after.publishedHwm).isEqualTo(before.publishedHwm);
    assertThat(after.publishedSessions).isEqualTo(before.publishedSessions);
    assertThat(after.mirroredHwm)
        .as("mirror row restored from the target")
        .isEqualTo(before.publishedHwm);

    run(source(), sink());
    assertThat(Pipelines.ids(wh.load(DST)))
        .containsExactlyInAnyOrder("a-0", "a-1", "a-2", "b-0", "b-1");
    assertThat(wh.load(DST).currentSnapshot().summary())
        .containsEntry(SummaryKeys.hwmKey(SRC), Long.toString(s2));
  }

  @Test
  void damagedSessionsTableFailsNamingIt() throws Exception {
    // Someone created psyberg.sessions by hand, with a schema psyberg cannot write.
    wh.createTable(
        "psyberg.sessions",
        new Schema(
            Types.NestedField.required(1, "session_id", Types.LongType.get()),
            Types.NestedField.optional(2, "note", Types.StringType.get())));
    wh.append(SRC, Warehouse.events("a", 2, DAY1));
    assertThat(failure(source(), sink()))
        .contains(
            "Process " + P,
            "Metadata table psyberg.sessions does not have the schema psyberg writes",
            "column 'session_id' is long, expected string",
            "it has no column process_name, mode",
            "Rename or drop it",
            "'metadata-namespace'");
    Table target = wh.load(DST);
    assertThat(target.currentSnapshot()).isNull();
    assertThat(PublishState.publishedHwm(target, P)).isEmpty();
    assertThat(PublishState.mirrored(wh, P)).isEmpty();
    assertThat(wh.load("psyberg.sessions").currentSnapshot()).isNull();

    // The message's advice works: dropped, it is created again and the run goes through.
    wh.catalog().dropTable(TableIdentifier.parse("psyberg.sessions"));
    run(source(), sink());
    assertThat(Pipelines.ids(wh.load(DST))).containsExactlyInAnyOrder("a-0", "a-1");
  }

  // ---------------------------------------------------------------- a warehouse that cannot be
  // written

  @Test
  void readOnlyWarehouseFolderFailsAndPublishesNothing() throws Exception {
    publishBaseline();
    wh.append(SRC, Warehouse.events("b", 2, DAY1));
    PublishState before = PublishState.capture(wh, P, DST);
    Path data = dir.resolve("facts").resolve("events_copy");
    List<Path> paths;
    try (Stream<Path> s = Files.walk(data)) {
      paths = s.filter(Files::isDirectory).toList();
    }
    Set<PosixFilePermission> readOnly = PosixFilePermissions.fromString("r-xr-xr-x");
    Set<PosixFilePermission> writable = PosixFilePermissions.fromString("rwxr-xr-x");
    paths.forEach(p -> setPermissions(p, readOnly));
    try {
      boolean stillWritable;
      try {
        Files.delete(Files.createFile(data.resolve("probe")));
        stillWritable = true;
      } catch (IOException denied) {
        stillWritable = false;
      }
      Assumptions.assumeFalse(
          stillWritable,
          "chmod does not stop this user (root) from writing to the warehouse folder; the same"
              + " failure is covered by readOnlyStorageFailsAndPublishesNothing, with a FileIO that"
              + " refuses writes");
      assertThat(failure(source(), sink()))
          .contains(
              "Process " + P,
              "could not write files of sink table " + DST,
              "Nothing was published",
              "Check that the job can write to the warehouse");
    } finally {
      paths.forEach(p -> setPermissions(p, writable));
    }
    before.assertUnchanged();
  }

  private static void setPermissions(Path p, Set<PosixFilePermission> perms) {
    try {
      Files.setPosixFilePermissions(p, perms);
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }

  @Test
  void readOnlyStorageFailsAndPublishesNothing() throws Exception {
    publishBaseline();
    wh.append(SRC, Warehouse.events("b", 2, DAY1));
    PublishState before = PublishState.capture(wh, P, DST);
    ReadOnlyFileIO.READ_ONLY.set(true);
    try {
      CatalogSpec readOnly =
          CatalogSpec.fromOptions(
              Map.of(
                  "warehouse",
                  wh.spec().warehouse(),
                  "catalog.io-impl",
                  ReadOnlyFileIO.class.getName()),
              Map.<String, String>of(),
              "test");
      String msg =
          failure(source(), PsybergSink.builder().catalog(readOnly).processName(P).table(DST));
      assertThat(msg)
          .contains(
              "Process " + P,
              "could not write files of sink table " + DST,
              "storage is read-only",
              "Nothing was published",
              "Check that the job can write to the warehouse");
    } finally {
      ReadOnlyFileIO.READ_ONLY.set(false);
    }
    before.assertUnchanged();
    // The writer opens its first file on its first row, after the source recorded the session it
    // read it from: the failed session is on record, and nothing writes to the warehouse once the
    // job has failed (a file opened as the writer started raced the planning of that session).
    assertThat(sessions()).filteredOn(s -> s.status() == SessionStatus.PLANNED).hasSize(1);
  }
}
