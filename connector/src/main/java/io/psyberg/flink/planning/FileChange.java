package io.psyberg.flink.planning;

import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;

/**
 * How one snapshot changed the live rows of one data file: the delete files that applied to it
 * before the snapshot (null: the file was not live then) and after it (null: not live any more).
 * Rows live before and not after are removed; rows live after and not before are added.
 */
@Internal
public final class FileChange {
  private final DataFile file;
  @Nullable private final List<DeleteFile> before;
  @Nullable private final List<DeleteFile> after;

  FileChange(DataFile file, @Nullable List<DeleteFile> before, @Nullable List<DeleteFile> after) {
    if (before == null && after == null) {
      throw new IllegalArgumentException("A file change needs a before or an after state");
    }
    this.file = file;
    this.before = before == null ? null : List.copyOf(before);
    this.after = after == null ? null : List.copyOf(after);
  }

  static FileChange added(DataFile file, List<DeleteFile> deletes) {
    return new FileChange(file, null, deletes);
  }

  static FileChange removed(DataFile file, List<DeleteFile> deletes) {
    return new FileChange(file, deletes, null);
  }

  public DataFile file() {
    return file;
  }

  /** Delete files that applied before the snapshot; null when the file was not live. */
  @Nullable
  public List<DeleteFile> before() {
    return before;
  }

  /** Delete files that apply after the snapshot; null when the file is not live any more. */
  @Nullable
  public List<DeleteFile> after() {
    return after;
  }
}
