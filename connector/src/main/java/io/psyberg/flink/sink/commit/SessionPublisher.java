package io.psyberg.flink.sink.commit;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.metadata.HighWatermarkMirror;
import io.psyberg.flink.metadata.HighWatermarkPoints;
import io.psyberg.flink.metadata.PublishedHighWatermark;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.metrics.CommitterMetrics;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.session.SourceRange;
import io.psyberg.flink.sink.PsybergSink;
import io.psyberg.flink.sink.WriteMode;
import io.psyberg.flink.sink.audit.AuditContext;
import io.psyberg.flink.sink.audit.AuditFailedException;
import io.psyberg.flink.sink.audit.AuditResult;
import io.psyberg.flink.sink.audit.AuditRunner;
import io.psyberg.flink.sink.audit.AuditSpec;
import io.psyberg.flink.sink.compaction.TargetCompaction;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Write-audit-publish for one session: stages the written files as a snapshot on an audit branch
 * created from main, runs the audits on it, then fast-forwards main to it and drops the branch in
 * one commit. The staged snapshot carries the new high watermark in its summary, so data and HWM
 * reach main in one atomic step, whatever else committed to the target meanwhile (main moved: the
 * session is staged again on the new main and re-audited). A replayed session that is already on
 * main is recognised and only its metadata rows are completed.
 *
 * <p>A publish runs as named steps, each attempt ({@link #attempt}) checking continuity, staging,
 * then auditing ({@link #audit}) and fast-forwarding main ({@link #fastForwardMain}). A step that
 * finds main or the audit branch moved ends the attempt with a retry outcome; after {@link
 * #MAX_ATTEMPTS} of them the publish fails with nothing published.
 */
@Internal
public final class SessionPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SessionPublisher.class);

  /** How long closing waits for a STAGED row being written. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

  private static final int MAX_ATTEMPTS = 10;
  public static final String BRANCH_PREFIX = PsybergSink.AUDIT_BRANCH_PREFIX;

  private final Catalog catalog;
  private final String metadataNamespace;
  private final TableIdentifier target;
  private final String processName;
  private final WriteMode writeMode;
  private final List<AuditSpec> audits;
  private final PublishHook hook;
  private final SessionStager stager;
  private final SessionLog log;
  private final HighWatermarkMirror mirror;
  private final PublishContinuity continuity;
  @Nullable private ScheduledExecutorService stagedRowTimer;
  private CommitterMetrics metrics = CommitterMetrics.unregistered();
  private TargetCompaction compaction = TargetCompaction.OFF;

  public SessionPublisher(
      Catalog catalog,
      String metadataNamespace,
      TableIdentifier target,
      String processName,
      WriteMode writeMode,
      List<AuditSpec> audits,
      @Nullable String overwriteColumn,
      PublishHook hook) {
    this.catalog = catalog;
    this.metadataNamespace = metadataNamespace;
    this.target = target;
    this.processName = processName;
    this.writeMode = writeMode;
    this.audits = List.copyOf(audits);
    this.hook = hook;
    this.stager = new SessionStager(processName, writeMode, overwriteColumn);
    // One handle each for the publisher's life: every use refreshes the table instead of loading
    // it again.
    this.log = new SessionLog(catalog, metadataNamespace);
    this.mirror = new HighWatermarkMirror(catalog, metadataNamespace);
    this.continuity =
        new PublishContinuity(
            catalog, metadataNamespace, target, processName, writeMode, log, mirror);
  }

  /** Reports stages, audits, publishes, retries and restages to these metrics from now on. */
  public void measuredBy(CommitterMetrics metrics) {
    this.metrics = metrics;
  }

  /** Compacts the target's delete files after a publish when {@code compaction} says it is due. */
  public void compactWith(TargetCompaction compaction) {
    this.compaction = compaction;
  }

  /** Compactions of the metadata tables this publisher's writes triggered. */
  public long metadataCompactions() {
    return log.compactions() + mirror.compactions();
  }

  public static String branchOf(Session session) {
    return BRANCH_PREFIX + session.sessionId();
  }

  /**
   * Stages, audits and publishes the session with the given committables.
   *
   * @return the snapshot on main holding the session, or empty when there was nothing to publish
   * @throws AuditFailedException when an error-severity audit fails (nothing published)
   * @throws PsybergException when another run already published this range, or main kept moving
   *     under every attempt (nothing published)
   */
  public Optional<Long> publish(
      Session session,
      Collection<PsybergCommittable> committables,
      String jobId,
      long checkpointId) {
    Table table = catalog.loadTable(target);
    Optional<Long> replayed = completeIfPublished(table, session);
    if (replayed.isPresent()) {
      return replayed;
    }
    StagedFiles files = StagedFiles.of(table, committables);
    if (files.isEmpty()
        && !movesHighWatermark(
            session, PublishedHighWatermark.find(table, processName).orElse(null))) {
      log.record(session.finished(SessionStatus.EMPTY, target.toString(), null, null));
      metrics.empty();
      LOG.info(
          "Process {}: session {} has nothing to publish (EMPTY).",
          processName,
          session.sessionId());
      return Optional.empty();
    }
    for (int attempt = 1; ; attempt++) {
      Attempt outcome = attempt(table, session, files, jobId, checkpointId);
      if (outcome.published()) {
        // After the metadata rows: a compaction that fails or is killed leaves a complete publish.
        // The table saw its own publish; a commit by anyone else since makes the rewrite give up.
        compaction.compactIfDue(table, processName);
        return Optional.of(outcome.snapshotId());
      }
      giveUpAfter(attempt, session, outcome.retryReason(), outcome.retryCause());
    }
  }

  /**
   * A replay of a session already on main (e.g. a checkpoint restored after its publish): only its
   * metadata rows are completed.
   */
  private Optional<Long> completeIfPublished(Table table, Session session) {
    Optional<Long> already =
        PublishedHighWatermark.publishedSnapshotOf(table, processName, session.sessionId());
    if (already.isPresent()) {
      LOG.info(
          "Process {}: session {} is already published in snapshot {}; completing its metadata.",
          processName,
          session.sessionId(),
          already.get());
      completeMetadata(session, already.get(), session.auditResults());
    }
    return already;
  }

  /**
   * One attempt: checks continuity with the published high watermark, stages the session on main as
   * it is now, then audits and publishes it. Ends in a retry when main moved meanwhile.
   */
  private Attempt attempt(
      Table table, Session session, StagedFiles files, String jobId, long checkpointId) {
    table.refresh();
    PublishedHighWatermark published = PublishedHighWatermark.find(table, processName).orElse(null);
    continuity.check(session, published);
    Snapshot main = table.currentSnapshot();
    String branch = branchOf(session);
    long stageStart = System.nanoTime();
    long staged;
    try {
      staged =
          stager.stage(
              table,
              branch,
              session,
              files,
              published,
              HighWatermarkPoints.summary(catalog, session.ranges(), published),
              jobId,
              checkpointId,
              main);
    } catch (CommitFailedException busy) {
      // Iceberg's own commit retries ran out against a busy target (or a conflicting change).
      return Attempt.retry(busy.getMessage(), busy);
    }
    table.refresh();
    Snapshot stagedSnapshot = table.snapshot(staged);
    Long checkedMain = main == null ? null : main.snapshotId();
    Long stagedOn = stagedOn(table, stagedSnapshot, stager.stagingCommits(files));
    if (!Objects.equals(stagedOn, checkedMain)) {
      // The staged snapshot sits on a main this session was not checked against (main was empty at
      // the check, and a branch that does not exist starts from main as it is at commit time), e.g.
      // on another run's publish of the same range, and fast-forwarding to it would publish that
      // range twice.
      return Attempt.retry(
          String.format("main moved from snapshot %s to %s while staging", checkedMain, stagedOn),
          null);
    }
    LOG.info(
        "Process {}: staged session {} as snapshot {} on branch {} in {} ms",
        processName,
        session.sessionId(),
        staged,
        branch,
        (System.nanoTime() - stageStart) / 1_000_000);
    metrics.staged(stageStart);
    return auditAndPublish(table, session, files, main, stagedSnapshot);
  }

  /** Audits the staged snapshot and, when no audit blocks, publishes it and completes metadata. */
  private Attempt auditAndPublish(
      Table table,
      Session session,
      StagedFiles files,
      @Nullable Snapshot main,
      Snapshot stagedSnapshot) {
    long staged = stagedSnapshot.snapshotId();
    Session stagedSession = session.staged(target.toString(), null);
    StagedRow stagedRow =
        new StagedRow(
            new SessionLog(catalog, metadataNamespace), stagedSession, StagedRow.DELAY, timer());
    String audited;
    Attempt outcome;
    try {
      hook.afterStage(stagedSession, staged);
      audited = audit(table, session, files, main, stagedSnapshot, stagedRow);
      outcome = fastForwardMain(table, branchOf(session), staged);
    } catch (RuntimeException failed) {
      // Stopped between stage and publish: the session log shows it staged (no-op once finished).
      stagedRow.writeNow();
      stagedRow.finish();
      throw failed;
    }
    stagedRow.finish();
    if (outcome.published()) {
      LOG.info(
          "Process {}: published session {} to {} as snapshot {}",
          processName,
          session.sessionId(),
          target,
          staged);
      metrics.published(files.dataFiles);
      hook.afterPublish(stagedSession, staged);
      completeMetadata(session, staged, audited);
      hook.afterMetadata(stagedSession, staged);
    }
    return outcome;
  }

  /**
   * Runs the audits on the staged snapshot.
   *
   * @return the audit results as JSON, for the session log
   * @throws AuditFailedException after recording the session AUDIT_FAILED, when an error-severity
   *     audit fails
   */
  private String audit(
      Table table,
      Session session,
      StagedFiles files,
      @Nullable Snapshot main,
      Snapshot stagedSnapshot,
      StagedRow stagedRow) {
    long auditStart = System.nanoTime();
    List<AuditResult> results =
        AuditRunner.run(
            audits,
            new AuditContext(
                catalog,
                table,
                stagedSnapshot,
                main == null ? null : main.snapshotId(),
                files.dataFiles,
                files.deleteFiles,
                session,
                writeMode));
    metrics.audited(results, auditStart);
    String json = AuditRunner.toJson(results);
    if (results.stream().anyMatch(AuditResult::blocks)) {
      // Finished first, so that a delayed STAGED row never lands after the AUDIT_FAILED one.
      stagedRow.finish();
      log.record(session.finished(SessionStatus.AUDIT_FAILED, target.toString(), null, json));
      throw new AuditFailedException(
          processName, session.sessionId(), target.toString(), branchOf(session), results);
    }
    return json;
  }

  /**
   * Fast-forwards main to the audited snapshot and drops the audit branch in the same commit: its
   * snapshot is on main from then on. Unrelated commits (an expiry, metadata of other tables' runs)
   * only retry this commit; a moved main or a changed branch ends the attempt, as the session must
   * be staged and audited again.
   */
  private Attempt fastForwardMain(Table table, String branch, long staged) {
    Optional<String> changed;
    try {
      changed =
          RefChanges.commitUnless(
              table,
              () -> auditBranchChange(table, branch, staged),
              publish -> {
                publish.fastForwardBranch(SnapshotRef.MAIN_BRANCH, branch).removeBranch(branch);
                PublishedHighWatermark.moveTag(table, publish, processName, staged);
              });
    } catch (CommitFailedException | IllegalArgumentException moved) {
      // Every commit lost its race, or Iceberg refused the fast-forward: main moved past the stage
      // ("not an ancestor").
      return Attempt.retry(moved.getMessage(), moved);
    }
    return changed.map(why -> Attempt.retry(why, null)).orElseGet(() -> Attempt.published(staged));
  }

  /** How the audit branch changed since the stage, if it did: what it holds now was not audited. */
  private static Optional<String> auditBranchChange(Table table, String branch, long staged) {
    SnapshotRef ref = ((HasTableOperations) table).operations().current().ref(branch);
    if (ref == null) {
      return Optional.of("audit branch " + branch + " was removed");
    }
    if (ref.snapshotId() != staged) {
      return Optional.of("audit branch " + branch + " was moved to snapshot " + ref.snapshotId());
    }
    return Optional.empty();
  }

  private synchronized ScheduledExecutorService timer() {
    if (stagedRowTimer == null) {
      stagedRowTimer = StagedRow.newTimer();
    }
    return stagedRowTimer;
  }

  /**
   * Stops the timer of delayed STAGED rows; a row being written is finished first (at most {@link
   * #CLOSE_WAIT}), also when the task is being cancelled, so nothing of the job writes the session
   * log after its task ended.
   */
  @Override
  public void close() {
    ScheduledExecutorService timer;
    synchronized (this) {
      timer = stagedRowTimer;
      stagedRowTimer = null;
    }
    if (timer == null) {
      return;
    }
    timer.shutdown();
    boolean interrupted = false;
    long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
    try {
      while (!timer.isTerminated() && System.nanoTime() < deadline) {
        try {
          timer.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException cancelled) {
          // a cancelled task is interrupted: still let the row being written land first
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Logs that the session is staged again, or fails the publish after {@link #MAX_ATTEMPTS}
   * attempts.
   */
  private void giveUpAfter(int attempt, Session session, String why, @Nullable Exception cause) {
    if (attempt >= MAX_ATTEMPTS) {
      throw new PsybergException(
          String.format(
              "Process %s: could not publish session %s to %s after %d attempts: main or the audit"
                  + " branch %s changed under every attempt (last: %s). Nothing was published; make"
                  + " sure nothing else writes to that branch, then re-run.",
              processName, session.sessionId(), target, attempt, branchOf(session), why),
          cause);
    }
    metrics.retrying(cause);
    LOG.info(
        "Process {}: main or audit branch of {} changed while publishing session {}; staging again"
            + " ({}).",
        processName,
        target,
        session.sessionId(),
        why);
  }

  /**
   * The snapshot the staging sits on: the parent of its first commit ({@code commits} back from its
   * last).
   */
  @Nullable
  private static Long stagedOn(Table table, Snapshot last, int commits) {
    Snapshot first = last;
    for (int i = 1; i < commits && first.parentId() != null; i++) {
      first = table.snapshot(first.parentId());
    }
    return first.parentId();
  }

  private static boolean movesHighWatermark(
      Session session, @Nullable PublishedHighWatermark published) {
    for (SourceRange r : session.ranges()) {
      if (published == null
          || !published.covers(r.table())
          || !Objects.equals(published.positions().get(r.table()), r.toSnapshotId())) {
        return true;
      }
    }
    return false;
  }

  /** The mirror first: a session recorded PUBLISHED then implies its mirror row was written. */
  private void completeMetadata(Session session, long publishedSnapshot, @Nullable String audits) {
    completeMetadata(mirror, log, processName, target, session, publishedSnapshot, audits);
  }

  /** Mirrors the published high watermark, then records the session PUBLISHED. */
  static void completeMetadata(
      HighWatermarkMirror mirror,
      SessionLog log,
      String processName,
      TableIdentifier target,
      Session session,
      long publishedSnapshot,
      @Nullable String audits) {
    if (!session.ranges().isEmpty()) {
      mirror.update(processName, target.toString(), session.sessionId(), session.ranges());
    }
    log.record(
        session.finished(SessionStatus.PUBLISHED, target.toString(), publishedSnapshot, audits));
  }

  /** How one attempt of a publish ended: published, or to be staged again (and why). */
  private record Attempt(
      @Nullable Long snapshotId, @Nullable String retryReason, @Nullable Exception retryCause) {
    static Attempt published(long snapshotId) {
      return new Attempt(snapshotId, null, null);
    }

    static Attempt retry(String why, @Nullable Exception cause) {
      return new Attempt(null, why, cause);
    }

    boolean published() {
      return snapshotId != null;
    }
  }
}
