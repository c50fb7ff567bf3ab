package io.psyberg.flink.metadata;

import io.psyberg.flink.session.ChangeRange;
import io.psyberg.flink.session.Processing;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.session.SourceRange;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session log, {@code <namespace>.sessions}: one row per session and source table, upserted on
 * every change of status. It is a mirror for people and for coordination between the source and the
 * sink of one job; the published high watermark in the target table's snapshot summary stays the
 * truth.
 */
@PublicEvolving
public final class SessionLog {
  /** Source-table value for a session that has no source table (a sink fed by something else). */
  public static final String NO_SOURCE = "";

  private static final Logger LOG = LoggerFactory.getLogger(SessionLog.class);

  /** Attempts to record a session whose row other writers keep changing. */
  private static final int MAX_ATTEMPTS = 10;

  private final Catalog catalog;
  private final String namespace;
  private final AtomicLong compactions = new AtomicLong();
  private Table table;

  public SessionLog(Catalog catalog, String namespace) {
    this.catalog = catalog;
    this.namespace = namespace;
  }

  /** The log table of a metadata namespace, {@code <namespace>.sessions}. */
  public static TableIdentifier tableIdentifier(String namespace) {
    return TableIdentifier.of(namespace, MetadataTableSchemas.SESSIONS);
  }

  /**
   * Whether the log table exists; a reader that must not change anything checks this first, since
   * reading through a {@code SessionLog} creates the table.
   */
  public static boolean exists(Catalog catalog, String namespace) {
    return catalog.tableExists(tableIdentifier(namespace));
  }

  private synchronized Table table() {
    if (table == null) {
      table =
          MetadataTableSchemas.loadOrCreate(
              catalog,
              namespace,
              MetadataTableSchemas.SESSIONS,
              MetadataTableSchemas.SESSIONS_SCHEMA);
    } else {
      table.refresh();
    }
    return table;
  }

  /**
   * Records the session as it is now, replacing its earlier rows, unless its row already tells a
   * later part of the session's life (see {@link #replaces}): a writer holding an older copy (a
   * restored enumerator re-recording its in-flight session while a committer completes its publish)
   * never turns a published session back into a planned one.
   */
  @Internal
  public void record(Session session) {
    record(session, () -> {});
  }

  /**
   * Records a session planned just now, under an id no other writer knows yet: nothing to check
   * against, so the row is written without reading the log first.
   */
  @Internal
  public void recordNew(Session session) {
    Table t = writableTable();
    upsert(t, rows(t, session), null, null);
  }

  /** {@link #record(Session)}, running {@code beforeCommit} between the check and the commit. */
  @VisibleForTesting
  void record(Session session, Runnable beforeCommit) {
    if (!mayBeRefused(session.status())) {
      // Nothing can refuse it: the row is written whatever the log holds.
      recordNew(session);
      return;
    }
    Expression key =
        Expressions.and(
            Expressions.equal("process_name", session.processName()),
            Expressions.equal("session_id", session.sessionId()));
    for (int attempt = 1; ; attempt++) {
      Table t = writableTable();
      Snapshot checked = t.currentSnapshot();
      List<Record> stored =
          MetadataRows.read(t, key, checked == null ? null : checked.snapshotId());
      if (!stored.isEmpty()) {
        SessionStatus was = SessionStatus.valueOf((String) stored.get(0).getField("status"));
        String wasTarget = (String) stored.get(0).getField("target_table");
        if (!replaces(session.status(), session.targetTable(), was, wasTarget)) {
          if (session.status() == SessionStatus.PUBLISHED) {
            LOG.info(
                "Process {}: session {} published to {}; its row keeps {} of {}, so that the"
                    + " session does not read as published everywhere.",
                session.processName(),
                session.sessionId(),
                session.targetTable(),
                was,
                wasTarget);
          } else {
            LOG.debug(
                "Process {}: session {} is {} in the log; not recording it {} again.",
                session.processName(),
                session.sessionId(),
                was,
                session.status());
          }
          return;
        }
      }
      beforeCommit.run();
      try {
        upsert(t, rows(t, session), checked, key);
        return;
      } catch (ValidationException raced) {
        // Someone recorded this session since the check: check again against their row.
        if (attempt >= MAX_ATTEMPTS) {
          throw new IllegalStateException(
              String.format(
                  "Process %s: could not record session %s in %s: its row kept changing under %d"
                      + " attempts (%s)",
                  session.processName(),
                  session.sessionId(),
                  tableIdentifier(namespace),
                  attempt,
                  raced.getMessage()),
              raced);
        }
      }
    }
  }

