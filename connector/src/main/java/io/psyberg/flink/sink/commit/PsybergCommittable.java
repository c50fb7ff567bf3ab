package io.psyberg.flink.sink.commit;

import java.util.Arrays;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * What one writer subtask wrote up to a checkpoint (or end of input): Iceberg manifests listing its
 * data and delete files, kept as encoded manifest descriptors so that the committable stays small
 * and its layout is Iceberg's own.
 */
@Internal
public final class PsybergCommittable {
  /** Checkpoint id used for what is written at end of input. */
  public static final long END_OF_INPUT = Long.MAX_VALUE;

  private final String jobId;
  private final long checkpointId;
  private final int subtask;
  private final long rowCount;
  @Nullable private final byte[] dataManifest;
  @Nullable private final byte[] deleteManifest;

  public PsybergCommittable(
      String jobId,
      long checkpointId,
      int subtask,
      long rowCount,
      @Nullable byte[] dataManifest,
      @Nullable byte[] deleteManifest) {
    this.jobId = Objects.requireNonNull(jobId);
    this.checkpointId = checkpointId;
    this.subtask = subtask;
    this.rowCount = rowCount;
    this.dataManifest = dataManifest;
    this.deleteManifest = deleteManifest;
  }

  public String jobId() {
    return jobId;
  }

  public long checkpointId() {
    return checkpointId;
  }

  public int subtask() {
    return subtask;
  }

  /** Rows the writer received (inserts and changes). */
  public long rowCount() {
    return rowCount;
  }

  @Nullable
  public byte[] dataManifest() {
    return dataManifest;
  }

  @Nullable
  public byte[] deleteManifest() {
    return deleteManifest;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof PsybergCommittable)) {
      return false;
    }
    PsybergCommittable that = (PsybergCommittable) o;
    return checkpointId == that.checkpointId
        && subtask == that.subtask
        && rowCount == that.rowCount
        && jobId.equals(that.jobId)
        && Arrays.equals(dataManifest, that.dataManifest)
        && Arrays.equals(deleteManifest, that.deleteManifest);
  }

  @Override
  public int hashCode() {
    return Objects.hash(jobId, checkpointId, subtask, rowCount);
  }

  @Override
  public String toString() {
    return String.format(
        "PsybergCommittable{job=%s, checkpoint=%d, subtask=%d, rows=%d}",
        jobId, checkpointId, subtask, rowCount);
  }
}
