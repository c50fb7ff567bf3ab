package io.psyberg.flink.sink.commit;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.metadata.HighWatermarkMirror;
import io.psyberg.flink.metadata.MetadataTableSchemas;
import io.psyberg.flink.metadata.PublishedHighWatermark;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.metrics.CommitterMetrics;
import io.psyberg.flink.planning.HighWatermarkResolver;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.session.SourceRange;
import io.psyberg.flink.sink.WriteMode;
import io.psyberg.flink.sink.audit.AuditContext;
import io.psyberg.flink.sink.audit.AuditFailedException;
import io.psyberg.flink.sink.audit.AuditResult;
import io.psyberg.flink.sink.audit.AuditRunner;
import io.psyberg.flink.sink.audit.AuditSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
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
 */
@Internal
public final class SessionPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SessionPublisher.class);
  private static final int MAX_ATTEMPTS = 10;
  public static final String BRANCH_PREFIX = "psyberg-audit-";

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
  @Nullable private ScheduledExecutorService stagedRowTimer;
  private CommitterMetrics metrics = CommitterMetrics.unregistered();

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
    // One handle each for the publisher's life: every use refreshes the table instead of loading it
    // again.
    this.log = new SessionLog(catalog, metadataNamespace);
    this.mirror = new HighWatermarkMirror(catalog, metadataNamespace);
  }

  /** Reports stages, audits, publishes, retries and restages to these metrics from now on. */
  public void measuredBy(CommitterMetrics metrics) {
    this.metrics = metrics;
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
   * @throws PsybergException when another run already published this range (nothing published)
   */
  public Optional<Long> publish(
      Session session,
      Collection<PsybergCommittable> committables,
      String jobId,
      long checkpointId) {
    Table table = catalog.loadTable(target);
    Optional<Long> already =
        PublishedHighWatermark.publishedSnapshotOf(table, processName, session.sessionId());
    if (already.isPresent()) {
      LOG.info(
          "Process {}: session {} is already published in snapshot {}; completing its metadata.",
          processName,
          session.sessionId(),
          already.get());
      completeMetadata(session, already.get(), session.auditResults());
      return already;
    }
    StagedFiles files = StagedFiles.of(table, committables);
    Optional<PublishedHighWatermark> published = PublishedHighWatermark.find(table, processName);
    if (files.isEmpty() && !movesHighWatermark(session, published.orElse(null))) {
      log.record(session.finished(SessionStatus.EMPTY, target.toString(), null, null));
      metrics.empty();
      LOG.info(
          "Process {}: session {} has nothing to publish (EMPTY).",
          processName,
          session.sessionId());
      return Optional.empty();
    }

    for (int attempt = 1; ; attempt++) {
      table.refresh();
      published = PublishedHighWatermark.find(table, processName);
      checkContinuity(session, published.orElse(null));
      Snapshot main = table.currentSnapshot();
      String branch = branchOf(session);
      long stageStart = System.nanoTime();
      long staged;
      try {
        staged =
            stager.stage(
                table, branch, session, files, published.orElse(null), jobId, checkpointId, main);
      } catch (CommitFailedException busy) {
        // Iceberg's own commit retries ran out against a busy target (or a conflicting change): try
        // again.
        giveUpAfter(attempt, session, branch, busy.getMessage(), busy);
        continue;
      }
      table.refresh();
      Snapshot stagedSnapshot = table.snapshot(staged);
      Long checkedMain = main == null ? null : main.snapshotId();
      Long stagedOn = stagedOn(table, stagedSnapshot, stager.stagingCommits(files));
      if (!Objects.equals(stagedOn, checkedMain)) {
        // Main moved between the continuity check and the stage (the branch is created from main as
        // it is at
        // commit time): the staged snapshot sits on a main this session was not checked against,
        // e.g. on
        // another run's publish of the same range, and fast-forwarding to it would publish that
        // range twice.
        giveUpAfter(
            attempt,
            session,
            branch,
            String.format("main moved from snapshot %s to %s while staging", checkedMain, stagedOn),
            null);
        continue;
      }
      LOG.info(
          "Process {}: staged session {} as snapshot {} on branch {} in {} ms",
          processName,
          session.sessionId(),
          staged,
          branch,
          (System.nanoTime() - stageStart) / 1_000_000);
      metrics.staged(stageStart);
      Session stagedSession = session.staged(target.toString(), null);
      StagedRow stagedRow =
          new StagedRow(
              new SessionLog(catalog, metadataNamespace), stagedSession, StagedRow.DELAY, timer());
      String json;
      try {
        hook.afterStage(stagedSession, staged);
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
        json = AuditRunner.toJson(results);
        if (results.stream().anyMatch(AuditResult::blocks)) {
          stagedRow.finish();
          log.record(session.finished(SessionStatus.AUDIT_FAILED, target.toString(), null, json));
          throw new AuditFailedException(
              processName, session.sessionId(), target.toString(), branch, results);
        }
        try {
          // Unrelated commits (an expiry, metadata of other tables' runs) only retry the
          // fast-forward; a moved
          // main ("not an ancestor") or a changed branch needs a new stage and audit. The audit
          // branch goes in
          // the same commit: its snapshot is on main from then on.
          RefChanges.commit(
              table,
              publish -> {
                SnapshotRef ref = ((HasTableOperations) table).operations().current().ref(branch);
                if (ref == null || ref.snapshotId() != staged) {
                  // Removed or moved by someone else: what the branch holds now was not audited.
                  throw new IllegalArgumentException(
                      String.format(
                          "audit branch %s %s",
                          branch,
                          ref == null
                              ? "was removed"
                              : "was moved to snapshot " + ref.snapshotId()));
                }
                publish.fastForwardBranch(SnapshotRef.MAIN_BRANCH, branch).removeBranch(branch);
              });
        } catch (CommitFailedException | IllegalArgumentException moved) {
          stagedRow.finish();
          giveUpAfter(attempt, session, branch, moved.getMessage(), moved);
          continue;
        }
      } catch (RuntimeException failed) {
        // Stopped between stage and publish: the session log shows it staged (no-op once finished
        // above).
        stagedRow.writeNow();
        stagedRow.finish();
        throw failed;
      }
      stagedRow.finish();
      LOG.info(
          "Process {}: published session {} to {} as snapshot {}",
          processName,
          session.sessionId(),
          target,
          staged);
      metrics.published(files.dataFiles);
      hook.afterPublish(stagedSession, staged);
      completeMetadata(session, staged, json);
      hook.afterMetadata(stagedSession, staged);
      return Optional.of(staged);
    }
  }

  private synchronized ScheduledExecutorService timer() {
    if (stagedRowTimer == null) {
      stagedRowTimer = StagedRow.newTimer();
    }
    return stagedRowTimer;
  }

  /** Stops the timer of delayed STAGED rows; a row being written is finished first. */
  @Override
  public synchronized void close() {
    if (stagedRowTimer != null) {
      stagedRowTimer.shutdown();
      stagedRowTimer = null;
    }
  }

  /**
   * Logs that the session is staged again, or fails the publish after {@link #MAX_ATTEMPTS}
   * attempts.
   */
  private void giveUpAfter(
      int attempt, Session session, String branch, String why, @Nullable Exception cause) {
    if (attempt >= MAX_ATTEMPTS) {
      throw new PsybergException(
          String.format(
              "Process %s: could not publish session %s to %s after %d attempts: main or the audit"
                  + " branch %s changed under every attempt (last: %s). Nothing was published; make"
                  + " sure nothing else writes to that branch, then re-run.",
              processName, session.sessionId(), target, attempt, branch, why),
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

  /**
   * The session must start where the target's published high watermark stands. An upsert or
   * overwrite-range target (e.g. the second target of a process) may also take a session that
   * starts behind it on the same lineage: re-applying the overlap is idempotent.
   */
  private void checkContinuity(Session session, @Nullable PublishedHighWatermark published) {
    if (published == null) {
      return;
    }
    for (SourceRange r : session.ranges()) {
      if (!published.covers(r.table())) {
        continue;
      }
      Long at = published.positions().get(r.table());
      if (Objects.equals(at, r.fromSnapshotId())) {
        continue;
      }
      boolean idempotent = writeMode != WriteMode.APPEND;
      if (idempotent
          && HighWatermarkResolver.isBehind(catalog, r.table(), r.fromSnapshotId(), at)
          && !HighWatermarkResolver.isBehind(catalog, r.table(), r.toSnapshotId(), at)) {
        LOG.info(
            "Process {}: session {} re-applies {} up to {} on {} (already at {}); upserts make it"
                + " idempotent.",
            processName,
            session.sessionId(),
            r.table(),
            r.toSnapshotId(),
            target,
            at);
        continue;
      }
      String message =
          String.format(
              "Process %s: session %s read %s after snapshot %s, but the published high watermark"
                  + " of that table in %s is %s (sessions %s). Another run published this range"
                  + " first; nothing was published by this run. Re-run to process what is new since"
                  + " the published high watermark.",
              processName,
              session.sessionId(),
              r.table(),
              r.fromSnapshotId(),
              target,
              at,
              published.sessionIds());
      // A run racing this one may have published without updating the mirror yet. Only when the
      // publishing
      // session is complete in the session log (its mirror row is written before that) did the
      // source miss a
      // finished publish, i.e. the mirror row it resolves the target from was lost.
      if (publishCompleted(published) && restoreLostMirror(published)) {
        message =
            String.format(
                "Process %s: session %s read %s %s, but %s already holds this process's data up to"
                    + " snapshot %s: the table %s.%s had no row for the process (dropped or"
                    + " emptied?), so the source could not find where it stands. Nothing was"
                    + " published by this run. The row is restored from %s, so a re-run resumes"
                    + " from there; setting the source's option 'target-table' = '%s' avoids"
                    + " depending on that table.",
                processName,
                session.sessionId(),
                r.table(),
                r.fromSnapshotId() == null
                    ? "from its first snapshot"
                    : "after snapshot " + r.fromSnapshotId(),
                target,
                at,
                metadataNamespace,
                MetadataTableSchemas.HIGH_WATERMARKS,
                target,
                target);
      }
      log.record(session.finished(SessionStatus.ABORTED, target.toString(), null, null));
      throw new PsybergException(message);
    }
  }

  /** Whether the newest session published in the target finished its metadata rows. */
  private boolean publishCompleted(PublishedHighWatermark published) {
    List<String> ids = published.sessionIds();
    return !ids.isEmpty()
        && log.find(processName, ids.get(ids.size() - 1))
            .map(s -> s.status() == SessionStatus.PUBLISHED)
            .orElse(false);
  }

  /**
   * The mirror is how a source without 'target-table' finds its target. When it lost the process's
   * rows, put back the positions published in this target, so that the next run resumes from them.
   * Called only once the publishing session is complete ({@link #publishCompleted}).
   */
  private boolean restoreLostMirror(PublishedHighWatermark published) {
    Map<String, HighWatermarkMirror.Entry> mirrored = mirror.read(processName);
    List<SourceRange> lost = new ArrayList<>();
    published
        .positions()
        .forEach(
            (t, id) -> {
              if (!mirrored.containsKey(t)) {
                lost.add(SourceRange.empty(t, id, null));
              }
            });
    if (lost.isEmpty() || published.sessionIds().isEmpty()) {
      return false;
    }
    String sessionId = published.sessionIds().get(published.sessionIds().size() - 1);
    LOG.warn(
        "Process {}: {}.{} had no row for {}; restoring it from the high watermark published in"
            + " {}.",
        processName,
        metadataNamespace,
        MetadataTableSchemas.HIGH_WATERMARKS,
        lost,
        target);
    mirror.update(processName, target.toString(), sessionId, lost);
    return true;
  }

  /** The mirror first: a session recorded PUBLISHED then implies its mirror row was written. */
  private void completeMetadata(Session session, long publishedSnapshot, @Nullable String audits) {
    if (!session.ranges().isEmpty()) {
      mirror.update(processName, target.toString(), session.sessionId(), session.ranges());
    }
    log.record(
        session.finished(SessionStatus.PUBLISHED, target.toString(), publishedSnapshot, audits));
  }
}
