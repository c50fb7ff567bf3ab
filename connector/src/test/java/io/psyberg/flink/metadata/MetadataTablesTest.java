package io.psyberg.flink.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.session.SourceRange;
import io.psyberg.flink.testutils.Warehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.assertj.core.api.Assertions;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metadata tables on real Iceberg tables: partitioning, compaction, and reads equal to
 * Iceberg's.
 */
class MetadataTablesTest {
  private static final String NS = "psyberg";

  @TempDir Path dir;
  private Warehouse wh;
  private SessionLog log;

  @BeforeEach
  void setUp() {
    wh = new Warehouse(dir);
    log = new SessionLog(wh.catalog(), NS);
  }

  @AfterEach
  void tearDown() throws Exception {
    wh.close();
  }

  private static Session planned(String id, String process, String job) {
    return Session.builder()
        .sessionId(id)
        .processName(process)
        .mode("bounded")
        .jobId(job)
        .targetTable("facts.t")
        .status(SessionStatus.PLANNED)
        .startedAt(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(id.hashCode() & 0xffff))
        .build();
  }

  private Table sessionsTable() {
    return wh.catalog().loadTable(TableIdentifier.of(NS, MetadataTableSchemas.SESSIONS));
  }

  /** Three status changes per session, as a bounded run records them. */
  private void runSessions(int from, int to) {
    for (int i = from; i < to; i++) {
      Session s = planned(String.format("s-%04d", i), "p" + (i % 3), "job-" + i);
      log.record(s);
      log.record(s.staged("facts.t", null));
      log.record(s.finished(SessionStatus.PUBLISHED, "facts.t", 100L + i, null));
    }
  }

  @Test
  void newTablesArePartitionedByProcess() {
    log.record(planned("s-1", "p", "j"));
    assertThat(sessionsTable().spec().fields())
        .singleElement()
        .satisfies(f -> assertThat(f.name()).isEqualTo("process_name"));
    new HighWatermarkMirror(wh.catalog(), NS)
        .update("p", "facts.t", "s-1", List.of(SourceRange.empty("src.t", 7L, null)));
    Table hwm =
        wh.catalog().loadTable(TableIdentifier.of(NS, MetadataTableSchemas.HIGH_WATERMARKS));
    assertThat(hwm.spec().isPartitioned()).isTrue();
    assertThat(new HighWatermarkMirror(wh.catalog(), NS).read("p")).containsOnlyKeys("src.t");
  }

  /**
   * Sessions enough for several compactions: each session's three upserts add delete files, and
   * {@link MetadataCompaction#DELETE_FILES_TO_COMPACT} of them trigger one.
   */
  private static final int MANY_SESSIONS = 20;

  @Test
  void manyUpsertsAreCompactedAndEveryRowStaysRight() {
    runSessions(0, MANY_SESSIONS);

    Table t = sessionsTable();
    Map<String, String> summary = t.currentSnapshot().summary();
    assertThat(Long.parseLong(summary.get(SnapshotSummary.TOTAL_DELETE_FILES_PROP)))
        .isLessThan(MetadataCompaction.DELETE_FILES_TO_COMPACT);
    assertThat(StreamSupport.stream(t.snapshots().spliterator(), false).map(Snapshot::operation))
        .contains(DataOperations.REPLACE);
    for (int p = 0; p < 3; p++) {
      int process = p;
      List<Session> sessions = log.sessions("p" + p);
      assertThat(sessions)
          .extracting(Session::sessionId)
          .containsExactlyInAnyOrderElementsOf(
              IntStream.range(0, MANY_SESSIONS)
                  .filter(i -> i % 3 == process)
                  .mapToObj(i -> String.format("s-%04d", i))
                  .collect(Collectors.toList()));
      assertThat(sessions)
          .allSatisfy(s -> assertThat(s.status()).isEqualTo(SessionStatus.PUBLISHED));
    }
    assertThat(log.sessionsOfJob("p1", "job-7"))
        .singleElement()
        .satisfies(s -> assertThat(s.publishedSnapshotId()).isEqualTo(107L));
    assertThat(log.sessionsOfJob("p1", "job-8")).isEmpty();
  }

