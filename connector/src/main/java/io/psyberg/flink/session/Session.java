package io.psyberg.flink.session;

import io.psyberg.flink.metadata.SessionLog;
import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * One unit of work of a process: the source range of every source table, counts, and where it
 * stands. Immutable; each change of status makes a new instance that {@link SessionLog} records.
 */
public final class Session implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String sessionId;
  private final String processName;
  private final String mode;
  private final String processing;
  @Nullable private final String jobId;
  private final List<SourceRange> ranges;
  @Nullable private final String targetTable;
  @Nullable private final Long publishedSnapshotId;
  private final SessionStatus status;
  @Nullable private final String auditResults;
  private final Instant startedAt;
  @Nullable private final Instant finishedAt;
  @Nullable private final Long readThroughCheckpoint;

  public Session(
      String sessionId,
      String processName,
      String mode,
      String processing,
      @Nullable String jobId,
      List<SourceRange> ranges,
      @Nullable String targetTable,
      @Nullable Long publishedSnapshotId,
      SessionStatus status,
      @Nullable String auditResults,
      Instant startedAt,
      @Nullable Instant finishedAt) {
    this(
        sessionId,
        processName,
        mode,
        processing,
        jobId,
        ranges,
        targetTable,
        publishedSnapshotId,
        status,
        auditResults,
        startedAt,
        finishedAt,
        null);
  }

  public Session(
      String sessionId,
      String processName,
      String mode,
      String processing,
      @Nullable String jobId,
      List<SourceRange> ranges,
      @Nullable String targetTable,
      @Nullable Long publishedSnapshotId,
      SessionStatus status,
      @Nullable String auditResults,
      Instant startedAt,
      @Nullable Instant finishedAt,
      @Nullable Long readThroughCheckpoint) {
    this.readThroughCheckpoint = readThroughCheckpoint;
    this.sessionId = Objects.requireNonNull(sessionId, "sessionId");
    this.processName = Objects.requireNonNull(processName, "processName");
    this.mode = Objects.requireNonNull(mode, "mode");
    this.processing = Objects.requireNonNull(processing, "processing");
    this.jobId = jobId;
    this.ranges = List.copyOf(ranges);
    this.targetTable = targetTable;
    this.publishedSnapshotId = publishedSnapshotId;
    this.status = Objects.requireNonNull(status, "status");
    this.auditResults = auditResults;
    this.startedAt = Objects.requireNonNull(startedAt, "startedAt");
    this.finishedAt = finishedAt;
  }

  public String sessionId() {
    return sessionId;
  }

  public String processName() {
    return processName;
  }

  /** {@code bounded} or {@code continuous}. */
  public String mode() {
    return mode;
  }

  /** {@code stateless} or {@code stateful}. */
  public String processing() {
    return processing;
  }

  @Nullable
  public String jobId() {
    return jobId;
  }

  public List<SourceRange> ranges() {
    return ranges;
  }

  @Nullable
  public SourceRange range(String table) {
    return ranges.stream().filter(r -> r.table().equals(table)).findFirst().orElse(null);
  }

  @Nullable
  public String targetTable() {
    return targetTable;
  }

  @Nullable
  public Long publishedSnapshotId() {
    return publishedSnapshotId;
  }

  public SessionStatus status() {
    return status;
  }

  @Nullable
  public String auditResults() {
    return auditResults;
  }

  public Instant startedAt() {
    return startedAt;
  }

  @Nullable
  public Instant finishedAt() {
    return finishedAt;
  }

  /**
   * Continuous mode: every row of this session was emitted before this checkpoint's barrier, so its
   * data is complete in the sink once that checkpoint is; null while it is still being read.
   */
  @Nullable
  public Long readThroughCheckpoint() {
    return readThroughCheckpoint;
  }

  /**
   * The same session owned by another job (after a restore) and read through the given checkpoint.
   */
  public Session withJob(@Nullable String newJobId, @Nullable Long readThrough) {
    return new Session(
        sessionId,
        processName,
        mode,
        processing,
        newJobId,
        ranges,
        targetTable,
        publishedSnapshotId,
        status,
        auditResults,
        startedAt,
        finishedAt,
        readThrough);
  }

  /** Whether any source range moves its position. */
  public boolean hasNewSnapshots() {
    return ranges.stream().anyMatch(SourceRange::advances);
  }

  public long recordCount() {
    return ranges.stream().mapToLong(SourceRange::recordCount).sum();
  }

  public Session withStatus(SessionStatus newStatus) {
    return new Session(
        sessionId,
        processName,
        mode,
        processing,
        jobId,
        ranges,
        targetTable,
        publishedSnapshotId,
        newStatus,
        auditResults,
        startedAt,
        newStatus.isFinal() ? Instant.now() : finishedAt,
        readThroughCheckpoint);
  }

  public Session staged(String target, String audits) {
    return new Session(
        sessionId,
        processName,
        mode,
        processing,
        jobId,
        ranges,
        target,
        publishedSnapshotId,
        SessionStatus.STAGED,
        audits,
        startedAt,
        null,
        readThroughCheckpoint);
  }

  public Session finished(
      SessionStatus finalStatus,
      @Nullable String target,
      @Nullable Long published,
      @Nullable String audits) {
    return new Session(
        sessionId,
        processName,
        mode,
        processing,
        jobId,
        ranges,
        target,
        published,
        finalStatus,
        audits,
        startedAt,
        Instant.now(),
        readThroughCheckpoint);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Session)) {
      return false;
    }
    Session that = (Session) o;
    return sessionId.equals(that.sessionId)
        && processName.equals(that.processName)
        && mode.equals(that.mode)
        && processing.equals(that.processing)
        && Objects.equals(jobId, that.jobId)
        && ranges.equals(that.ranges)
        && Objects.equals(targetTable, that.targetTable)
        && Objects.equals(publishedSnapshotId, that.publishedSnapshotId)
        && status == that.status
        && Objects.equals(auditResults, that.auditResults)
        && startedAt.equals(that.startedAt)
        && Objects.equals(finishedAt, that.finishedAt)
        && Objects.equals(readThroughCheckpoint, that.readThroughCheckpoint);
  }

  @Override
  public int hashCode() {
    return Objects.hash(sessionId, status);
  }

  @Override
  public String toString() {
    return String.format("Session{%s %s %s %s}", processName, sessionId, status, ranges);
  }
}
