package io.psyberg.flink.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.source.PsybergSource;
import io.psyberg.flink.source.PsybergSourceBuilder;
import io.psyberg.flink.source.reader.SplitsFinishedEvent;
import io.psyberg.flink.source.split.PsybergSplit;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.apache.flink.util.FlinkRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The enumerator on Flink's {@link MockSplitEnumeratorContext}: the test runs the IO-pool calls one
 * by one and drives checkpoints, reader requests and events in chosen orders, against a real
 * Iceberg table and session log in a temp warehouse.
 */
class PsybergSplitEnumeratorTest {
  private static final String EVENTS = "membership.events";
  private static final LocalDateTime DAY1 = LocalDateTime.of(2026, 1, 1, 8, 0);
  private static final String JOB = "0000000000000000000000000000000a";

  @TempDir Path dir;
  private Warehouse wh;
  private SessionLog log;
  private final List<MockSplitEnumeratorContext<PsybergSplit>> contexts = new ArrayList<>();

  @BeforeEach
  void setUp() {
    wh = new Warehouse(dir);
    wh.createEventsTable(EVENTS);
    log = new SessionLog(wh.catalog(), "psyberg");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (MockSplitEnumeratorContext<PsybergSplit> c : contexts) {
      c.close();
    }
    wh.close();
  }

  @Test
  void boundedPlansOneSessionThenEndsEveryReader() throws Throwable {
    long s1 = wh.append(EVENTS, Warehouse.events("a", 3, DAY1));
    long s2 = wh.append(EVENTS, Warehouse.events("b", 2, DAY1));
    MockSplitEnumeratorContext<PsybergSplit> ctx = context(JOB, 2);
    SplitEnumerator<PsybergSplit, PsybergEnumeratorState> enumerator =
        source("p_bounded").bounded().build().createEnumerator(ctx);

    enumerator.start();
    assertThat(ctx.getPeriodicCallables()).isEmpty();
    assertThat(log.sessions("p_bounded")).isEmpty();
    ctx.runNextOneTimeCallable();

    Session session = only(log.sessions("p_bounded"));
    assertThat(session.status()).isEqualTo(SessionStatus.PLANNED);
    assertThat(session.jobId()).isEqualTo(JOB);
    assertThat(session.range(EVENTS).fromSnapshotId()).isNull();
    assertThat(session.range(EVENTS).toSnapshotId()).isEqualTo(s2);

    List<PsybergSplit> assigned = requestUntilNoMoreSplits(ctx, enumerator, 0);
    assertThat(assigned).extracting(PsybergSplit::snapshotId).containsExactlyInAnyOrder(s1, s2);
    assertThat(assigned).allMatch(s -> s.sessionId().equals(session.sessionId()));
    assertThat(requestUntilNoMoreSplits(ctx, enumerator, 1)).isEmpty();
  }

  @Test
  void boundedWithNothingNewRecordsAnEmptySession() throws Throwable {
    MockSplitEnumeratorContext<PsybergSplit> ctx = context(JOB, 1);
    SplitEnumerator<PsybergSplit, PsybergEnumeratorState> enumerator =
        source("p_empty").bounded().build().createEnumerator(ctx);
    enumerator.start();
    ctx.runNextOneTimeCallable();

    assertThat(log.sessions("p_empty"))
        .extracting(Session::status)
        .containsExactly(SessionStatus.EMPTY);
    assertThat(requestUntilNoMoreSplits(ctx, enumerator, 0)).isEmpty();
  }

  @Test
  void continuousPlansTheNextSessionOnlyAfterTheCheckpointTheLastWasReadThrough() throws Throwable {
    long s1 = wh.append(EVENTS, Warehouse.events("a", 3, DAY1));
    MockSplitEnumeratorContext<PsybergSplit> ctx = context(JOB, 1);
    SplitEnumerator<PsybergSplit, PsybergEnumeratorState> enumerator =
        continuous("p_cont").createEnumerator(ctx);
    enumerator.start();
    ctx.runNextOneTimeCallable(); // recovery, then planning is scheduled
    assertThat(ctx.getPeriodicCallables()).hasSize(1);

    ctx.runPeriodicCallable(0);
    Session first = only(log.sessions("p_cont"));
    List<PsybergSplit> splits = assignAll(ctx, enumerator, 0);
    assertThat(splits).extracting(PsybergSplit::snapshotId).containsExactly(s1);

    long s2 = wh.append(EVENTS, Warehouse.events("b", 2, DAY1));
    ctx.runPeriodicCallable(0);
    assertThat(log.sessions("p_cont")).as("one session in flight at a time").hasSize(1);

    PsybergEnumeratorState atCheckpoint1 = enumerator.snapshotState(1);
    assertThat(atCheckpoint1.inFlightSessionId()).isEqualTo(first.sessionId());
    assertThat(atCheckpoint1.readThroughCheckpoint()).isEqualTo(-1);

    enumerator.handleSourceEvent(0, new SplitsFinishedEvent(ids(splits)));
    PsybergEnumeratorState atCheckpoint2 = enumerator.snapshotState(2);
    assertThat(atCheckpoint2.readThroughCheckpoint()).isEqualTo(2);
    ctx.runNextOneTimeCallable(); // records the mark
    assertThat(log.find("p_cont", first.sessionId()).orElseThrow().readThroughCheckpoint())
        .isEqualTo(2L);
    ctx.runPeriodicCallable(0);
    assertThat(log.sessions("p_cont")).as("held until the next checkpoint").hasSize(1);

    assertThat(enumerator.snapshotState(3).inFlightSessionId()).isNull();
    ctx.runPeriodicCallable(0);
    List<Session> sessions = log.sessions("p_cont");
    assertThat(sessions).hasSize(2);
    Session second = sessions.get(1);
    assertThat(second.range(EVENTS).fromSnapshotId()).isEqualTo(s1);
    assertThat(second.range(EVENTS).toSnapshotId()).isEqualTo(s2);
  }

