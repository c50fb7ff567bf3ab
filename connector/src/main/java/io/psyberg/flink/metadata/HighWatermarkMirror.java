package io.psyberg.flink.metadata;

import io.psyberg.flink.session.SourceRange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;

/**
 * The table {@code <namespace>.high_watermarks}: one current row per process and source table. It
 * mirrors the high watermark published in the target table's snapshot summary, for people to query
 * and for a source to find its process's target table; it is never the source of truth.
 */
@PublicEvolving
public final class HighWatermarkMirror {
  private final Catalog catalog;
  private final String namespace;
  private final AtomicLong compactions = new AtomicLong();
  private Table table;

  public HighWatermarkMirror(Catalog catalog, String namespace) {
    this.catalog = catalog;
    this.namespace = namespace;
  }

  public String namespace() {
    return namespace;
  }

  private synchronized Table table() {
    if (table == null) {
      table =
          MetadataTableSchemas.loadOrCreate(
              catalog,
              namespace,
              MetadataTableSchemas.HIGH_WATERMARKS,
              MetadataTableSchemas.HIGH_WATERMARKS_SCHEMA);
    } else {
      table.refresh();
    }
    return table;
  }

  /** Records the published positions of a process, one row per source table. */
  @Internal
  public void update(
      String processName, String targetTable, String sessionId, List<SourceRange> ranges) {
    Table t = table();
    List<Record> rows = new ArrayList<>();
    Instant now = Instant.now();
    for (SourceRange range : ranges) {
      Record r = GenericRecord.create(t.schema());
      r.setField("process_name", processName);
      r.setField("source_table", range.table());
      r.setField("target_table", targetTable);
      r.setField("snapshot_id", range.toSnapshotId());
      r.setField(
          "snapshot_committed_at",
          range.toCommittedAtMillis() == null
              ? null
              : SessionLog.toOffset(Instant.ofEpochMilli(range.toCommittedAtMillis())));
      r.setField("session_id", sessionId);
      r.setField("updated_at", SessionLog.toOffset(now));
      rows.add(r);
    }
    if (RowUpserter.upsert(t, rows)) {
      compactions.incrementAndGet();
    }
  }

  /** How many times this handle's writes compacted its table (see {@link MetadataCompaction}). */
  public long compactions() {
    return compactions.get();
  }

  /** Removes every row of a process (an abandoned one, {@code drop-process}); returns how many. */
  public int remove(String processName) {
    Table t = table();
    List<Record> keys = new ArrayList<>();
    for (String sourceTable : read(processName).keySet()) {
      Record r = GenericRecord.create(t.schema());
      r.setField("process_name", processName);
      r.setField("source_table", sourceTable);
      keys.add(r);
    }
    RowUpserter.delete(t, keys);
    return keys.size();
  }

  /** The mirrored high watermarks of a process, by source table. */
  public Map<String, Entry> read(String processName) {
    Table t = table();
    Map<String, Entry> out = new LinkedHashMap<>();
    for (Record r : MetadataRows.read(t, Expressions.equal("process_name", processName), null)) {
      out.put(
          (String) r.getField("source_table"),
          new Entry(
              (String) r.getField("target_table"),
              (Long) r.getField("snapshot_id"),
              (String) r.getField("session_id")));
    }
    return out;
  }

  /** One mirrored position. */
  public static final class Entry {
    public final String targetTable;
    public final Long snapshotId;
    public final String sessionId;

    Entry(String targetTable, Long snapshotId, String sessionId) {
      this.targetTable = targetTable;
      this.snapshotId = snapshotId;
      this.sessionId = sessionId;
    }
  }
}
