package io.psyberg.flink.changes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.metadata.PublishedHighWatermark;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.planning.NonAppendSnapshots;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.testutils.Warehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Capture, commit and pending on real tables in a temp warehouse. The "job" between capture and
 * commit is another engine's write to the target's audit branch, done here with Iceberg's core API
 * (the Flink SQL version runs in the examples' ChangeCommandsITCase).
 */
class ChangeTablesITCase {
  private static final String SOURCE = "raw.events";
  private static final String TARGET = "facts.events_copy";
  private static final String PROCESS = "copy_load";
  private static final LocalDateTime DAY = LocalDateTime.of(2026, 3, 1, 8, 0);

  @TempDir Path dir;
  private Warehouse wh;

  @BeforeEach
  void open() {
    wh = new Warehouse(dir);
    wh.createEventsTable(SOURCE);
    wh.createEventsTable(TARGET);
  }

  @AfterEach
  void close() throws Exception {
    wh.close();
  }

  private ChangeSettings settings() {
    return ChangeSettings.builder()
        .catalog(wh.spec())
        .processName(PROCESS)
        .sourceTable(SOURCE)
        .changeRangeColumn("event_ts")
        .build();
  }

  private CapturedSession capture() {
    return ChangeCapture.capture(settings(), null);
  }

  private ChangeCommit.Builder commitOf(CapturedSession captured) {
    return ChangeCommit.builder()
        .catalog(wh.spec())
        .processName(PROCESS)
        .sessionId(captured.sessionId())
        .targetTable(TARGET);
  }

  /** The job: copies the change table's rows to the target's audit branch. */
  private void writeBranch(CapturedSession captured) {
    List<Record> rows = wh.rows(captured.changeTable());
    Table target = wh.load(TARGET);
    if (rows.isEmpty()) {
      return;
    }
    target
        .newAppend()
        .appendFile(wh.writeFile(target, rows))
        .toBranch(captured.auditBranch())
        .commit();
  }

  private static Set<String> ids(List<Record> rows) {
    return rows.stream().map(r -> (String) r.getField("event_id")).collect(Collectors.toSet());
  }

  private static List<String> idList(List<Record> rows) {
    return rows.stream().map(r -> (String) r.getField("event_id")).sorted().toList();
  }

  private static Set<String> livePaths(Table t) {
    Set<String> out = new HashSet<>();
    if (t.currentSnapshot() == null) {
      return out;
    }
    try (CloseableIterable<FileScanTask> tasks = t.newScan().planFiles()) {
      tasks.forEach(task -> out.add(task.file().path().toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static long filesUnder(String location) throws IOException {
    Path data = Paths.get(location.replaceFirst("^file:", "")).resolve("data");
    if (!Files.exists(data)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(data)) {
      return files.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void captureReferencesTheSessionsNewFilesWithoutCopyingAny() throws Exception {
    wh.append(SOURCE, Warehouse.events("a", 5, DAY));
    wh.append(SOURCE, Warehouse.events("b", 3, DAY.plusDays(1)));

    CapturedSession captured = capture();

    Table change = wh.load(captured.changeTable());
    Table source = wh.load(SOURCE);
    assertThat(captured.changeTable()).isEqualTo("raw.events__changes_copy_load");
    assertThat(livePaths(change)).hasSize(2).isEqualTo(livePaths(source));
    assertThat(filesUnder(change.location())).isZero();
    assertThat(idList(wh.rows(captured.changeTable()))).isEqualTo(idList(wh.rows(SOURCE)));
    assertThat(change.properties()).containsEntry("gc.enabled", "false");
    assertThat(((HasTableOperations) change).operations().current().formatVersion()).isEqualTo(2);

    Snapshot head = change.currentSnapshot();
    assertThat(head.snapshotId()).isEqualTo(captured.changeSnapshotId());
    assertThat(head.summary())
        .containsEntry(ChangeTableSummary.SESSION_ID, captured.sessionId())
        .containsEntry(
            ChangeTableSummary.TO_SNAPSHOT, Long.toString(source.currentSnapshot().snapshotId()))
        .containsEntry(ChangeTableSummary.FROM_SNAPSHOT, "null")
        .containsEntry(ChangeTableSummary.CHANGE_RANGE_COLUMN, "event_ts");
    Session logged =
        new SessionLog(wh.catalog(), "psyberg").find(PROCESS, captured.sessionId()).orElseThrow();
    assertThat(logged.status()).isEqualTo(SessionStatus.PLANNED);
    assertThat(logged.mode()).isEqualTo(ChangeCapture.MODE);
    assertThat(logged.recordCount()).isEqualTo(8);
    assertThat(logged.range(SOURCE).changeRange().min()).startsWith("2026-03-01T08:00");
  }

  @Test
  void eachCaptureReplacesTheContentWithOnlyTheNextSessionsRows() throws Exception {
    wh.append(SOURCE, Warehouse.events("a", 4, DAY));
    CapturedSession first = capture();
    // Not committed: capturing again returns the same session, even with new data landed.
    wh.append(SOURCE, Warehouse.events("late", 2, DAY.minusDays(3)));
    CapturedSession again = capture();
    assertThat(again.sessionId()).isEqualTo(first.sessionId());
    assertThat(again.repeated()).isTrue();
    assertThat(ids(wh.rows(again.changeTable()))).hasSize(4).allMatch(id -> id.startsWith("a-"));

    writeBranch(again);
    assertThat(commitOf(again).auditRowCountMatchesSource().build().commit().outcome())
        .isEqualTo(ChangeCommit.Outcome.PUBLISHED);

    CapturedSession second = capture();
    assertThat(second.sessionId()).isNotEqualTo(first.sessionId());
    assertThat(second.repeated()).isFalse();
    assertThat(ids(wh.rows(second.changeTable()))).containsExactlyInAnyOrder("late-0", "late-1");
    Set<String> sourcePaths = new HashSet<>();
    wh.load(SOURCE)
        .snapshots()
        .forEach(
            s ->
                s.addedDataFiles(wh.load(SOURCE).io())
                    .forEach(f -> sourcePaths.add(f.path().toString())));
    assertThat(sourcePaths).containsAll(livePaths(wh.load(second.changeTable())));
    // The first session stays readable by time travel.
    assertThat(livePathsAt(wh.load(second.changeTable()), first.changeSnapshotId())).hasSize(1);
  }

  private static Set<String> livePathsAt(Table t, long snapshotId) throws IOException {
    Set<String> out = new HashSet<>();
    try (CloseableIterable<FileScanTask> tasks = t.newScan().useSnapshot(snapshotId).planFiles()) {
      tasks.forEach(task -> out.add(task.file().path().toString()));
    }
    return out;
  }

  @Test
  void cyclesOverSessionsWithLateDataAndKillsPublishEveryRowOnce() throws Exception {
    List<Record> landed = new ArrayList<>();
    List<Record> batch = Warehouse.events("s1", 5, DAY);
    wh.append(SOURCE, batch);
    landed.addAll(batch);
    CapturedSession s1 = capture();
    writeBranch(s1);
    commitOf(s1).auditRowCountMatchesSource().auditNotNull(List.of("event_id")).build().commit();

    // Late data, then a cycle killed before commit: capture and write, no commit.
    batch = Warehouse.events("late", 3, DAY.minusDays(2));
    wh.append(SOURCE, batch);
    landed.addAll(batch);
    CapturedSession s2 = capture();
    writeBranch(s2);
    // The re-run captures the same session (nothing new planned) and commits it.
    batch = Warehouse.events("s3", 2, DAY.plusDays(1));
    wh.append(SOURCE, batch);
    landed.addAll(batch);
    CapturedSession s2again = capture();
    assertThat(s2again.sessionId()).isEqualTo(s2.sessionId());
    commitOf(s2again).auditRowCountMatchesSource().build().commit();

    // A cycle killed after its commit: the re-run's capture is a new session, nothing repeated.
    CapturedSession s3 = capture();
    assertThat(s3.sessionId()).isNotEqualTo(s2.sessionId());
    assertThat(ids(wh.rows(s3.changeTable()))).containsExactlyInAnyOrder("s3-0", "s3-1");
    writeBranch(s3);
    ChangeCommit.Result r3 = commitOf(s3).auditRowCountMatchesSource().build().commit();
    assertThat(r3.outcome()).isEqualTo(ChangeCommit.Outcome.PUBLISHED);
    CapturedSession none = capture();
    assertThat(none.hasNewData()).isFalse();
    assertThat(wh.rows(none.changeTable())).isEmpty();
    assertThat(commitOf(none).build().commit().outcome()).isEqualTo(ChangeCommit.Outcome.EMPTY);

    assertThat(idList(wh.rows(TARGET))).isEqualTo(idList(landed));
    Table target = wh.load(TARGET);
    PublishedHighWatermark hwm = PublishedHighWatermark.find(target, PROCESS).orElseThrow();
    assertThat(hwm.targetSnapshotId()).isEqualTo(target.currentSnapshot().snapshotId());
    assertThat(hwm.positions())
        .containsEntry(SOURCE, wh.load(SOURCE).currentSnapshot().snapshotId());
    assertThat(target.refs().keySet()).noneMatch(r -> r.startsWith("psyberg-audit-"));
    List<Session> sessions = new SessionLog(wh.catalog(), "psyberg").sessions(PROCESS);
    assertThat(sessions.stream().filter(s -> s.status() == SessionStatus.PUBLISHED)).hasSize(3);
  }

  @Test
  void aFailedAuditPublishesNothingAndASecondCommitIsANoOp() throws Exception {
    wh.append(SOURCE, Warehouse.events("a", 4, DAY));
    CapturedSession captured = capture();
    writeBranch(captured);
    Table target = wh.load(TARGET);

    assertThatThrownBy(() -> commitOf(captured).auditRowBounds(null, 3L).build().commit())
        .isInstanceOf(PsybergException.class)
        .hasMessageContaining("max-rows")
        .hasMessageContaining("nothing was published to " + TARGET)
        .hasMessageContaining(captured.auditBranch());
    target.refresh();
    assertThat(target.currentSnapshot()).isNull();
    assertThat(target.refs()).containsKey(captured.auditBranch());
    assertThat(new SessionLog(wh.catalog(), "psyberg").find(PROCESS, captured.sessionId()))
        .get()
        .extracting(Session::status)
        .isEqualTo(SessionStatus.AUDIT_FAILED);
    // Still the open session: a capture returns it.
    assertThat(capture().sessionId()).isEqualTo(captured.sessionId());

    ChangeCommit.Result published =
        commitOf(captured).auditRowBounds(4L, 4L).auditUnique(List.of("event_id")).build().commit();
    assertThat(published.outcome()).isEqualTo(ChangeCommit.Outcome.PUBLISHED);
    assertThat(wh.rows(TARGET)).hasSize(4);

    ChangeCommit.Result again = commitOf(captured).build().commit();
    assertThat(again.outcome()).isEqualTo(ChangeCommit.Outcome.ALREADY_PUBLISHED);
    assertThat(again.snapshotId()).isEqualTo(published.snapshotId());
    assertThat(wh.rows(TARGET)).hasSize(4);
  }

  @Test
  void aBranchWrittenBeforeMainMovedIsStagedAgainOnMain() throws Exception {
    wh.append(SOURCE, Warehouse.events("a", 3, DAY));
    CapturedSession captured = capture();
    writeBranch(captured);
    // Another writer appends to the target's main meanwhile.
    wh.append(TARGET, Warehouse.events("other", 2, DAY));

    commitOf(captured).auditRowCountMatchesSource().build().commit();

    assertThat(ids(wh.rows(TARGET)))
        .containsExactlyInAnyOrder("a-0", "a-1", "a-2", "other-0", "other-1");
  }

  @Test
  void expiringTheChangeTablesSnapshotsIsRefused() throws Exception {
    wh.append(SOURCE, Warehouse.events("a", 2, DAY));
    capture();
    wh.append(SOURCE, Warehouse.events("b", 2, DAY));
    Table change = wh.load(ChangeTables.defaultName(SOURCE, PROCESS));

    assertThatThrownBy(
            () -> change.expireSnapshots().expireOlderThan(System.currentTimeMillis() + 1).commit())
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("GC is disabled");
    // Dropping it, even with purge, deletes none of the source's files; a capture creates it again.
    assertThat(
            wh.catalog()
                .dropTable(TableIdentifier.parse(ChangeTables.defaultName(SOURCE, PROCESS)), true))
        .isTrue();
    Table source = wh.load(SOURCE);
    for (Snapshot s : source.snapshots()) {
      for (DataFile f : s.addedDataFiles(source.io())) {
        assertThat(Paths.get(f.path().toString().replaceFirst("^file:", ""))).exists();
      }
    }
    assertThat(wh.rows(SOURCE)).hasSize(4);
    assertThat(capture().range().recordCount()).isEqualTo(4);
  }

  @Test
  void twoRacingCapturesGiveOneSession() throws Exception {
    wh.append(SOURCE, Warehouse.events("a", 3, DAY));
    wh.append(SOURCE, Warehouse.events("b", 3, DAY));
    // Both race on creating the change table and on the capture itself.
    CountDownLatch start = new CountDownLatch(1);
    Callable<CapturedSession> racer =
        () -> {
          start.await();
          return capture();
        };
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<CapturedSession> a = pool.submit(racer);
      Future<CapturedSession> b = pool.submit(racer);
      start.countDown();
      assertThat(a.get().sessionId()).isEqualTo(b.get().sessionId());
    } finally {
      pool.shutdownNow();
    }
    List<Session> open =
        new SessionLog(wh.catalog(), "psyberg")
            .sessions(PROCESS).stream().filter(s -> s.status().isOpen()).toList();
    assertThat(open).hasSize(1);
    assertThat(wh.load(ChangeTables.defaultName(SOURCE, PROCESS)).refs().keySet())
        .containsExactly("main");
  }

  @Test
  void aCaptureThatLosesTheChangeTableToAnotherReturnsTheWinnersSession() throws Exception {
    wh.append(SOURCE, Warehouse.events("a", 3, DAY));
    CapturedSession first = capture();
    writeBranch(first);
    commitOf(first).build().commit();
    wh.append(SOURCE, Warehouse.events("b", 2, DAY));

    List<CapturedSession> winner = new ArrayList<>();
    // The other capture runs and commits after this one planned, before it commits.
    CapturedSession loser =
        ChangeCapture.capture(
            settings(),
            null,
            () -> {
              if (winner.isEmpty()) {
                winner.add(capture());
              }
            });

    assertThat(winner).hasSize(1);
    assertThat(winner.get(0).repeated()).isFalse();
    assertThat(loser.sessionId()).isEqualTo(winner.get(0).sessionId());
    assertThat(loser.repeated()).isTrue();
    assertThat(ids(wh.rows(loser.changeTable()))).containsExactlyInAnyOrder("b-0", "b-1");
    List<Session> sessions = new SessionLog(wh.catalog(), "psyberg").sessions(PROCESS);
    assertThat(sessions.stream().filter(s -> s.status() == SessionStatus.ABORTED)).hasSize(1);
    assertThat(sessions.stream().filter(s -> s.status().isOpen()))
        .extracting(Session::sessionId)
        .containsExactly(loser.sessionId());
    assertThat(wh.load(loser.changeTable()).refs().keySet()).containsExactly("main");
  }

  @Test
  void captureFollowsTheSourcesCatchUpCapAndNonAppendPolicy() throws Exception {
    wh.append(SOURCE, Warehouse.events("a", 1, DAY));
    wh.append(SOURCE, Warehouse.events("b", 1, DAY));
    wh.append(SOURCE, Warehouse.events("c", 1, DAY));
    ChangeSettings capped =
        ChangeSettings.builder()
            .catalog(wh.spec())
            .processName(PROCESS)
            .sourceTable(SOURCE)
            .maxSnapshotsPerSession(2)
            .build();
    CapturedSession first = ChangeCapture.capture(capped, null);
    assertThat(first.range().snapshotCount()).isEqualTo(2);
    assertThat(ids(wh.rows(first.changeTable()))).containsExactlyInAnyOrder("a-0", "b-0");
    writeBranch(first);
    commitOf(first).auditRowCountMatchesSource().build().commit();
    CapturedSession second = ChangeCapture.capture(capped, null);
    assertThat(ids(wh.rows(second.changeTable()))).containsExactly("c-0");
    writeBranch(second);
    commitOf(second).auditRowCountMatchesSource().build().commit();

    // A delete snapshot in the range: fails by default, naming it; skipped with 'skip'.
    Table source = wh.load(SOURCE);
    DataFile firstFile =
        source.snapshots().iterator().next().addedDataFiles(source.io()).iterator().next();
    source.newDelete().deleteFile(firstFile).commit();
    long delete = source.currentSnapshot().snapshotId();
    wh.append(SOURCE, Warehouse.events("d", 1, DAY));
    assertThatThrownBy(() -> ChangeCapture.capture(capped, null))
        .hasMessageContaining(Long.toString(delete))
        .hasMessageContaining("non-append-snapshots");
    CapturedSession skipping =
        ChangeCapture.capture(
            ChangeSettings.builder()
                .catalog(wh.spec())
                .processName(PROCESS)
                .sourceTable(SOURCE)
                .nonAppendSnapshots(NonAppendSnapshots.SKIP)
                .build(),
            null);
    assertThat(skipping.range().skippedSnapshotCount()).isEqualTo(1);
    assertThat(ids(wh.rows(skipping.changeTable()))).containsExactly("d-0");
  }

  @Test
  void pendingTellsWhatIsNewSinceTheHighWatermark() throws Exception {
    assertThat(PendingData.check(settings()).hasNewData()).isFalse();
    wh.append(SOURCE, Warehouse.events("a", 3, DAY));
    wh.append(SOURCE, Warehouse.events("b", 2, DAY));
    PendingData pending = PendingData.check(settings());
    assertThat(pending.hasNewData()).isTrue();
    assertThat(pending.range().snapshotCount()).isEqualTo(2);
    assertThat(pending.range().dataFileCount()).isEqualTo(2);
    assertThat(pending.range().recordCount()).isEqualTo(5);

    CapturedSession captured = capture();
    writeBranch(captured);
    commitOf(captured).build().commit();
    assertThat(PendingData.check(settings()).hasNewData()).isFalse();
  }

  @Test
  void badInputsNameWhatToFix() {
    assertThatThrownBy(
            () ->
                ChangeCapture.capture(
                    ChangeSettings.builder()
                        .catalog(wh.spec())
                        .processName(PROCESS)
                        .sourceTable("raw.missing")
                        .build(),
                    null))
        .hasMessageContaining("raw.missing")
        .hasMessageContaining("does not exist");
    assertThatThrownBy(() -> ChangeCapture.capture(settings(), TARGET))
        .hasMessageContaining(TARGET)
        .hasMessageContaining("is not the change table");
    assertThatThrownBy(
            () ->
                ChangeCommit.builder()
                    .catalog(wh.spec())
                    .processName(PROCESS)
                    .sessionId("s-nope")
                    .targetTable(TARGET)
                    .build()
                    .commit())
        .hasMessageContaining("no session s-nope");
  }
}