  @Test
  void restoreAbortsSessionsPlannedAfterTheCheckpointBeforeItPlansAgain() throws Throwable {
    wh.append(EVENTS, Warehouse.events("a", 3, DAY1));
    PsybergSource source = continuous("p_restore");
    MockSplitEnumeratorContext<PsybergSplit> ctx = context(JOB, 1);
    SplitEnumerator<PsybergSplit, PsybergEnumeratorState> enumerator = startAndPlan(source, ctx);
    Session handedToSink = only(log.sessions("p_restore"));
    enumerator.handleSourceEvent(0, new SplitsFinishedEvent(ids(assignAll(ctx, enumerator, 0))));
    enumerator.snapshotState(1);
    ctx.runNextOneTimeCallable();
    PsybergEnumeratorState checkpoint2 = roundTrip(enumerator.snapshotState(2));
    long s2 = wh.append(EVENTS, Warehouse.events("b", 2, DAY1));
    ctx.runPeriodicCallable(0);
    Session rolledBack = log.sessions("p_restore").get(1);
    assertThat(rolledBack.status()).isEqualTo(SessionStatus.PLANNED);

    // The job fails before checkpoint 3 and restarts from checkpoint 2.
    MockSplitEnumeratorContext<PsybergSplit> restarted = context(JOB, 1);
    SplitEnumerator<PsybergSplit, PsybergEnumeratorState> restored =
        source.restoreEnumerator(restarted, checkpoint2);
    restored.start();
    assertThat(restarted.getPeriodicCallables()).as("no planning before recovery").isEmpty();
    assertThat(status("p_restore", rolledBack)).isEqualTo(SessionStatus.PLANNED);

    restarted.runNextOneTimeCallable();
    assertThat(status("p_restore", rolledBack)).isEqualTo(SessionStatus.ABORTED);
    assertThat(status("p_restore", handedToSink)).isEqualTo(SessionStatus.PLANNED);
    assertThat(restarted.getPeriodicCallables()).hasSize(1);

    restarted.runPeriodicCallable(0);
    Session replanned = log.sessions("p_restore").get(2);
    assertThat(replanned.range(EVENTS).fromSnapshotId())
        .isEqualTo(rolledBack.range(EVENTS).fromSnapshotId());
    assertThat(replanned.range(EVENTS).toSnapshotId()).isEqualTo(s2);
  }

  @Test
  void aRestoredInFlightSessionIsRecordedAsTheNewJobsWithItsMark() throws Throwable {
    wh.append(EVENTS, Warehouse.events("a", 3, DAY1));
    PsybergSource source = continuous("p_savepoint");
    MockSplitEnumeratorContext<PsybergSplit> ctx = context(JOB, 1);
    SplitEnumerator<PsybergSplit, PsybergEnumeratorState> enumerator = startAndPlan(source, ctx);
    enumerator.handleSourceEvent(0, new SplitsFinishedEvent(ids(assignAll(ctx, enumerator, 0))));
    PsybergEnumeratorState savepoint = roundTrip(enumerator.snapshotState(7));
    ctx.runNextOneTimeCallable();

    String newJob = "0000000000000000000000000000000b";
    MockSplitEnumeratorContext<PsybergSplit> next = context(newJob, 1);
    source.restoreEnumerator(next, savepoint).start();
    next.runNextOneTimeCallable();

    Session session = only(log.sessions("p_savepoint"));
    assertThat(session.jobId()).isEqualTo(newJob);
    assertThat(session.readThroughCheckpoint()).isEqualTo(7L);
    assertThat(session.status()).isEqualTo(SessionStatus.PLANNED);
  }

