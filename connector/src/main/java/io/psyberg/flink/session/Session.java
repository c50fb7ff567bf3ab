package io.psyberg.flink.session;

import io.psyberg.flink.metadata.SessionLog;
import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * One unit of work of a process: the source range of every source table, counts, and where it
 * stands. Immutable; each change of status makes a new instance that {@link SessionLog} records.
 */
@PublicEvolving
public final class Session implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String sessionId;
  private final String processName;
  private final String mode;
  private final Processing processing;
  @Nullable private final String jobId;
  private final List<SourceRange> ranges;
  @Nullable private final String targetTable;
  @Nullable private final Long publishedSnapshotId;
  private final SessionStatus status;
  @Nullable private final String auditResults;
  private final Instant startedAt;
  @Nullable private final Instant finishedAt;
  @Nullable private final Long readThroughCheckpoint;

  private Session(Builder b) {
    this.sessionId = Objects.requireNonNull(b.sessionId, "sessionId");
    this.processName = Objects.requireNonNull(b.processName, "processName");
    this.mode = Objects.requireNonNull(b.mode, "mode");
    this.processing = Objects.requireNonNull(b.processing, "processing");
    this.jobId = b.jobId;
    this.ranges = List.copyOf(b.ranges);
    this.targetTable = b.targetTable;
    this.publishedSnapshotId = b.publishedSnapshotId;
    this.status = Objects.requireNonNull(b.status, "status");
    this.auditResults = b.auditResults;
    this.startedAt = Objects.requireNonNull(b.startedAt, "startedAt");
    this.finishedAt = b.finishedAt;
    this.readThroughCheckpoint = b.readThroughCheckpoint;
  }

  /**
   * A new session; the session id, process name, mode, status and start time must be set,
   * processing defaults to {@code stateless} and the ranges to none.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding every value of this session, to derive a changed copy. */
  public Builder toBuilder() {
    return new Builder()
        .sessionId(sessionId)
        .processName(processName)
        .mode(mode)
        .processing(processing)
        .jobId(jobId)
        .ranges(ranges)
        .targetTable(targetTable)
        .publishedSnapshotId(publishedSnapshotId)
        .status(status)
        .auditResults(auditResults)
        .startedAt(startedAt)
        .finishedAt(finishedAt)
        .readThroughCheckpoint(readThroughCheckpoint);
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

  public Processing processing() {
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
    return toBuilder().jobId(newJobId).readThroughCheckpoint(readThrough).build();
  }

  /** Whether any source range moves its position. */
  public boolean hasNewSnapshots() {
    return ranges.stream().anyMatch(SourceRange::advances);
  }

  public long recordCount() {
    return ranges.stream().mapToLong(SourceRange::recordCount).sum();
  }

  public Session withStatus(SessionStatus newStatus) {
    return toBuilder()
        .status(newStatus)
        .finishedAt(newStatus.isFinal() ? Instant.now() : finishedAt)
        .build();
  }

  public Session staged(String target, String audits) {
    return toBuilder()
        .targetTable(target)
        .status(SessionStatus.STAGED)
        .auditResults(audits)
        .finishedAt(null)
        .build();
  }

  public Session finished(
      SessionStatus finalStatus,
      @Nullable String target,
      @Nullable Long published,
      @Nullable String audits) {
    return toBuilder()
        .targetTable(target)
        .publishedSnapshotId(published)
        .status(finalStatus)
        .auditResults(audits)
        .finishedAt(Instant.now())
        .build();
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
        && processing == that.processing
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

  /** Builds a {@link Session}. */
  public static final class Builder {
    private String sessionId;
    private String processName;
    private String mode;
    private Processing processing = Processing.STATELESS;
    @Nullable private String jobId;
    private List<SourceRange> ranges = List.of();
    @Nullable private String targetTable;
    @Nullable private Long publishedSnapshotId;
    private SessionStatus status;
    @Nullable private String auditResults;
    private Instant startedAt;
    @Nullable private Instant finishedAt;
    @Nullable private Long readThroughCheckpoint;

    private Builder() {}

    public Builder sessionId(String sessionId) {
      this.sessionId = sessionId;
      return this;
    }

    public Builder processName(String processName) {
      this.processName = processName;
      return this;
    }

    /** {@code bounded} or {@code continuous}. */
    public Builder mode(String mode) {
      this.mode = mode;
      return this;
    }

    public Builder processing(Processing processing) {
      this.processing = processing;
      return this;
    }

    public Builder jobId(@Nullable String jobId) {
      this.jobId = jobId;
      return this;
    }

    public Builder ranges(List<SourceRange> ranges) {
      this.ranges = ranges;
      return this;
    }

    public Builder targetTable(@Nullable String targetTable) {
      this.targetTable = targetTable;
      return this;
    }

    public Builder publishedSnapshotId(@Nullable Long publishedSnapshotId) {
      this.publishedSnapshotId = publishedSnapshotId;
      return this;
    }

    public Builder status(SessionStatus status) {
      this.status = status;
      return this;
    }

    public Builder auditResults(@Nullable String auditResults) {
      this.auditResults = auditResults;
      return this;
    }

    public Builder startedAt(Instant startedAt) {
      this.startedAt = startedAt;
      return this;
    }

    public Builder finishedAt(@Nullable Instant finishedAt) {
      this.finishedAt = finishedAt;
      return this;
    }

    public Builder readThroughCheckpoint(@Nullable Long checkpointId) {
      this.readThroughCheckpoint = checkpointId;
      return this;
    }

    public Session build() {
      return new Session(this);
    }
  }
}
