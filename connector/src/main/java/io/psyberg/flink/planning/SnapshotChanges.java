package io.psyberg.flink.planning;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableScan;
import org.apache.iceberg.exceptions.RuntimeIOException;
import org.apache.iceberg.io.CloseableIterable;

/**
 * How one snapshot changed a table's live rows, per data file, from metadata only: files it added
 * (with the deletes that apply to them), files it removed (with the deletes that applied before),
 * and files whose applicable deletes it changed. The last are found by Iceberg's own delete
 * matching (partition, sequence numbers, file and column bounds), so only files the new deletes can
 * touch are read later.
 */
final class SnapshotChanges {
  private SnapshotChanges() {}

  /**
   * The changes of {@code s} against its parent, or null when they need the parent's state and the
   * parent snapshot was expired.
   */
  @Nullable
  static List<FileChange> of(Table table, Snapshot s) {
    List<DataFile> added = list(s.addedDataFiles(table.io()));
    List<DataFile> removed = list(s.removedDataFiles(table.io()));
    boolean deletesChanged =
        s.addedDeleteFiles(table.io()).iterator().hasNext()
            || s.removedDeleteFiles(table.io()).iterator().hasNext();
    Snapshot parent = s.parentId() == null ? null : table.snapshot(s.parentId());
    boolean needParent = deletesChanged || (!removed.isEmpty() && hasDeletes(parent));
    if (needParent && s.parentId() != null && parent == null) {
      return null;
    }
    Map<String, FileScanTask> before =
        needParent && parent != null ? liveFiles(table, parent) : Map.of();
    Map<String, FileScanTask> after = deletesChanged ? liveFiles(table, s) : Map.of();
    // Removals first, then additions: an upsert commit removes a key's old row and adds its new
    // one, and a keyed consumer must see them in that order.
    List<FileChange> out = new ArrayList<>();
    for (DataFile f : removed) {
      FileScanTask was = before.get(path(f));
      out.add(FileChange.removed(f, was == null ? List.of() : was.deletes()));
    }
    Set<String> addedPaths = new HashSet<>();
    added.forEach(f -> addedPaths.add(path(f)));
    addDeletesChanged(before, after, addedPaths, out);
    for (DataFile f : added) {
      FileScanTask now = after.get(path(f));
      out.add(FileChange.added(f, now == null ? List.of() : now.deletes()));
    }
    return out;
  }

  /**
   * The net changes from {@code from} to {@code to}, two snapshots with expired snapshots between
   * them: files live only at {@code from} are removed, files live only at {@code to} added, files
   * live at both with other deletes changed. Files that lived only in between are not touched
   * (expiry may have deleted them).
   */
  static List<FileChange> between(Table table, Snapshot from, Snapshot to) {
    Map<String, FileScanTask> before = liveFiles(table, from, true);
    Map<String, FileScanTask> after = liveFiles(table, to, true);
    // Same order as one snapshot's changes: a key's removal before its addition.
    List<FileChange> out = new ArrayList<>();
    before.forEach(
        (path, was) -> {
          if (!after.containsKey(path)) {
            out.add(FileChange.removed(was.file(), was.deletes()));
          }
        });
    addDeletesChanged(before, after, Set.of(), out);
    after.forEach(
        (path, now) -> {
          if (!before.containsKey(path)) {
            out.add(FileChange.added(now.file(), now.deletes()));
          }
        });
    return out;
  }

  /** Files live before and after (and not added) whose applicable delete files differ. */
  private static void addDeletesChanged(
      Map<String, FileScanTask> before,
      Map<String, FileScanTask> after,
      Set<String> addedPaths,
      List<FileChange> out) {
    for (Map.Entry<String, FileScanTask> e : after.entrySet()) {
      FileScanTask was = before.get(e.getKey());
      if (addedPaths.contains(e.getKey()) || was == null) {
        continue;
      }
      FileScanTask now = e.getValue();
      if (!paths(was.deletes()).equals(paths(now.deletes()))) {
        out.add(new FileChange(now.file(), was.deletes(), now.deletes()));
      }
    }
  }

  /** Every live row of {@code s} as added: the start of a changelog without a usable parent. */
  static List<FileChange> fullState(Table table, Snapshot s) {
    List<FileChange> out = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = scan(table, s)) {
      for (FileScanTask t : tasks) {
        out.add(FileChange.added(t.file().copy(), copies(t.deletes())));
      }
    } catch (IOException e) {
      throw new RuntimeIOException(e, "Cannot plan the files of snapshot %s", s.snapshotId());
    }
    return out;
  }

  private static boolean hasDeletes(@Nullable Snapshot s) {
    if (s == null || s.summary() == null) {
      return s != null;
    }
    String count = s.summary().get(SnapshotSummary.TOTAL_DELETE_FILES_PROP);
    return count == null || Long.parseLong(count) > 0;
  }

  private static CloseableIterable<FileScanTask> scan(Table table, Snapshot s) {
    return table.newScan().useSnapshot(s.snapshotId()).planFiles();
  }

  /** Live data files of {@code s} by path, each with the delete files that apply to it. */
  private static Map<String, FileScanTask> liveFiles(Table table, Snapshot s) {
    return liveFiles(table, s, false);
  }

  /** As above; with column stats where the files stand for a stretch (change ranges use them). */
  private static Map<String, FileScanTask> liveFiles(Table table, Snapshot s, boolean stats) {
    // In plan order: the splits of one snapshot keep it.
    Map<String, FileScanTask> out = new LinkedHashMap<>();
    TableScan scan = table.newScan().useSnapshot(s.snapshotId());
    try (CloseableIterable<FileScanTask> tasks =
        (stats ? scan.includeColumnStats() : scan).planFiles()) {
      for (FileScanTask t : tasks) {
        out.put(path(t.file()), t);
      }
    } catch (IOException e) {
      throw new RuntimeIOException(e, "Cannot plan the files of snapshot %s", s.snapshotId());
    }
    return out;
  }

  private static List<DeleteFile> copies(List<DeleteFile> deletes) {
    List<DeleteFile> out = new ArrayList<>(deletes.size());
    deletes.forEach(d -> out.add(d.copy()));
    return out;
  }

  private static <F extends ContentFile<F>> List<F> list(Iterable<F> files) {
    List<F> out = new ArrayList<>();
    files.forEach(f -> out.add(f.copy()));
    return out;
  }

  private static Set<String> paths(List<DeleteFile> deletes) {
    Set<String> out = new HashSet<>();
    deletes.forEach(d -> out.add(path(d)));
    return out;
  }

  private static String path(ContentFile<?> f) {
    return f.path().toString();
  }
}