  @Test
  void continuousTurnsAReaderRestartIntoARestartOfTheJob() throws Throwable {
    wh.append(EVENTS, Warehouse.events("a", 1, DAY1));
    MockSplitEnumeratorContext<PsybergSplit> ctx = context(JOB, 1);
    SplitEnumerator<PsybergSplit, PsybergEnumeratorState> enumerator =
        startAndPlan(continuous("p_failover"), ctx);
    List<PsybergSplit> splits = assignAll(ctx, enumerator, 0);

    assertThatThrownBy(() -> enumerator.addSplitsBack(splits, 0))
        .isInstanceOf(FlinkRuntimeException.class)
        .hasMessageContaining("Process p_failover")
        .hasMessageContaining("restarting the whole job from the last checkpoint");
  }

  @Test
  void boundedHandsReturnedSplitsOutAgain() throws Throwable {
    wh.append(EVENTS, Warehouse.events("a", 1, DAY1));
    MockSplitEnumeratorContext<PsybergSplit> ctx = context(JOB, 2);
    SplitEnumerator<PsybergSplit, PsybergEnumeratorState> enumerator =
        source("p_back").bounded().build().createEnumerator(ctx);
    enumerator.start();
    ctx.runNextOneTimeCallable();
    List<PsybergSplit> first = assignAll(ctx, enumerator, 0);
    assertThat(first).hasSize(1);

    enumerator.addSplitsBack(first, 0);
    ctx.unregisterReader(0);
    assertThat(requestUntilNoMoreSplits(ctx, enumerator, 1))
        .extracting(PsybergSplit::splitId)
        .containsExactlyElementsOf(ids(first));
  }

  private PsybergSourceBuilder source(String process) {
    return PsybergSource.builder()
        .catalog(wh.spec())
        .processName(process)
        .tables(EVENTS)
        .changeRangeColumn("event_ts");
  }

  private PsybergSource continuous(String process) {
    return source(process).continuous(Duration.ofSeconds(1)).build();
  }

  /** Starts an enumerator of the source and runs its recovery and its first planning round. */
  private static SplitEnumerator<PsybergSplit, PsybergEnumeratorState> startAndPlan(
      PsybergSource source, MockSplitEnumeratorContext<PsybergSplit> ctx) throws Throwable {
    SplitEnumerator<PsybergSplit, PsybergEnumeratorState> enumerator = source.createEnumerator(ctx);
    enumerator.start();
    ctx.runNextOneTimeCallable();
    ctx.runPeriodicCallable(0);
    return enumerator;
  }

  /** A mock context whose metric scope carries a job id, as the coordinator's does. */
  private MockSplitEnumeratorContext<PsybergSplit> context(String jobId, int parallelism) {
    MockSplitEnumeratorContext<PsybergSplit> ctx = new JobContext(jobId, parallelism);
    contexts.add(ctx);
    return ctx;
  }

  /** Registers the reader and lets it request splits until none is left for it right now. */
  private static List<PsybergSplit> assignAll(
      MockSplitEnumeratorContext<PsybergSplit> ctx,
      SplitEnumerator<PsybergSplit, PsybergEnumeratorState> enumerator,
      int subtask) {
    ctx.registerReader(new ReaderInfo(subtask, "localhost"));
    List<PsybergSplit> got = new ArrayList<>();
    while (true) {
      int before = ctx.getSplitsAssignmentSequence().size();
      enumerator.handleSplitRequest(subtask, null);
      if (ctx.getSplitsAssignmentSequence().size() == before) {
        return got;
      }
      SplitsAssignment<PsybergSplit> last = ctx.getSplitsAssignmentSequence().get(before);
      got.addAll(last.assignment().getOrDefault(subtask, List.of()));
    }
  }

  private static List<PsybergSplit> requestUntilNoMoreSplits(
      MockSplitEnumeratorContext<PsybergSplit> ctx,
      SplitEnumerator<PsybergSplit, PsybergEnumeratorState> enumerator,
      int subtask) {
    List<PsybergSplit> got = assignAll(ctx, enumerator, subtask);
    assertThat(ctx.hasNoMoreSplits(subtask)).as("reader %d told no more splits", subtask).isTrue();
    return got;
  }

  private static List<String> ids(List<PsybergSplit> splits) {
    return splits.stream().map(PsybergSplit::splitId).toList();
  }

  private static PsybergEnumeratorState roundTrip(PsybergEnumeratorState state) throws Exception {
    PsybergEnumeratorStateSerializer serializer = PsybergEnumeratorStateSerializer.INSTANCE;
    return serializer.deserialize(serializer.getVersion(), serializer.serialize(state));
  }

  private SessionStatus status(String process, Session session) {
    return log.find(process, session.sessionId()).orElseThrow().status();
  }

  private static Session only(List<Session> sessions) {
    assertThat(sessions).hasSize(1);
    return sessions.get(0);
  }
}
