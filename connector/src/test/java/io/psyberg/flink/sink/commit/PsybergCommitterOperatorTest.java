package io.psyberg.flink.sink.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.metadata.SummaryKeys;
import io.psyberg.flink.session.Processing;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.sink.WriteMode;
import io.psyberg.flink.sink.compaction.TargetCompaction;
import io.psyberg.flink.testutils.Pipelines;
import io.psyberg.flink.testutils.SinkHarnesses;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.TaskStateSnapshot;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committer on Flink's operator test harness through orderings of snapshot, restore and
 * checkpoint notifications (as Iceberg's {@code TestIcebergFilesCommitter}), with committables from
 * the real writer and sessions in the real session log, as a psyberg source of the same job leaves
 * them. A restore names the checkpoint its state was taken at, as a job's restore does.
 */
class PsybergCommitterOperatorTest {
  private static final String TARGET = "facts.events";
  private static final String PROCESS = "p_commit";

  @TempDir Path dir;
  private Warehouse wh;
  private Table table;
  private SessionLog log;
  private final JobID job = new JobID();
  private final List<AutoCloseable> opened = new ArrayList<>();

  @BeforeEach
  void setUp() {
    wh = new Warehouse(dir);
    table = wh.createEventsTable(TARGET);
    log = new SessionLog(wh.catalog(), "psyberg");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
    wh.close();
  }

  @Test
  void aSessionIsPublishedWhenTheCheckpointItWasReadThroughCompletes() throws Exception {
    recordSession("s1", 1L);
    OneInputStreamOperatorTestHarness<byte[], Void> committer = committer(true, null);
    committer.processElement(committable(1, "a-0", "a-1"), 0L);
    committer.snapshot(1, 0L);
    assertThat(snapshots()).as("nothing before the checkpoint completes").isEmpty();
    assertThat(status("s1")).isEqualTo(SessionStatus.PLANNED);

    committer.notifyOfCompletedCheckpoint(1);

    assertThat(Pipelines.ids(table)).containsExactlyInAnyOrder("a-0", "a-1");
    Session published = log.find(PROCESS, "s1").orElseThrow();
    assertThat(published.status()).isEqualTo(SessionStatus.PUBLISHED);
    assertThat(published.publishedSnapshotId()).isEqualTo(table.currentSnapshot().snapshotId());
    assertThat(table.currentSnapshot().summary()).containsEntry(SummaryKeys.SESSION_IDS, "s1");
  }

  @Test
  void aSessionReadThroughALaterCheckpointWaitsAndTakesEveryEarlierCheckpoint() throws Exception {
    recordSession("s1", 2L);
    OneInputStreamOperatorTestHarness<byte[], Void> committer = committer(true, null);
    committer.processElement(committable(1, "a-0"), 0L);
    committer.snapshot(1, 0L);
    committer.notifyOfCompletedCheckpoint(1);
    assertThat(snapshots()).isEmpty();

    committer.processElement(committable(2, "b-0"), 0L);
    committer.snapshot(2, 0L);
    committer.notifyOfCompletedCheckpoint(2);

    assertThat(snapshots()).hasSize(1);
    assertThat(Pipelines.ids(table)).containsExactlyInAnyOrder("a-0", "b-0");
  }

  @Test
  void anOlderCheckpointsNotificationAfterANewerOnePublishesNothingMore() throws Exception {
    recordSession("s1", 1L);
    recordSession("s2", 2L);
    OneInputStreamOperatorTestHarness<byte[], Void> committer = committer(true, null);
    committer.processElement(committable(1, "a-0"), 0L);
    committer.snapshot(1, 0L);
    committer.processElement(committable(2, "b-0"), 0L);
    committer.snapshot(2, 0L);

    committer.notifyOfCompletedCheckpoint(2);
    List<Snapshot> afterNewer = snapshots();
    committer.notifyOfCompletedCheckpoint(1);

    assertThat(snapshots()).isEqualTo(afterNewer);
    assertThat(afterNewer)
        .extracting(s -> s.summary().get(SummaryKeys.SESSION_IDS))
        .containsExactly("s1", "s2");
    assertThat(Pipelines.ids(table)).containsExactlyInAnyOrder("a-0", "b-0");
  }

  @Test
  void aRestoredSessionIsPublishedOnceWhenItsCheckpointIsRestored() throws Exception {
    recordSession("s1", 1L);
    OneInputStreamOperatorTestHarness<byte[], Void> failed = committer(true, null);
    failed.processElement(committable(1, "a-0", "a-1"), 0L);
    OperatorSubtaskState checkpoint1 = failed.snapshot(1, 0L);
    closeNow(failed); // the job fails before checkpoint 1's completion is notified

    OneInputStreamOperatorTestHarness<byte[], Void> restored = committer(true, checkpoint1, 1L);
    assertThat(snapshots()).as("restoring checkpoint 1 publishes what it completed").hasSize(1);
    restored.snapshot(2, 0L);
    restored.notifyOfCompletedCheckpoint(2);
    restored.snapshot(3, 0L);
    restored.notifyOfCompletedCheckpoint(3);

    assertThat(snapshots()).hasSize(1);
    assertThat(Pipelines.ids(table)).containsExactlyInAnyOrder("a-0", "a-1");
    assertThat(status("s1")).isEqualTo(SessionStatus.PUBLISHED);
  }

  /**
   * A failed attempt marked the session read through checkpoint 2, which never completed, so its
   * last rows were lost with it and are read again after the restore from checkpoint 1. The stale
   * mark must not publish the session when a later checkpoint completes: only the mark the source
   * records after reading it again does.
   */
  @Test
  void aMarkForACheckpointThatNeverCompletedDoesNotPublishAfterARestore() throws Exception {
    Session s1 = recordSession("s1", null);
    OneInputStreamOperatorTestHarness<byte[], Void> failed = committer(true, null);
    failed.processElement(committable(1, "a-0"), 0L);
    OperatorSubtaskState checkpoint1 = failed.snapshot(1, 0L);
    failed.notifyOfCompletedCheckpoint(1);
    log.record(s1.withJob(job.toString(), 2L));
    failed.processElement(committable(2, "a-1"), 0L);
    failed.snapshot(2, 0L);
    closeNow(failed); // the job fails before checkpoint 2 completes

    OneInputStreamOperatorTestHarness<byte[], Void> restored = committer(true, checkpoint1, 1L);
    restored.snapshot(3, 0L);
    restored.notifyOfCompletedCheckpoint(3);
    assertThat(snapshots()).as("nothing published on the stale mark").isEmpty();
    assertThat(status("s1")).isEqualTo(SessionStatus.PLANNED);

    log.record(s1.withJob(job.toString(), 4L)); // the source read a-1 again
    restored.processElement(committable(4, "a-1"), 0L);
    restored.snapshot(4, 0L);
    restored.notifyOfCompletedCheckpoint(4);

    assertThat(snapshots()).hasSize(1);
    assertThat(Pipelines.ids(table)).containsExactlyInAnyOrder("a-0", "a-1");
    assertThat(status("s1")).isEqualTo(SessionStatus.PUBLISHED);
  }

  @Test
  void restoringACheckpointWhoseSessionWasAlreadyPublishedPublishesNothing() throws Exception {
    recordSession("s1", 1L);
    OneInputStreamOperatorTestHarness<byte[], Void> first = committer(true, null);
    first.processElement(committable(1, "a-0", "a-1"), 0L);
    OperatorSubtaskState checkpoint1 = first.snapshot(1, 0L);
    first.notifyOfCompletedCheckpoint(1);
    long published = table.currentSnapshot().snapshotId();
    closeNow(first); // the job fails after the publish, before its next checkpoint

    OneInputStreamOperatorTestHarness<byte[], Void> restored = committer(true, checkpoint1);
    restored.snapshot(2, 0L);
    restored.notifyOfCompletedCheckpoint(2);

    table.refresh();
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(published);
    assertThat(Pipelines.ids(table)).containsExactlyInAnyOrder("a-0", "a-1");
    Session s1 = log.find(PROCESS, "s1").orElseThrow();
    assertThat(s1.status()).isEqualTo(SessionStatus.PUBLISHED);
    assertThat(s1.publishedSnapshotId()).isEqualTo(published);
  }

  @Test
  void sessionsThatWereGivenUpAreNeverPublished() throws Exception {
    log.record(recordSession("s1", 1L).withStatus(SessionStatus.ABORTED));
    OneInputStreamOperatorTestHarness<byte[], Void> committer = committer(true, null);
    committer.processElement(committable(1, "a-0"), 0L);
    committer.snapshot(1, 0L);
    committer.notifyOfCompletedCheckpoint(1);

    assertThat(snapshots()).isEmpty();
    assertThat(status("s1")).isEqualTo(SessionStatus.ABORTED);
  }

  @Test
  void withoutAPsybergSourceEachCompletedCheckpointIsASessionOfItsOwn() throws Exception {
    OneInputStreamOperatorTestHarness<byte[], Void> committer = committer(true, null);
    committer.processElement(committable(1, "a-0"), 0L);
    committer.snapshot(1, 0L);
    committer.notifyOfCompletedCheckpoint(1);
    committer.processElement(committable(2, "b-0"), 0L);
    committer.snapshot(2, 0L);
    committer.notifyOfCompletedCheckpoint(2);

    assertThat(log.sessions(PROCESS))
        .extracting(Session::sessionId, Session::status)
        .containsExactly(
            tuple("sink-" + job + "-1", SessionStatus.PUBLISHED),
            tuple("sink-" + job + "-2", SessionStatus.PUBLISHED));
    assertThat(Pipelines.ids(table)).containsExactlyInAnyOrder("a-0", "b-0");
  }

  @Test
  void atEndOfInputTheNewestOpenSessionIsPublishedAndOlderOnesAreSuperseded() throws Exception {
    recordSession("s-old", null, Instant.now().minusSeconds(60));
    recordSession("s-new", null, Instant.now());
    OneInputStreamOperatorTestHarness<byte[], Void> committer = committer(false, null);
    committer.processElement(committable(1, "a-0"), 0L);
    committer.endInput();

    assertThat(status("s-old")).isEqualTo(SessionStatus.ABORTED);
    assertThat(status("s-new")).isEqualTo(SessionStatus.PUBLISHED);
    assertThat(Pipelines.ids(table)).containsExactly("a-0");
  }

  @Test
  void aContinuousInputWithoutCheckpointingFailsNamingProcessTableAndFix() throws Exception {
    MockEnvironment env = track(SinkHarnesses.environment(job));
    OneInputStreamOperatorTestHarness<byte[], Void> committer =
        track(new OneInputStreamOperatorTestHarness<>(operator(true), env));
    committer.getStreamConfig().setCheckpointingEnabled(false);

    assertThatThrownBy(committer::open)
        .isInstanceOf(PsybergException.class)
        .hasMessageContaining("Process " + PROCESS)
        .hasMessageContaining(TARGET)
        .hasMessageContaining("checkpointing is off")
        .hasMessageContaining("env.enableCheckpointing");
  }

  /** A committer of this test's job, opened fresh or from a checkpoint's state. */
  private OneInputStreamOperatorTestHarness<byte[], Void> committer(
      boolean continuousInput, @Nullable OperatorSubtaskState restoreFrom) throws Exception {
    return committer(continuousInput, restoreFrom, 1L);
  }

  /**
   * A committer restored from the state of checkpoint {@code restoredCheckpoint} (Flink's harness
   * alone would report every restore as one of checkpoint 0).
   */
  private OneInputStreamOperatorTestHarness<byte[], Void> committer(
      boolean continuousInput, @Nullable OperatorSubtaskState restoreFrom, long restoredCheckpoint)
      throws Exception {
    MockEnvironment env = track(SinkHarnesses.environment(job));
    RestorableHarness harness = track(new RestorableHarness(operator(continuousInput), env));
    harness.getStreamConfig().setCheckpointingEnabled(true);
    if (restoreFrom != null) {
      harness.restore(restoreFrom, restoredCheckpoint);
    }
    harness.open();
    return harness;
  }

  /** The operator harness, restoring state under the id of the checkpoint it was taken at. */
  private static final class RestorableHarness
      extends OneInputStreamOperatorTestHarness<byte[], Void> {
    RestorableHarness(PsybergCommitterOperator operator, MockEnvironment env) throws Exception {
      super(operator, env);
    }

    void restore(OperatorSubtaskState state, long checkpointId) throws Exception {
      setup();
      TaskStateSnapshot snapshot = new TaskStateSnapshot();
      snapshot.putSubtaskStateByOperatorID(getOperator().getOperatorID(), state);
      taskStateManager.setReportedCheckpointId(checkpointId);
      taskStateManager.setJobManagerTaskStateSnapshotsByCheckpointId(
          Map.of(checkpointId, snapshot));
      initializeState((OperatorSubtaskState) null);
    }
  }

  private PsybergCommitterOperator operator(boolean continuousInput) {
    return new PsybergCommitterOperator(
        wh.spec(),
        TARGET,
        PROCESS,
        WriteMode.APPEND,
        List.of(),
        null,
        TargetCompaction.OFF,
        PublishHook.NONE,
        continuousInput);
  }

  private byte[] committable(long checkpointId, String... ids) throws Exception {
    return SinkHarnesses.committable(wh.spec(), TARGET, PROCESS, job, checkpointId, ids);
  }

  /** A session of this job as a psyberg source records it, read through the given checkpoint. */
  private Session recordSession(String id, @Nullable Long readThroughCheckpoint) {
    return recordSession(id, readThroughCheckpoint, Instant.now());
  }

  private Session recordSession(
      String id, @Nullable Long readThroughCheckpoint, Instant startedAt) {
    Session s =
        Session.builder()
            .sessionId(id)
            .processName(PROCESS)
            .mode(readThroughCheckpoint == null ? "bounded" : "continuous")
            .processing(Processing.STATELESS)
            .jobId(job.toString())
            .ranges(List.of())
            .status(SessionStatus.PLANNED)
            .startedAt(startedAt)
            .readThroughCheckpoint(readThroughCheckpoint)
            .build();
    log.record(s);
    return s;
  }

  private List<Snapshot> snapshots() {
    table.refresh();
    List<Snapshot> out = new ArrayList<>();
    table.snapshots().forEach(out::add);
    return out;
  }

  private SessionStatus status(String sessionId) {
    return log.find(PROCESS, sessionId).orElseThrow().status();
  }

  /** Closes a harness now (a failed job's task) instead of after the test. */
  private void closeNow(OneInputStreamOperatorTestHarness<byte[], Void> harness) throws Exception {
    opened.remove(harness);
    harness.close();
  }

  private <T extends AutoCloseable> T track(T resource) {
    opened.add(resource);
    return resource;
  }
}