  /** The log table, with the columns later versions added. */
  private Table writableTable() {
    Table t = table();
    MetadataTableSchemas.addColumnsAddedLater(
        t, MetadataTableSchemas.SESSIONS, MetadataTableSchemas.SESSIONS_SCHEMA);
    return t;
  }

  /** Upserts the rows; with a {@code key}, only if no row of it was added since {@code checked}. */
  private void upsert(
      Table t, List<Record> rows, @Nullable Snapshot checked, @Nullable Expression key) {
    boolean compacted =
        key == null ? RowUpserter.upsert(t, rows) : RowUpserter.upsert(t, rows, checked, key);
    if (compacted) {
      compactions.incrementAndGet();
    }
  }

  /**
   * Whether a row in status {@code next}, recorded for {@code nextTarget}, may replace one in
   * {@code stored} recorded for {@code storedTarget}. A session moves forward only: a planned or
   * staged row never replaces an ended one, and a published session is never marked empty or given
   * up afterwards. A session with several targets keeps one row per source table, so its row shows
   * a failed target (audit or publish) over the others' publishes: one target's publish never hides
   * another's failure. The same target publishing after its own failure (a retried publish) is
   * recorded.
   */
  static boolean replaces(
      SessionStatus next,
      @Nullable String nextTarget,
      SessionStatus stored,
      @Nullable String storedTarget) {
    if (!next.isFinal()) {
      return !stored.isFinal();
    }
    if (stored == SessionStatus.PUBLISHED) {
      return next != SessionStatus.EMPTY && next != SessionStatus.ABORTED;
    }
    if (next == SessionStatus.PUBLISHED && isTargetFailure(stored)) {
      return storedTarget == null || storedTarget.equals(nextTarget);
    }
    return true;
  }

  /**
   * Whether a session's row accounts for its publish to {@code target}: it says PUBLISHED, or it
   * keeps another target's failure, which that publish does not replace (see {@link #replaces}).
   */
  public static boolean accountsForPublish(Session row, String target) {
    return row.status() == SessionStatus.PUBLISHED
        || (isTargetFailure(row.status())
            && row.targetTable() != null
            && !row.targetTable().equals(target));
  }

  private static boolean isTargetFailure(SessionStatus status) {
    return status == SessionStatus.AUDIT_FAILED || status == SessionStatus.FAILED;
  }

  /**
   * Whether {@link #replaces} can refuse a row in this status (only those pay for a read). A
   * publish can be refused by another target's failure.
   */
  private static boolean mayBeRefused(SessionStatus next) {
    return !next.isFinal()
        || next == SessionStatus.EMPTY
        || next == SessionStatus.ABORTED
        || next == SessionStatus.PUBLISHED;
  }

  private static List<Record> rows(Table t, Session session) {
    List<Record> rows = new ArrayList<>();
    List<SourceRange> ranges =
        session.ranges().isEmpty()
            ? List.of(SourceRange.empty(NO_SOURCE, null, null))
            : session.ranges();
    for (SourceRange range : ranges) {
      Record r = GenericRecord.create(t.schema());
      r.setField("session_id", session.sessionId());
      r.setField("process_name", session.processName());
      r.setField("mode", session.mode());
      r.setField("processing", session.processing().toString());
      r.setField("source_table", range.table());
      r.setField("from_snapshot_id", range.fromSnapshotId());
      r.setField("to_snapshot_id", range.toSnapshotId());
      r.setField("snapshot_count", range.snapshotCount());
      r.setField("skipped_snapshot_count", range.skippedSnapshotCount());
      r.setField("data_file_count", range.dataFileCount());
      r.setField("record_count", range.recordCount());
      if (range.changeRange() != null) {
        r.setField("change_range_column", range.changeRange().column());
        r.setField("change_range_min", range.changeRange().min());
        r.setField("change_range_max", range.changeRange().max());
      }
      r.setField("to_snapshot_committed_at", toOffset(millis(range.toCommittedAtMillis())));
      r.setField("target_table", session.targetTable());
      r.setField("published_snapshot_id", session.publishedSnapshotId());
      r.setField("status", session.status().name());
      r.setField("audit_results", session.auditResults());
      r.setField("started_at", toOffset(session.startedAt()));
      r.setField("finished_at", toOffset(session.finishedAt()));
      r.setField("job_id", session.jobId());
      r.setField("read_through_checkpoint", session.readThroughCheckpoint());
      r.setField("notes", range.note());
      rows.add(r);
    }
    return rows;
  }

  /** How many times this handle's writes compacted its table (see {@link MetadataCompaction}). */
  public long compactions() {
    return compactions.get();
  }

  /** All sessions of a process, oldest first. */
  public List<Session> sessions(String processName) {
    return read(Expressions.equal("process_name", processName));
  }

