package io.psyberg.flink.sink.commit;

import io.psyberg.flink.PsybergException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * What an audit branch adds to main: the snapshots on the branch that are not on main, and the data
 * and delete files they add. {@code basedOnMain} tells whether the branch starts at main's current
 * snapshot, i.e. whether main can be fast-forwarded to it.
 */
final class StagedBranch {
  @Nullable final Snapshot head;
  final boolean basedOnMain;
  final List<Snapshot> snapshots;
  final List<DataFile> dataFiles;
  final List<DeleteFile> deleteFiles;

  private StagedBranch(
      @Nullable Snapshot head,
      boolean basedOnMain,
      List<Snapshot> snapshots,
      List<DataFile> dataFiles,
      List<DeleteFile> deleteFiles) {
    this.head = head;
    this.basedOnMain = basedOnMain;
    this.snapshots = snapshots;
    this.dataFiles = dataFiles;
    this.deleteFiles = deleteFiles;
  }

  static StagedBranch of(Table table, String branch, @Nullable Snapshot main) {
    SnapshotRef ref = table.refs().get(branch);
    if (ref == null) {
      return new StagedBranch(null, true, List.of(), List.of(), List.of());
    }
    Set<Long> onMain = new HashSet<>();
    if (main != null) {
      SnapshotUtil.ancestorIds(main, table::snapshot).forEach(onMain::add);
    }
    Snapshot head = table.snapshot(ref.snapshotId());
    List<Snapshot> own = new ArrayList<>();
    Long base = null;
    for (Snapshot s : SnapshotUtil.ancestorsOf(head.snapshotId(), table::snapshot)) {
      if (onMain.contains(s.snapshotId())) {
        base = s.snapshotId();
        break;
      }
      own.add(0, s);
    }
    List<DataFile> data = new ArrayList<>();
    List<DeleteFile> deletes = new ArrayList<>();
    for (Snapshot s : own) {
      s.addedDataFiles(table.io()).forEach(data::add);
      s.addedDeleteFiles(table.io()).forEach(deletes::add);
    }
    Long mainId = main == null ? null : main.snapshotId();
    return new StagedBranch(head, Objects.equals(base, mainId), own, data, deletes);
  }

  /** Only a branch of appends can be staged again on a main that moved. */
  void requireAppendsOnly(String processName, String target) {
    for (Snapshot s : snapshots) {
      if (!DataOperations.APPEND.equals(s.operation())) {
        throw new PsybergException(
            String.format(
                "Process %s: main of %s moved since the job wrote its audit branch, and the branch"
                    + " holds a '%s' snapshot %d that cannot be staged again on the new main."
                    + " Nothing was published. Drop the branch, run the job again, then commit.",
                processName, target, s.operation(), s.snapshotId()));
      }
    }
  }
}
