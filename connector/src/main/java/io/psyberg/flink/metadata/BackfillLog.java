package io.psyberg.flink.metadata;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.backfill.Backfill;
import io.psyberg.flink.backfill.BackfillStatus;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;

/**
 * The backfill log, {@code <namespace>.backfills}: one row per managed backfill, upserted on every
 * change. Unlike the session log it is the backfill's own record (its fixed source snapshots live
 * here); what a backfill has written is still read from its branches, so a resume never trusts a
 * progress count that a crash left behind.
 */
@PublicEvolving
public final class BackfillLog {
  private static final String NO_SNAPSHOT = SummaryKeys.NO_SNAPSHOT;

  private final Catalog catalog;
  private final String namespace;
  private Table table;

  public BackfillLog(Catalog catalog, String namespace) {
    this.catalog = catalog;
    this.namespace = namespace;
  }

  /** The log table of a metadata namespace, {@code <namespace>.backfills}. */
  public static TableIdentifier tableIdentifier(String namespace) {
    return TableIdentifier.of(namespace, MetadataTableSchemas.BACKFILLS);
  }

  private synchronized Table table() {
    if (table == null) {
      table =
          MetadataTableSchemas.loadOrCreate(
              catalog,
              namespace,
              MetadataTableSchemas.BACKFILLS,
              MetadataTableSchemas.BACKFILLS_SCHEMA);
    } else {
      table.refresh();
    }
    return table;
  }

  /** Records the backfill as it is now, replacing its earlier row. */
  public void record(Backfill b) {
    Table t = table();
    Record r = GenericRecord.create(t.schema());
    r.setField("backfill_id", b.backfillId());
    r.setField("process_name", b.processName());
    r.setField("job", b.job());
    r.setField("range_from", b.rangeFrom());
    r.setField("range_to", b.rangeTo());
    r.setField("status", b.status().name());
    r.setField("chunks_done", b.chunksDone());
    r.setField("chunks_total", b.chunksTotal());
    r.setField("rows_written", b.rowsWritten());
    r.setField("validation", b.validation());
    r.setField("validation_report", b.validationReport());
    r.setField("started_at", SessionLog.toOffset(b.startedAt()));
    r.setField("finished_at", SessionLog.toOffset(b.finishedAt()));
    r.setField("source_snapshots", encode(b.sourceSnapshots()));
    r.setField("target_tables", String.join(",", b.targetTables()));
    r.setField("max_snapshots_per_session", b.maxSnapshotsPerSession());
    r.setField("error", b.error());
    RowUpserter.upsert(t, List.of(r));
  }

  /** Every backfill, oldest first. */
  public List<Backfill> all() {
    return read(Expressions.alwaysTrue());
  }

  public Optional<Backfill> find(String backfillId) {
    return read(Expressions.equal("backfill_id", backfillId)).stream().findFirst();
  }

  /**
   * The backfill with this id.
   *
   * @throws PsybergException naming the id and saying how to list the backfills when there is none
   */
  public Backfill get(String backfillId) {
    return find(backfillId)
        .orElseThrow(
            () ->
                new PsybergException(
                    "No backfill '"
                        + backfillId
                        + "' in "
                        + tableIdentifier(namespace)
                        + ". List the backfills with: backfill status"));
  }

  private List<Backfill> read(Expression filter) {
    if (table == null && !catalog.tableExists(tableIdentifier(namespace))) {
      return List.of();
    }
    return MetadataRows.read(table(), filter, null).stream()
        .map(BackfillLog::toBackfill)
        .sorted(Comparator.comparing(Backfill::startedAt).thenComparing(Backfill::backfillId))
        .collect(Collectors.toList());
  }

  private static Backfill toBackfill(Record r) {
    String targets = (String) r.getField("target_tables");
    return new Backfill(
        (String) r.getField("backfill_id"),
        (String) r.getField("process_name"),
        (String) r.getField("job"),
        (java.time.LocalDateTime) r.getField("range_from"),
        (java.time.LocalDateTime) r.getField("range_to"),
        BackfillStatus.valueOf((String) r.getField("status")),
        intOrZero(r.getField("chunks_done")),
        intOrZero(r.getField("chunks_total")),
        r.getField("rows_written") == null ? 0L : (Long) r.getField("rows_written"),
        (String) r.getField("validation"),
        (String) r.getField("validation_report"),
        decode((String) r.getField("source_snapshots")),
        targets == null || targets.isEmpty() ? List.of() : Arrays.asList(targets.split(",")),
        intOrZero(r.getField("max_snapshots_per_session")),
        (String) r.getField("error"),
        instant(r.getField("started_at")),
        r.getField("finished_at") == null ? null : instant(r.getField("finished_at")));
  }

  private static String encode(Map<String, Long> snapshots) {
    List<String> parts = new ArrayList<>();
    snapshots.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> parts.add(e.getKey() + "=" + (e.getValue() == null ? NO_SNAPSHOT : e.getValue())));
    return String.join(",", parts);
  }

  private static Map<String, Long> decode(String value) {
    Map<String, Long> out = new LinkedHashMap<>();
    if (value != null && !value.isEmpty()) {
      for (String part : value.split(",")) {
        int eq = part.lastIndexOf('=');
        String snapshot = part.substring(eq + 1);
        out.put(
            part.substring(0, eq), NO_SNAPSHOT.equals(snapshot) ? null : Long.parseLong(snapshot));
      }
    }
    return out;
  }

  private static int intOrZero(Object v) {
    return v == null ? 0 : (Integer) v;
  }

  private static Instant instant(Object t) {
    return t == null ? Instant.EPOCH : ((OffsetDateTime) t).toInstant();
  }
}