  /**
   * The sessions one job of a process planned or published, oldest first. The job filter lets the
   * scan skip every file of other jobs by its column bounds, so this stays cheap however long the
   * log grows.
   */
  public List<Session> sessionsOfJob(String processName, String jobId) {
    return read(
        Expressions.and(
            Expressions.equal("process_name", processName), Expressions.equal("job_id", jobId)));
  }

  /** All sessions of all processes, oldest first. */
  public List<Session> allSessions() {
    return read(Expressions.alwaysTrue());
  }

  public Optional<Session> find(String sessionId) {
    return read(Expressions.equal("session_id", sessionId)).stream().findFirst();
  }

  /** A session of a known process: reads only that process's partition of the log. */
  public Optional<Session> find(String processName, String sessionId) {
    return read(
            Expressions.and(
                Expressions.equal("process_name", processName),
                Expressions.equal("session_id", sessionId)))
        .stream()
        .findFirst();
  }

  /** Sessions of a known process by id, in one read of that process's partition. */
  public Map<String, Session> find(String processName, Collection<String> sessionIds) {
    if (sessionIds.isEmpty()) {
      return Map.of();
    }
    Map<String, Session> out = new LinkedHashMap<>();
    for (Session s :
        read(
            Expressions.and(
                Expressions.equal("process_name", processName),
                Expressions.in("session_id", sessionIds.toArray())))) {
      out.put(s.sessionId(), s);
    }
    return out;
  }

  private List<Session> read(Expression filter) {
    Table t = table();
    Map<String, List<Record>> bySession = new LinkedHashMap<>();
    for (Record r : MetadataRows.read(t, filter, null)) {
      bySession.computeIfAbsent((String) r.getField("session_id"), k -> new ArrayList<>()).add(r);
    }
    return bySession.values().stream()
        .map(SessionLog::toSession)
        .sorted(Comparator.comparing(Session::startedAt).thenComparing(Session::sessionId))
        .collect(Collectors.toList());
  }

  private static Session toSession(List<Record> rows) {
    Record first = rows.get(0);
    List<SourceRange> ranges = new ArrayList<>();
    for (Record r : rows) {
      String table = (String) r.getField("source_table");
      if (NO_SOURCE.equals(table)) {
        continue;
      }
      String column = (String) r.getField("change_range_column");
      ChangeRange change =
          column == null
              ? null
              : new ChangeRange(
                  column,
                  (String) r.getField("change_range_min"),
                  (String) r.getField("change_range_max"));
      ranges.add(
          new SourceRange(
              table,
              (Long) r.getField("from_snapshot_id"),
              (Long) r.getField("to_snapshot_id"),
              intOrZero(r.getField("snapshot_count")),
              intOrZero(r.getField("skipped_snapshot_count")),
              longOrZero(r.getField("data_file_count")),
              longOrZero(r.getField("record_count")),
              change,
              toMillis((OffsetDateTime) r.getField("to_snapshot_committed_at")),
              (String) r.getField("notes")));
    }
    ranges.sort(Comparator.comparing(SourceRange::table));
    return Session.builder()
        .sessionId((String) first.getField("session_id"))
        .processName((String) first.getField("process_name"))
        .mode((String) first.getField("mode"))
        .processing(processing((String) first.getField("processing")))
        .jobId((String) first.getField("job_id"))
        .ranges(ranges)
        .targetTable((String) first.getField("target_table"))
        .publishedSnapshotId((Long) first.getField("published_snapshot_id"))
        .status(SessionStatus.valueOf((String) first.getField("status")))
        .auditResults((String) first.getField("audit_results"))
        .startedAt(toInstant((OffsetDateTime) first.getField("started_at")))
        .finishedAt(
            first.getField("finished_at") == null
                ? null
                : toInstant((OffsetDateTime) first.getField("finished_at")))
        .readThroughCheckpoint((Long) first.getField("read_through_checkpoint"))
        .build();
  }

  /** Rows record the option's value; only {@code stateful} sessions say so. */
  private static Processing processing(String value) {
    return Processing.STATEFUL.toString().equals(value)
        ? Processing.STATEFUL
        : Processing.STATELESS;
  }

  private static int intOrZero(Object v) {
    return v == null ? 0 : (Integer) v;
  }

  private static long longOrZero(Object v) {
    return v == null ? 0L : (Long) v;
  }

  private static Instant millis(Long epochMillis) {
    return epochMillis == null ? null : Instant.ofEpochMilli(epochMillis);
  }

  static OffsetDateTime toOffset(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  private static Instant toInstant(OffsetDateTime t) {
    return t == null ? Instant.EPOCH : t.toInstant();
  }

  private static Long toMillis(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toEpochMilli();
  }
}