  /**
   * A writer holding an older copy of a session (a restored enumerator re-recording its in-flight
   * session) never moves the session back from an ended status.
   */
  @Test
  void aStaleCopyNeverMovesAnEndedSessionBack() {
    Session s = planned("s-0200", "p1", "job-200");
    log.record(s);
    log.record(s.finished(SessionStatus.PUBLISHED, "facts.t", 42L, null));

    log.record(s.withJob("job-201", 7L));
    log.record(s.staged("facts.t", null));
    log.record(s.withStatus(SessionStatus.ABORTED));
    log.record(s.withStatus(SessionStatus.EMPTY));
    assertThat(log.find("p1", "s-0200"))
        .get()
        .satisfies(
            r -> {
              assertThat(r.status()).isEqualTo(SessionStatus.PUBLISHED);
              assertThat(r.publishedSnapshotId()).isEqualTo(42L);
            });

    // Another target's outcome of the same session is still recorded.
    log.record(s.finished(SessionStatus.PUBLISHED, "facts.u", 43L, null));
    assertThat(log.find("p1", "s-0200").get().publishedSnapshotId()).isEqualTo(43L);
    // And a session that has not ended moves forward as before.
    Session t = planned("s-0201", "p1", "job-201");
    log.record(t);
    log.record(t.withJob("job-201", 3L));
    assertThat(log.find("p1", "s-0201").get().readThroughCheckpoint()).isEqualTo(3L);
  }

  /**
   * A session with two targets keeps one row per source table: the failure of one target stays in
   * it whatever the other target records after, and the failed target's own later publish replaces
   * it.
   */
  @Test
  void aTargetsFailureIsNotHiddenByAnotherTargetsPublish() {
    Session s = planned("s-0250", "p1", "job-250");
    log.record(s);
    log.record(s.finished(SessionStatus.AUDIT_FAILED, "facts.u", null, "{\"u\":false}"));
    log.record(s.finished(SessionStatus.PUBLISHED, "facts.t", 42L, null));
    Session row = log.find("p1", "s-0250").get();
    assertThat(row.status()).isEqualTo(SessionStatus.AUDIT_FAILED);
    assertThat(row.targetTable()).isEqualTo("facts.u");
    assertThat(row.auditResults()).contains("\"u\"");
    assertThat(SessionLog.accountsForPublish(row, "facts.t"))
        .as("the row accounts for the other target's publish")
        .isTrue();
    assertThat(SessionLog.accountsForPublish(row, "facts.u")).isFalse();

    // The other order: the failure recorded after the publish replaces it.
    Session t = planned("s-0251", "p1", "job-251");
    log.record(t);
    log.record(t.finished(SessionStatus.PUBLISHED, "facts.t", 43L, null));
    log.record(t.finished(SessionStatus.AUDIT_FAILED, "facts.u", null, "{}"));
    assertThat(log.find("p1", "s-0251").get().status()).isEqualTo(SessionStatus.AUDIT_FAILED);

    // The failed target publishing the session itself (a publish retried after a fix) is recorded.
    log.record(s.finished(SessionStatus.PUBLISHED, "facts.u", 44L, null));
    row = log.find("p1", "s-0250").get();
    assertThat(row.status()).isEqualTo(SessionStatus.PUBLISHED);
    assertThat(row.publishedSnapshotId()).isEqualTo(44L);
    assertThat(SessionLog.accountsForPublish(row, "facts.t")).isTrue();
  }

