package io.psyberg.flink.planning;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.annotation.Nullable;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;

/**
 * The data files a snapshot added, kept for the JVM's next planning of the same snapshot: a
 * snapshot never changes, and a stateful bounded run plans its range twice in one JVM (once for its
 * lookback, once in the source's enumerator), which on a first run over a long history reads the
 * same thousand manifests again. Bounded by a number of files, least recently used out first.
 */
final class AddedFilesCache {
  /**
   * Files held at most: their column metrics come along (one to several kilobytes a file, with the
   * table's width), so a JobManager planning continuously holds some megabytes, never more than
   * tens.
   */
  static final int MAX_FILES = 5_000;

  private static final AddedFilesCache SHARED = new AddedFilesCache(MAX_FILES);

  private final int maxFiles;
  private final LinkedHashMap<Key, List<DataFile>> bySnapshot =
      new LinkedHashMap<>(64, 0.75f, true);
  private int files;

  AddedFilesCache(int maxFiles) {
    this.maxFiles = maxFiles;
  }

  static AddedFilesCache shared() {
    return SHARED;
  }

  /** The files {@code snapshotId} of {@code table} added, or null when not held. */
  @Nullable
  List<DataFile> get(Table table, long snapshotId) {
    UUID uuid = uuidOf(table);
    if (uuid == null) {
      return null;
    }
    synchronized (this) {
      return bySnapshot.get(new Key(uuid, snapshotId));
    }
  }

  void put(Table table, long snapshotId, List<DataFile> added) {
    UUID uuid = uuidOf(table);
    if (uuid == null || added.size() > maxFiles) {
      return;
    }
    synchronized (this) {
      store(new Key(uuid, snapshotId), List.copyOf(added));
    }
  }

  private void store(Key key, List<DataFile> added) {
    List<DataFile> previous = bySnapshot.put(key, added);
    files += added.size() - (previous == null ? 0 : previous.size());
    var eldest = bySnapshot.entrySet().iterator();
    while (files > maxFiles && eldest.hasNext()) {
      Map.Entry<Key, List<DataFile>> e = eldest.next();
      files -= e.getValue().size();
      eldest.remove();
    }
  }

  synchronized int files() {
    return files;
  }

  /** The table's UUID, or null for a table that has none to give (it is then not cached). */
  @Nullable
  private static UUID uuidOf(Table table) {
    try {
      return table.uuid();
    } catch (UnsupportedOperationException noUuid) {
      return null;
    }
  }

  /** A table by its UUID (names can be reused by a dropped and recreated table). */
  private record Key(UUID tableUuid, long snapshotId) {}
}
