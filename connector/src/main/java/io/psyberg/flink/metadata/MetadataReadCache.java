package io.psyberg.flink.metadata;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import javax.annotation.Nullable;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.ExpressionParser;

/**
 * What a read of a metadata table returned, kept for the JVM's next identical read of the same
 * snapshot: a snapshot never changes, and one run asks the same question several times before
 * anything is committed (the high-watermark resolution reads the session log once per target and
 * again in the source's enumerator). Each such read loads the table's equality-delete files, which
 * pile up between two compactions. Only small answers are kept; every hit hands out copies.
 */
final class MetadataReadCache {
  /**
   * Rows held at most over all answers, least recently used answers out first: a session row is
   * about a kilobyte, so a JobManager holds a few megabytes at most.
   */
  static final int MAX_HELD_ROWS = 5_000;

  /** Answers with more rows are not kept (a compaction's whole-table read, a long history). */
  static final int MAX_ROWS = 1_000;

  private static final MetadataReadCache SHARED = new MetadataReadCache();

  private final LinkedHashMap<Key, List<Record>> answers = new LinkedHashMap<>(64, 0.75f, true);
  private int heldRows;
  private long hits;

  MetadataReadCache() {}

  static MetadataReadCache shared() {
    return SHARED;
  }

  /**
   * The rows of {@code table} matching {@code filter} at {@code snapshotId}, from the cache or read
   * by {@code read} (and kept when small).
   */
  List<Record> rows(Table table, Expression filter, long snapshotId, Supplier<List<Record>> read) {
    Key key = key(table, filter, snapshotId);
    if (key == null) {
      return read.get();
    }
    List<Record> held;
    synchronized (this) {
      held = answers.get(key);
      if (held != null) {
        hits++;
      }
    }
    if (held != null) {
      return copies(held);
    }
    List<Record> rows = read.get();
    if (rows.size() <= MAX_ROWS) {
      List<Record> kept = copies(rows);
      synchronized (this) {
        store(key, kept);
      }
    }
    return rows;
  }

  private void store(Key key, List<Record> rows) {
    List<Record> previous = answers.put(key, rows);
    heldRows += rows.size() - (previous == null ? 0 : previous.size());
    var eldest = answers.entrySet().iterator();
    while (heldRows > MAX_HELD_ROWS && eldest.hasNext()) {
      heldRows -= eldest.next().getValue().size();
      eldest.remove();
    }
  }

  /** Reads answered from the cache so far. */
  synchronized long hits() {
    return hits;
  }

  synchronized int size() {
    return answers.size();
  }

  synchronized int heldRows() {
    return heldRows;
  }

  private static List<Record> copies(List<Record> rows) {
    List<Record> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(r.copy()));
    return out;
  }

  @Nullable
  private static Key key(Table table, Expression filter, long snapshotId) {
    try {
      return new Key(table.uuid(), snapshotId, ExpressionParser.toJson(filter));
    } catch (UnsupportedOperationException | IllegalArgumentException notKeyable) {
      // a table without a UUID, or a filter Iceberg cannot write as JSON: read it every time
      return null;
    }
  }

  /**
   * A read by table UUID (a name can be reused by a dropped and recreated table), snapshot and
   * filter (as Iceberg's JSON of the expression: its columns, operations and escaped literals).
   */
  private record Key(UUID tableUuid, long snapshotId, String filter) {}
}