  /**
   * The publish is recorded by another writer after the stale writer checked the row and before it
   * commits: the stale commit is refused by Iceberg's validation, and the second check keeps the
   * published row.
   */
  @Test
  void aPublishRecordedBetweenTheCheckAndTheCommitOfAStaleCopyWins() {
    Session s = planned("s-0300", "p2", "job-300");
    log.record(s);
    SessionLog committer = new SessionLog(wh.catalog(), NS);
    AtomicInteger interleaved = new AtomicInteger();

    log.record(
        s.withJob("job-301", 9L),
        () -> {
          if (interleaved.getAndIncrement() == 0) {
            committer.record(s.finished(SessionStatus.PUBLISHED, "facts.t", 77L, null));
          }
        });

    assertThat(interleaved).as("checks before a commit").hasValue(1);
    assertThat(rows(sessionsTable(), Expressions.equal("session_id", "s-0300")))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getField("status")).isEqualTo("PUBLISHED");
              assertThat(r.getField("published_snapshot_id")).isEqualTo(77L);
            });
  }

  @Test
  void compactionKeepsAnUpsertCommittedWhileItRan() {
    runSessions(0, 3);
    Session s = planned("s-0100", "p1", "job-100");
    log.record(s);
    Table t = sessionsTable();
    Snapshot read = t.currentSnapshot();
    // Another writer upserts the same session after the compaction read the table...
    log.record(s.finished(SessionStatus.PUBLISHED, "facts.t", 42L, null));
    // ...and the compaction of what it read commits after it: the newer row must win, once.
    MetadataCompaction.compact(sessionsTable(), read);

    t.refresh();
    assertThat(t.currentSnapshot().operation()).isEqualTo(DataOperations.REPLACE);
    List<Record> rows = rows(t, Expressions.equal("session_id", "s-0100"));
    assertThat(rows)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getField("status")).isEqualTo("PUBLISHED");
              assertThat(r.getField("published_snapshot_id")).isEqualTo(42L);
            });
    assertThat(log.sessions("p1")).hasSize(2);
  }

  @Test
  void aCompactionRewritesOnlyTheProcessesUpdatedSinceTheLastOne() {
    runSessions(0, 6);
    MetadataCompaction.compact(sessionsTable(), sessionsTable().currentSnapshot());
    Map<String, Set<String>> before = filesByProcess(sessionsTable());
    assertThat(before).containsOnlyKeys("p0", "p1", "p2");

    log.record(planned("s-0500", "p1", "job-500"));
    MetadataCompaction.compact(sessionsTable(), sessionsTable().currentSnapshot());

    Table t = sessionsTable();
    Map<String, Set<String>> after = filesByProcess(t);
    assertThat(after.get("p0")).isEqualTo(before.get("p0"));
    assertThat(after.get("p2")).isEqualTo(before.get("p2"));
    assertThat(after.get("p1")).isNotEmpty().doesNotContainAnyElementsOf(before.get("p1"));
    assertThat(t.currentSnapshot().summary().get(SnapshotSummary.TOTAL_DELETE_FILES_PROP))
        .isEqualTo("0");
    assertThat(log.sessions("p1"))
        .extracting(Session::sessionId, Session::status)
        .containsExactlyInAnyOrder(
            Tuple.tuple("s-0001", SessionStatus.PUBLISHED),
            Tuple.tuple("s-0004", SessionStatus.PUBLISHED),
            Tuple.tuple("s-0500", SessionStatus.PLANNED));
    assertThat(log.sessions("p0")).hasSize(2);
    assertThat(log.sessions("p2")).hasSize(2);
  }

  private static Map<String, Set<String>> filesByProcess(Table t) {
    Map<String, Set<String>> out = new TreeMap<>();
    try (CloseableIterable<FileScanTask> tasks = t.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        out.computeIfAbsent(task.file().partition().get(0, String.class), k -> new TreeSet<>())
            .add(task.file().path().toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  @Test
  void aCompactionWhoseCommitStateIsUnknownKeepsItsFiles() {
    runSessions(0, 4);
    Table real = sessionsTable();
    // The catalog answers the compaction's commit with "state unknown" after it landed (a lost
    // response).
    Table lostResponse =
        (Table)
            Proxy.newProxyInstance(
                Table.class.getClassLoader(),
                new Class<?>[] {Table.class, HasTableOperations.class},
                (proxy, method, args) -> {
                  Object result = invoke(real, method, args);
                  if (!method.getName().equals("newRewrite")) {
                    return result;
                  }
                  return Proxy.newProxyInstance(
                      Table.class.getClassLoader(),
                      new Class<?>[] {RewriteFiles.class},
                      (p2, m2, a2) -> {
                        Object r = invoke(result, m2, a2);
                        if (m2.getName().equals("commit")) {
                          throw new CommitStateUnknownException(
                              new RuntimeException("response lost"));
                        }
                        return r == result ? p2 : r;
                      });
                });

    Assertions.assertThatThrownBy(
            () -> MetadataCompaction.compact(lostResponse, real.currentSnapshot()))
        .isInstanceOf(CommitStateUnknownException.class);

    Table t = sessionsTable();
    assertThat(t.currentSnapshot().operation()).isEqualTo(DataOperations.REPLACE);
    assertThat(log.allSessions())
        .hasSize(4)
        .allSatisfy(x -> assertThat(x.status()).isEqualTo(SessionStatus.PUBLISHED));
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Test
  void readsEqualIcebergsGenericReader() {
    runSessions(0, 12); // below the compaction threshold: data files with equality deletes on them
    Table t = sessionsTable();
    assertThat(
            Long.parseLong(
                t.currentSnapshot().summary().get(SnapshotSummary.TOTAL_DELETE_FILES_PROP)))
        .isPositive();
    for (Expression filter :
        List.of(
            Expressions.alwaysTrue(),
            Expressions.equal("process_name", "p2"),
            Expressions.and(
                Expressions.equal("process_name", "p1"), Expressions.equal("job_id", "job-4")),
            Expressions.greaterThan("published_snapshot_id", 105L))) {
      List<String> ours = keys(MetadataRows.read(t, filter, null));
      List<String> iceberg = keys(rows(t, filter));
      assertThat(ours).as("rows matching %s", filter).isEqualTo(iceberg).isNotEmpty();
    }
  }

  /** A sessions table as an older version created it: format v2, no other properties. */
  private void createOlderSessionsTable(PartitionSpec spec) {
    ((SupportsNamespaces) wh.catalog()).createNamespace(Namespace.of(NS));
    wh.catalog()
        .createTable(
            TableIdentifier.of(NS, MetadataTableSchemas.SESSIONS),
            MetadataTableSchemas.SESSIONS_SCHEMA,
            spec,
            Map.of(TableProperties.FORMAT_VERSION, "2"));
  }

  /**
   * Each upsert adds a data and a delete manifest; merged on every commit, a read opens one of each
   * instead of one per upsert since the last compaction, also on a table created by an older
   * version without the property (it gets it on its first write).
   */
  @Test
  void upsertsKeepTheManifestsMerged() {
    createOlderSessionsTable(
        PartitionSpec.builderFor(MetadataTableSchemas.SESSIONS_SCHEMA)
            .identity("process_name")
            .build());

    runSessions(0, 4); // 12 upserts, fewer than a compaction needs
    Table t = sessionsTable();
    assertThat(t.properties())
        .containsEntry(
            TableProperties.MANIFEST_MIN_MERGE_COUNT, MetadataTableSchemas.MANIFESTS_TO_MERGE);
    assertThat(Long.parseLong(t.currentSnapshot().summary().get("total-delete-files")))
        .isEqualTo(12);
    assertThat(t.currentSnapshot().dataManifests(t.io())).hasSizeLessThanOrEqualTo(2);
    assertThat(t.currentSnapshot().deleteManifests(t.io())).hasSizeLessThanOrEqualTo(2);
    assertThat(log.sessions("p1"))
        .singleElement()
        .satisfies(s -> assertThat(s.status()).isEqualTo(SessionStatus.PUBLISHED));

    HighWatermarkMirror mirror = new HighWatermarkMirror(wh.catalog(), NS);
    for (long i = 0; i < 6; i++) {
      mirror.update("p", "facts.t", "s-" + i, List.of(SourceRange.empty("src.t", i, null)));
    }
    Table hwm =
        wh.catalog().loadTable(TableIdentifier.of(NS, MetadataTableSchemas.HIGH_WATERMARKS));
    assertThat(hwm.currentSnapshot().dataManifests(hwm.io())).hasSizeLessThanOrEqualTo(2);
    assertThat(mirror.read("p").get("src.t").snapshotId).isEqualTo(5L);
  }

  @Test
  void findsSeveralSessionsOfAProcessInOneRead() {
    runSessions(0, 6);
    assertThat(log.find("p1", List.of("s-0001", "s-0004", "s-0002", "s-9999")))
        .containsOnlyKeys("s-0001", "s-0004");
    assertThat(log.find("p1", List.of())).isEmpty();
  }

  @Test
  void aSessionsTableCreatedWithoutPartitionsKeepsWorking() {
    createOlderSessionsTable(PartitionSpec.unpartitioned());

    runSessions(0, 10); // 30 upserts: past the compaction threshold

    Table t = sessionsTable();
    assertThat(t.spec().isUnpartitioned()).isTrue();
    assertThat(StreamSupport.stream(t.snapshots().spliterator(), false).map(Snapshot::operation))
        .contains(DataOperations.REPLACE);
    assertThat(log.allSessions())
        .hasSize(10)
        .allSatisfy(s -> assertThat(s.status()).isEqualTo(SessionStatus.PUBLISHED));
  }

  /**
   * A sessions table of an older version (no column 'notes', rows in it): reads work and change
   * nothing; the first write adds the column once, and old and new rows read back.
   */
  @Test
  void aSessionsTableOfAnOlderVersionGetsTheNotesColumnOnItsFirstWrite() {
    SupportsNamespaces namespaces = (SupportsNamespaces) wh.catalog();
    namespaces.createNamespace(Namespace.of(NS));
    org.apache.iceberg.Schema old =
        new org.apache.iceberg.Schema(
            MetadataTableSchemas.SESSIONS_SCHEMA.columns().stream()
                .filter(f -> !f.name().equals("notes"))
                .toList(),
            Set.of(1, 5));
    Table created =
        wh.catalog()
            .createTable(
                TableIdentifier.of(NS, MetadataTableSchemas.SESSIONS),
                old,
                PartitionSpec.builderFor(old).identity("process_name").build(),
                Map.of(TableProperties.FORMAT_VERSION, "2"));
    // A row as the older version wrote it.
    Record before = org.apache.iceberg.data.GenericRecord.create(old);
    before.setField("session_id", "s-old");
    before.setField("process_name", "p");
    before.setField("mode", "bounded");
    before.setField("processing", "stateless");
    before.setField("source_table", "lake.t");
    before.setField("status", SessionStatus.PUBLISHED.name());
    before.setField("started_at", SessionLog.toOffset(Instant.parse("2026-01-01T00:00:00Z")));
    RowUpserter.upsert(created, List.of(before));
    int schemaId = sessionsTable().schema().schemaId();

    SessionLog stale = new SessionLog(wh.catalog(), NS);
    assertThat(stale.sessions("p")).hasSize(1); // loads the table before it is migrated
    assertThat(log.sessions("p").get(0).ranges().get(0).note()).isNull();
    assertThat(sessionsTable().schema().schemaId())
        .as("a read changes nothing")
        .isEqualTo(schemaId);

    Session noted =
        planned("s-new", "p", "job-1").toBuilder()
            .ranges(List.of(new SourceRange("lake.t", 1L, 2L, 1, 0, 1, 3, null, null, "a note")))
            .build();
    log.record(noted);
    stale.record(noted.finished(SessionStatus.PUBLISHED, "facts.t", 7L, null));

    Table t = sessionsTable();
    assertThat(t.schema().columns().stream().filter(f -> f.name().equals("notes"))).hasSize(1);
    assertThat(t.schema().findField("notes").isOptional()).isTrue();
    Map<String, String> notes = new TreeMap<>();
    for (Session s : new SessionLog(wh.catalog(), NS).sessions("p")) {
      notes.put(s.sessionId(), String.valueOf(s.ranges().get(0).note()));
    }
    assertThat(notes).containsExactly(Map.entry("s-new", "a note"), Map.entry("s-old", "null"));
  }

  private static List<Record> rows(Table t, Expression filter) {
    List<Record> out = new ArrayList<>();
    try (CloseableIterable<Record> it = IcebergGenerics.read(t).where(filter).build()) {
      it.forEach(out::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static List<String> keys(List<Record> rows) {
    return rows.stream()
        .map(
            r ->
                r.getField("session_id")
                    + "/"
                    + r.getField("status")
                    + "/"
                    + r.getField("published_snapshot_id"))
        .sorted(Comparator.naturalOrder())
        .collect(Collectors.toList());
  }
}
