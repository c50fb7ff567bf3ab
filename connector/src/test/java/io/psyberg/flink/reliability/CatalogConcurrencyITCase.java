package io.psyberg.flink.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.metadata.HighWatermarkMirror;
import io.psyberg.flink.metadata.MetadataTableSchemas;
import io.psyberg.flink.metadata.PublishedHighWatermark;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.metadata.SummaryKeys;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.session.SourceRange;
import io.psyberg.flink.sink.PsybergSink;
import io.psyberg.flink.sink.PsybergSinkHooks;
import io.psyberg.flink.sink.commit.PublishHook;
import io.psyberg.flink.sink.commit.SessionPublisher;
import io.psyberg.flink.source.PsybergSource;
import io.psyberg.flink.testutils.Failures;
import io.psyberg.flink.testutils.Jobs;
import io.psyberg.flink.testutils.Pipelines;
import io.psyberg.flink.testutils.TestCatalog;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.ExpireSnapshots;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Concurrency against the catalog, on the embedded Hadoop catalog and on Iceberg's JDBC catalog
 * backed by a real PostgreSQL server: concurrent runs of one process, a foreign writer committing
 * to the target, and snapshot expiry on the source and the target while runs stage and publish.
 * Every scenario repeats in seeded rounds; after each round every landed row is in the target
 * exactly once, the high watermark is in a published snapshot on main and in the mirror, and there
 * is one PUBLISHED session per round. A run may fail only with a clear message, and then a re-run
 * completes exactly.
 */
class CatalogConcurrencyITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(8)
              .build());

  private static final LocalDateTime DAY1 = LocalDateTime.of(2026, 1, 1, 8, 0);
  private static final String SRC = "membership.events";
  private static final String DST = "facts.events_copy";
  private static final String P = "catalog_race";

  /** Rounds of concurrent runs. */
  private static final int ROUNDS = 5;

  /**
   * Rounds whose runs all stage before any of them publishes ({@link StageBarrier}), so that these
   * rounds race for certain; the other rounds start their runs at seeded random delays and race or
   * not as the scheduler lets them.
   */
  private static final List<Integer> FORCED_RACE_ROUNDS = List.of(1, 4);

  /** Rounds of a foreign writer committing to the target while a run stages and publishes. */
  private static final int FOREIGN_ROUNDS = 3;

  private static final long JOB_TIMEOUT_S = 120;

  @TempDir Path dir;
  private TestCatalog kind;
  private CatalogSpec spec;
  private Warehouse wh;

  /** Ids of every source row landed so far: what the target must hold, once each. */
  private final List<String> landed = new ArrayList<>();

  private int batches;

  /**
   * How many of {@link #landed} were published by the end of the last round, and the source head
   * then.
   */
  private int publishedRows;

  private Long publishedHead;

  private void open(TestCatalog catalog) {
    kind = catalog;
    spec = catalog.create(dir);
    wh = new Warehouse(spec);
    wh.createEventsTable(SRC);
    wh.createEventsTable(DST);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (wh != null) {
      wh.close();
    }
    if (spec != null) {
      kind.dropRows(spec);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(TestCatalog.class)
  void concurrentRunsOfOneProcessPublishEachRangeOnce(TestCatalog catalog) throws Exception {
    open(catalog);
    Random random = new Random(11);
    Outcomes outcomes = new Outcomes("concurrent runs [" + catalog + "], " + ROUNDS + " rounds");
    for (int round = 1; round <= ROUNDS; round++) {
      land(random);
      int runs = round % 2 == 0 ? 3 : 2;
      boolean forced = FORCED_RACE_ROUNDS.contains(round);
      StageBarrier.arm(forced ? runs : 0);
      PublishHook hook = forced ? new StageBarrier() : PublishHook.NONE;
      List<JobClient> jobs = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        if (i > 0 && !forced) {
          Thread.sleep(random.nextInt(300));
        }
        jobs.add(start("race-" + round + "-" + i, 1 + random.nextInt(2), hook));
      }
      int publishedNow = 0;
      for (JobClient job : jobs) {
        String failure = await(job);
        Session session = sessionOf(job);
        String outcome;
        if (failure == null && session != null && session.status() == SessionStatus.PUBLISHED) {
          outcome = "published";
          publishedNow++;
        } else if (failure == null && session != null && session.status() == SessionStatus.EMPTY) {
          outcome = "empty (planned after the winner published)";
        } else if (failure != null
            && failure.contains("Another run published this range first")
            && session != null
            && session.status() == SessionStatus.ABORTED) {
          outcome = "conflict (already published)";
        } else {
          throw new AssertionError(
              "round "
                  + round
                  + ": unexpected end of a run; session "
                  + session
                  + ", failure:\n"
                  + failure);
        }
        outcomes.add(outcome);
      }
      assertThat(publishedNow)
          .as(
              "runs that published in round %d: %s; rows %s",
              round, sessions(), Pipelines.ids(wh.load(DST)))
          .isEqualTo(1);
      assertExact(round, List.of());
    }
    outcomes.print();
    int forcedLosers = FORCED_RACE_ROUNDS.stream().mapToInt(r -> r % 2 == 0 ? 2 : 1).sum();
    assertThat(outcomes.count("conflict (already published)"))
        .as("runs that lost a race (at least every loser of the forced rounds)")
        .isGreaterThanOrEqualTo(forcedLosers);
    if (catalog == TestCatalog.JDBC_POSTGRES) {
      // Every finished job closed its catalog clients: only this test's own client may hold
      // connections.
      assertThat(TestCatalog.Postgres.openConnections(spec))
          .as("open PostgreSQL connections after 12 runs")
          .isLessThanOrEqualTo(4);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(TestCatalog.class)
  void foreignWriterCommittingToTheTargetKeepsItsRowsAndTheHighWatermark(TestCatalog catalog)
      throws Exception {
    open(catalog);
    Random random = new Random(23);
    Outcomes outcomes =
        new Outcomes("foreign writer [" + catalog + "], " + FOREIGN_ROUNDS + " rounds");
    List<String> foreign = new CopyOnWriteArrayList<>();
    for (int round = 1; round <= FOREIGN_ROUNDS; round++) {
      land(random);
      int r = round;
      StageCounter.STAGES.set(0);
      String failure;
      try (Warehouse other = new Warehouse(spec);
          Disturbance writer =
              Disturbance.start(
                  "foreign-writer",
                  100 + round,
                  20,
                  250,
                  400,
                  i -> {
                    String id = "foreign-" + r + "-" + i;
                    other.append(
                        DST, List.of(Warehouse.event(id, 10_000 + i, "SIGNUP", "basic", DAY1)));
                    foreign.add(id);
                  })) {
        failure = await(start("foreign-" + round, 1 + random.nextInt(2), new StageCounter()));
        writer.close();
        outcomes.add("foreign commits during runs", writer.done());
        outcomes.add("foreign commits that failed", writer.failures().size());
      }
      outcomes.add("stagings", StageCounter.STAGES.get());
      if (failure != null) {
        assertThat(failure).contains("Process " + P, "Nothing was published");
        outcomes.add("failed clearly, then re-run");
        rerun(round, foreign);
      } else {
        outcomes.add(
            StageCounter.STAGES.get() > 1
                ? "published after re-staging"
                : "published at first staging");
      }
      assertExact(round, foreign);
    }
    outcomes.print();
    assertThat(outcomes.count("foreign commits during runs")).isPositive();
  }

  /** Where the expiry job works in a round. */
  private enum ExpiryOn {
    SOURCE,
    TARGET,
    BOTH
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(TestCatalog.class)
  void snapshotExpiryDuringRunsNeverHalfPublishes(TestCatalog catalog) throws Exception {
    open(catalog);
    Random random = new Random(37);
    int rounds = ExpiryOn.values().length; // one round each: target, both, source
    Outcomes outcomes = new Outcomes("snapshot expiry [" + catalog + "], " + rounds + " rounds");
    for (int round = 1; round <= rounds; round++) {
      int newSnapshots = land(random);
      ExpiryOn on = ExpiryOn.values()[round % 3];
      boolean retainLast = random.nextBoolean();
      String failure;
      try (Warehouse other = new Warehouse(spec);
          Disturbance expiry =
              Disturbance.start(
                  "expiry",
                  200 + round,
                  10,
                  120,
                  400,
                  i -> {
                    if (on != ExpiryOn.TARGET) {
                      // Keeps the high watermark and the new snapshots: expiring the HWM itself is
                      // the
                      // documented 'on-lost-hwm' case, not a race.
                      other
                          .load(SRC)
                          .expireSnapshots()
                          .expireOlderThan(System.currentTimeMillis())
                          .retainLast(newSnapshots + 1)
                          .commit();
                    }
                    if (on != ExpiryOn.SOURCE) {
                      ExpireSnapshots expire =
                          other
                              .load(DST)
                              .expireSnapshots()
                              .expireOlderThan(System.currentTimeMillis());
                      (retainLast ? expire.retainLast(1) : expire).commit();
                    }
                  })) {
        failure = await(start("expiry-" + round, 1 + random.nextInt(2), PublishHook.NONE));
        expiry.close();
        outcomes.add("expiries during runs on " + on, expiry.done());
        outcomes.add("expiry commits that failed", expiry.failures().size());
      }
      if (failure != null) {
        assertThat(failure).contains("Process " + P);
        outcomes.add("failed clearly, then re-run");
        rerun(round, List.of());
      } else {
        outcomes.add("published with expiry on " + on);
      }
      assertExact(round, List.of());
    }
    outcomes.print();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(TestCatalog.class)
  void concurrentMetadataTableUpsertsFromSeparateCatalogClients(TestCatalog catalog)
      throws Exception {
    open(catalog);
    // A metadata namespace that does not exist yet: the racing writers also create it and its
    // tables.
    raceMetadataUpserts("psyberg_meta_1");
  }

  /**
   * Four writers, each with its own catalog client, record sessions and mirror rows at the same
   * time: enough updates (32 session rows, twice the delete files that trigger a compaction) that
   * the session log is compacted while the others keep writing.
   */
  private void raceMetadataUpserts(String namespace) throws Exception {
    int writers = 4;
    int sessionsEach = 4;
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      Thread t =
          new Thread(
              () -> {
                Catalog c = spec.open(); // one client per writer, as separate jobs have
                try {
                  SessionLog log = new SessionLog(c, namespace);
                  HighWatermarkMirror mirror = new HighWatermarkMirror(c, namespace);
                  go.await();
                  for (int i = 1; i <= sessionsEach; i++) {
                    Session s =
                        Session.builder()
                            .sessionId("w" + writer + "-s" + i)
                            .processName("proc-" + writer)
                            .mode("bounded")
                            .jobId("job-" + writer)
                            .ranges(List.of(SourceRange.empty(SRC, (long) i, null)))
                            .targetTable(DST)
                            .status(SessionStatus.PLANNED)
                            .startedAt(Instant.now())
                            .build();
                    log.record(s);
                    log.record(s.finished(SessionStatus.PUBLISHED, DST, 1000L * writer + i, null));
                    mirror.update("proc-" + writer, DST, s.sessionId(), s.ranges());
                  }
                } catch (Throwable e) {
                  failures.add(e);
                } finally {
                  CatalogSpec.closeQuietly(c);
                }
              },
              "metadata-writer-" + w);
      threads.add(t);
      t.start();
    }
    go.countDown();
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(120));
      assertThat(t.isAlive()).as(t.getName() + " stuck").isFalse();
    }
    assertThat(failures)
        .as(
            "errors of concurrent metadata-table upserts: %s",
            failures.stream().map(Failures::messages).collect(Collectors.joining("\n")))
        .isEmpty();
    List<Session> all = new SessionLog(wh.catalog(), namespace).allSessions();
    assertThat(all)
        .hasSize(writers * sessionsEach)
        .allMatch(s -> s.status() == SessionStatus.PUBLISHED);
    Table sessions =
        wh.catalog().loadTable(TableIdentifier.of(namespace, MetadataTableSchemas.SESSIONS));
    assertThat(
            StreamSupport.stream(sessions.snapshots().spliterator(), false)
                .map(Snapshot::operation))
        .as("the session log was compacted while the writers raced")
        .contains(DataOperations.REPLACE);
    for (int w = 0; w < writers; w++) {
      assertThat(new HighWatermarkMirror(wh.catalog(), namespace).read("proc-" + w))
          .hasSize(1)
          .extractingByKey(SRC)
          .satisfies(e -> assertThat(e.snapshotId).isEqualTo((long) sessionsEach));
    }
  }

  // ------------------------------------------------------------------------------------------
  // helpers

  /** Lands 1 to 3 snapshots of 2 to 6 rows in the source; returns how many snapshots. */
  private int land(Random random) {
    int snapshots = 1 + random.nextInt(3);
    for (int i = 0; i < snapshots; i++) {
      List<Record> rows = Warehouse.events("b" + (++batches), 2 + random.nextInt(5), DAY1);
      wh.append(SRC, rows);
      rows.forEach(r -> landed.add((String) r.getField("event_id")));
    }
    return snapshots;
  }

  private JobClient start(String name, int parallelism, PublishHook hook) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(parallelism);
    PsybergSource source =
        PsybergSource.builder()
            .catalog(spec)
            .processName(P)
            .tables(SRC)
            .changeRangeColumn("event_ts")
            .targetTable(DST)
            .build();
    PsybergSink sink =
        PsybergSinkHooks.withPublishHook(
                PsybergSink.builder()
                    .catalog(spec)
                    .processName(P)
                    .table(DST)
                    .auditNotNull(List.of("event_id", "event_ts"))
                    .auditRowCountMatchesSource(null),
                hook)
            .build();
    sink.append(env.fromSource(source, WatermarkStrategy.noWatermarks(), "psyberg-source"));
    return env.executeAsync(name);
  }

  /** Null when the run finished; otherwise every message along its failure's cause chain. */
  private static String await(JobClient job) throws Exception {
    try {
      job.getJobExecutionResult().get(JOB_TIMEOUT_S, TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      return Failures.messages(e);
    } catch (TimeoutException e) {
      Jobs.cancelAndWait(job);
      throw new AssertionError("run " + job.getJobID() + " was stuck for " + JOB_TIMEOUT_S + " s");
    }
  }

  /**
   * After a failed run: nothing of this round reached main, and an undisturbed re-run completes.
   */
  private void rerun(int round, List<String> foreign) throws Exception {
    List<String> before = new ArrayList<>(landed.subList(0, publishedRows));
    before.addAll(foreign);
    Table target = wh.load(DST);
    assertThat(Pipelines.ids(target))
        .as("rows of %s after a failed run: nothing half-published", DST)
        .containsExactlyInAnyOrderElementsOf(before);
    assertThat(PublishState.publishedHwm(target, P).get(SRC))
        .as("published HWM after a failed run")
        .isEqualTo(publishedHead);
    assertThat(await(start("rerun-" + round, 1, PublishHook.NONE)))
        .as("re-run of round %d", round)
        .isNull();
  }

  private List<Session> sessions() {
    return new SessionLog(wh.catalog(), spec.metadataNamespace()).sessions(P);
  }

  private Session sessionOf(JobClient job) {
    String id = job.getJobID().toString();
    return sessions().stream().filter(s -> id.equals(s.jobId())).findFirst().orElse(null);
  }

  /**
   * Each landed row (and each foreign row) once on main; the high watermark at the source's head in
   * a published snapshot on main, in the same snapshot as the session's data, and in the mirror;
   * one PUBLISHED session per round, none starting where another started.
   */
  private void assertExact(int publishedSessions, List<String> foreign) throws Exception {
    Table target = wh.load(DST);
    List<String> expected = new ArrayList<>(landed);
    expected.addAll(foreign);
    assertThat(Pipelines.ids(target))
        .as("rows of %s", DST)
        .containsExactlyInAnyOrderElementsOf(expected);
    long head = wh.load(SRC).currentSnapshot().snapshotId();
    PublishedHighWatermark hwm =
        PublishedHighWatermark.find(target, P)
            .orElseThrow(() -> new AssertionError("no published high watermark on main of " + DST));
    assertThat(hwm.positions()).containsEntry(SRC, head);
    Snapshot published = target.snapshot(hwm.targetSnapshotId());
    assertThat(published.summary()).containsEntry(SummaryKeys.hwmKey(SRC), Long.toString(head));
    assertThat(PublishState.mirrored(wh, P)).containsEntry(SRC, head);
    List<Session> done =
        sessions().stream().filter(s -> s.status() == SessionStatus.PUBLISHED).toList();
    assertThat(done).as("PUBLISHED sessions").hasSize(publishedSessions);
    assertThat(done.get(done.size() - 1).publishedSnapshotId()).isEqualTo(hwm.targetSnapshotId());
    assertThat(done.stream().map(s -> String.valueOf(s.range(SRC).fromSnapshotId())).toList())
        .doesNotHaveDuplicates();
    // Audit branches stay only for sessions that did not publish (kept for inspection).
    List<String> kept =
        target.refs().keySet().stream()
            .filter(b -> b.startsWith(SessionPublisher.BRANCH_PREFIX))
            .toList();
    assertThat(kept)
        .as("audit branches left on %s", DST)
        .noneMatch(b -> done.stream().anyMatch(s -> b.equals(SessionPublisher.branchOf(s))));
    publishedRows = landed.size();
    publishedHead = head;
  }

  /**
   * Holds every run of a round after it staged until all of them staged (or a minute passed, when
   * one failed before staging), so that all plan the same range and race to publish it. The runs
   * share this JVM with the test (MiniCluster), hence the static latch.
   */
  static final class StageBarrier implements PublishHook {
    private static volatile CountDownLatch staged = new CountDownLatch(0);

    static void arm(int runs) {
      staged = new CountDownLatch(runs);
    }

    @Override
    public void afterStage(Session session, long stagedSnapshotId) {
      CountDownLatch latch = staged;
      latch.countDown();
      try {
        latch.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Counts stagings (a re-staging follows each publish attempt that found main moved). */
  static final class StageCounter implements PublishHook {
    static final AtomicInteger STAGES = new AtomicInteger();

    @Override
    public void afterStage(Session session, long stagedSnapshotId) {
      STAGES.incrementAndGet();
    }
  }
}
