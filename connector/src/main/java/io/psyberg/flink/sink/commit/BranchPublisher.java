package io.psyberg.flink.sink.commit;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.metadata.HighWatermarkMirror;
import io.psyberg.flink.metadata.HighWatermarkPoints;
import io.psyberg.flink.metadata.PublishedHighWatermark;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.metadata.SummaryKeys;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.sink.WriteMode;
import io.psyberg.flink.sink.audit.AuditContext;
import io.psyberg.flink.sink.audit.AuditFailedException;
import io.psyberg.flink.sink.audit.AuditResult;
import io.psyberg.flink.sink.audit.AuditRunner;
import io.psyberg.flink.sink.audit.AuditSpec;
import java.util.List;
import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.iceberg.AppendFiles;
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
 * Publishes a session that another engine's job staged on the target's audit branch {@code
 * psyberg-audit-<session id>}: audits what the branch adds to main, commits on top of it a snapshot
 * that carries the new high watermark (an append of no file), then fast-forwards main to it and
 * drops the branch in one commit, as the Flink sink's {@link SessionPublisher} does. When main
 * moved since the job branched off it, a branch of appends is staged again on the new main; other
 * changes fail the publish.
 */
@Internal
public final class BranchPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(BranchPublisher.class);
  private static final int MAX_ATTEMPTS = 10;

  /** The job id recorded in the summary: the writing job is not a Flink job of this process. */
  private static final String COMMIT_JOB_ID = "change-commit";

  private final Catalog catalog;
  private final TableIdentifier target;
  private final String processName;
  private final List<AuditSpec> audits;
  private final SessionLog log;
  private final HighWatermarkMirror mirror;
  private final PublishContinuity continuity;

  public BranchPublisher(
      Catalog catalog,
      String metadataNamespace,
      TableIdentifier target,
      String processName,
      List<AuditSpec> audits) {
    this.catalog = catalog;
    this.target = target;
    this.processName = processName;
    this.audits = List.copyOf(audits);
    this.log = new SessionLog(catalog, metadataNamespace);
    this.mirror = new HighWatermarkMirror(catalog, metadataNamespace);
    this.continuity =
        new PublishContinuity(
            catalog, metadataNamespace, target, processName, WriteMode.APPEND, log, mirror);
  }

  /** How a publish ended. */
  public record Outcome(long snapshotId, boolean alreadyPublished, List<AuditResult> results) {}

  /**
   * Audits and publishes the session staged on its audit branch.
   *
   * @throws AuditFailedException when an error-severity audit fails (nothing published, branch
   *     kept)
   * @throws PsybergException when another run published this range first, or the branch cannot be
   *     published on main as it is now
   */
  public Outcome publish(Session session) {
    Table table = catalog.loadTable(target);
    Optional<Long> already =
        PublishedHighWatermark.publishedSnapshotOf(table, processName, session.sessionId());
    if (already.isPresent()) {
      if (session.status() != SessionStatus.PUBLISHED) {
        complete(session, already.get(), session.auditResults());
      }
      return new Outcome(already.get(), true, List.of());
    }
    String branch = SessionPublisher.branchOf(session);
    for (int attempt = 1; ; attempt++) {
      table.refresh();
      PublishedHighWatermark published =
          PublishedHighWatermark.find(table, processName).orElse(null);
      continuity.check(session, published);
      Snapshot main = table.currentSnapshot();
      StagedBranch staged = StagedBranch.of(table, branch, main);
      long head = stageHighWatermark(table, branch, session, published, staged);
      table.refresh();
      List<AuditResult> results = audit(table, session, staged, main, head);
      Optional<String> retry = fastForwardMain(table, branch, head);
      if (retry.isEmpty()) {
        LOG.info(
            "Process {}: published session {} from branch {} to {} as snapshot {}",
            processName,
            session.sessionId(),
            branch,
            target,
            head);
        complete(session, head, AuditRunner.toJson(results));
        return new Outcome(head, false, results);
      }
      if (attempt >= MAX_ATTEMPTS) {
        throw new PsybergException(
            String.format(
                "Process %s: could not publish session %s to %s after %d attempts: main or branch"
                    + " %s changed under every attempt (last: %s). Nothing was published; make sure"
                    + " nothing else writes to that branch, then commit again.",
                processName, session.sessionId(), target, attempt, branch, retry.get()));
      }
      LOG.info(
          "Process {}: {} changed while publishing session {}; trying again ({}).",
          processName,
          target,
          session.sessionId(),
          retry.get());
    }
  }

  /**
   * Puts the high watermark on the branch head: an append of no file on top of what the job wrote
   * (reused when the head already is one for this session), or, when main moved past the branch's
   * base, the branch's appended files staged again on main with the high watermark.
   */
  private long stageHighWatermark(
      Table table,
      String branch,
      Session session,
      @Nullable PublishedHighWatermark published,
      StagedBranch staged) {
    if (staged.basedOnMain
        && staged.head != null
        && session.sessionId().equals(staged.head.summary().get(SummaryKeys.STAGED_SESSION))) {
      return staged.head.snapshotId();
    }
    AppendFiles append = table.newFastAppend();
    if (!staged.basedOnMain) {
      staged.requireAppendsOnly(processName, target.toString());
      LOG.info(
          "Process {}: main of {} moved since branch {} was written; staging its {} files again on"
              + " main.",
          processName,
          target,
          branch,
          staged.dataFiles.size());
      RefChanges.removeBranch(table, branch);
      table.refresh();
      staged.dataFiles.forEach(append::appendFile);
    }
    SessionStager.summary(append, processName, session, published, COMMIT_JOB_ID, 0L);
    HighWatermarkPoints.summary(catalog, session.ranges(), published).forEach(append::set);
    append.toBranch(branch).commit();
    table.refresh();
    return table.refs().get(branch).snapshotId();
  }

  private List<AuditResult> audit(
      Table table, Session session, StagedBranch staged, @Nullable Snapshot main, long head) {
    List<AuditResult> results =
        AuditRunner.run(
            audits,
            new AuditContext(
                catalog,
                table,
                table.snapshot(head),
                main == null ? null : main.snapshotId(),
                staged.dataFiles,
                staged.deleteFiles,
                session,
                WriteMode.APPEND));
    if (results.stream().anyMatch(AuditResult::blocks)) {
      log.record(
          session.finished(
              SessionStatus.AUDIT_FAILED, target.toString(), null, AuditRunner.toJson(results)));
      throw new AuditFailedException(
          processName,
          session.sessionId(),
          target.toString(),
          SessionPublisher.branchOf(session),
          results);
    }
    return results;
  }

  /** Empty once main is at {@code head}; otherwise why the attempt must start again. */
  private Optional<String> fastForwardMain(Table table, String branch, long head) {
    try {
      return RefChanges.commitUnless(
          table,
          () -> {
            SnapshotRef ref = ((HasTableOperations) table).operations().current().ref(branch);
            return ref != null && ref.snapshotId() == head
                ? Optional.empty()
                : Optional.of("branch " + branch + " moved or was removed");
          },
          publish -> {
            publish.fastForwardBranch(SnapshotRef.MAIN_BRANCH, branch).removeBranch(branch);
            PublishedHighWatermark.moveTag(table, publish, processName, head);
          });
    } catch (CommitFailedException | IllegalArgumentException moved) {
      return Optional.of(String.valueOf(moved.getMessage()));
    }
  }

  /** As for the sink: the mirror first, so a PUBLISHED row implies its mirror row. */
  private void complete(Session session, long publishedSnapshot, @Nullable String results) {
    SessionPublisher.completeMetadata(
        mirror, log, processName, target, session, publishedSnapshot, results);
  }
}
