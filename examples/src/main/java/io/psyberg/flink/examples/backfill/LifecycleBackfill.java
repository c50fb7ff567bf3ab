package io.psyberg.flink.examples.backfill;

import io.psyberg.flink.backfill.SnapshotFiles;
import io.psyberg.flink.examples.generate.MembershipEvents;
import io.psyberg.flink.examples.lifecycle.LifecycleTables;
import io.psyberg.flink.stateful.lifecycle.Anomaly;
import io.psyberg.flink.stateful.lifecycle.LifecycleEvent;
import io.psyberg.flink.stateful.lifecycle.LifecycleRecompute;
import io.psyberg.flink.stateful.lifecycle.LifecycleResult;
import io.psyberg.flink.stateful.lifecycle.Segment;
import io.psyberg.flink.stateful.lifecycle.TimestampMicros;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongPredicate;
import java.util.stream.IntStream;
import javax.annotation.Nullable;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;

/**
 * The lifecycle job as a backfill. A lifecycle depends on all of an account's events, so a chunk is
 * a bucket of accounts ({@code account_id mod chunks}), recomputed from their full history at the
 * fixed source snapshots; the range keeps the segments that open in it ({@code valid_from}) and the
 * anomalies of its events ({@code event_ts}). That equals a full recompute restricted to the range.
 * A catch-up recomputes the accounts that newer events touch and replaces their rows.
 */
public final class LifecycleBackfill implements BackfillJob {
  private static final String ACCOUNT_ID = "account_id";

  private final Map<String, Table> sources = new TreeMap<>();
  private final Map<String, Long> fixed;
  private final String lifecycle;
  @Nullable private final String anomalies;
  private final BackfillRange range;
  private final int chunks;

  /**
   * Source events a chunk keeps at most when no snapshot count is given: a chunk holds its
   * accounts' events and rows in memory (a 5M-event chunk ran in a 4 GiB heap in the backfill
   * benchmark), so a long history is built in several account buckets, each reading it once.
   */
  static final long EVENTS_PER_CHUNK = 5_000_000L;

  /**
   * @param anomalies the anomalies target, null when the process writes none
   * @param maxSnapshotsPerChunk sizes the number of account buckets: one per this many source
   *     snapshots; 0: one per {@link #EVENTS_PER_CHUNK} source events
   */
  public LifecycleBackfill(
      Catalog catalog,
      Map<String, Long> fixed,
      String lifecycle,
      @Nullable String anomalies,
      BackfillRange range,
      int maxSnapshotsPerChunk) {
    this(catalog, fixed, lifecycle, anomalies, range, maxSnapshotsPerChunk, EVENTS_PER_CHUNK);
  }

  LifecycleBackfill(
      Catalog catalog,
      Map<String, Long> fixed,
      String lifecycle,
      @Nullable String anomalies,
      BackfillRange range,
      int maxSnapshotsPerChunk,
      long eventsPerChunk) {
    this.fixed = fixed;
    this.lifecycle = lifecycle;
    this.anomalies = anomalies;
    this.range = range;
    fixed.keySet().forEach(s -> sources.put(s, catalog.loadTable(TableIdentifier.parse(s))));
    int snapshots = 0;
    long events = 0;
    for (Map.Entry<String, Table> source : sources.entrySet()) {
      Long snapshot = fixed.get(source.getKey());
      if (snapshot != null) {
        Map<Long, Long> records =
            SnapshotFiles.recordsBySequenceNumber(
                source.getValue(), snapshot, Expressions.alwaysTrue());
        snapshots += records.size();
        events += records.values().stream().mapToLong(Long::longValue).sum();
      }
    }
    this.chunks =
        maxSnapshotsPerChunk > 0
            ? Math.max(1, (snapshots + maxSnapshotsPerChunk - 1) / maxSnapshotsPerChunk)
            : (int) Math.max(1, (events + eventsPerChunk - 1) / eventsPerChunk);
  }

  @Override
  public Map<String, Expression> ranges() {
    Map<String, Expression> out = new LinkedHashMap<>();
    out.put(lifecycle, range.filter("valid_from"));
    if (anomalies != null) {
      out.put(anomalies, range.filter(MembershipEvents.EVENT_TS));
    }
    return out;
  }

  @Override
  public int chunkCount() {
    return chunks;
  }

  @Override
  public Map<String, List<Record>> chunk(int chunk) {
    // only the chunk's accounts are kept while the files are read: a chunk holds its bucket
    return recomputeRows(
        events(
            fixed,
            Expressions.alwaysTrue(),
            seq -> true,
            account -> Math.floorMod(account, chunks) == chunk));
  }

  @Override
  public Map<String, Replacement> catchUp(Map<String, Long> from, Map<String, Long> to) {
    Set<Long> touched = new TreeSet<>();
    for (Map.Entry<String, Table> source : sources.entrySet()) {
      Long end = to.get(source.getKey());
      if (end == null) {
        continue;
      }
      long after = SnapshotFiles.sequenceNumber(source.getValue(), from.get(source.getKey()));
      touched.addAll(
          SnapshotFiles.read(
              source.getValue(),
              end,
              Expressions.alwaysTrue(),
              seq -> seq > after,
              r -> (Long) r.getField(ACCOUNT_ID)));
    }
    Map<String, Replacement> out = new LinkedHashMap<>();
    if (touched.isEmpty()) {
      ranges()
          .keySet()
          .forEach(t -> out.put(t, new Replacement(Expressions.alwaysFalse(), List.of())));
      return out;
    }
    Expression accounts = Expressions.in(ACCOUNT_ID, touched.toArray());
    Map<String, List<Record>> rows =
        recomputeRows(events(to, accounts, seq -> true, account -> true));
    rows.forEach((t, r) -> out.put(t, new Replacement(accounts, r)));
    return out;
  }

  /**
   * The range's rows of the lifecycles of the accounts in {@code events}: the accounts are
   * recomputed in groups side by side on every core (each account's lifecycle on its own; a large
   * chunk's recompute was most of its time on one thread), the rows kept in account order.
   */
  private Map<String, List<Record>> recomputeRows(List<LifecycleEvent> events) {
    Map<Long, List<LifecycleEvent>> byAccount = new HashMap<>();
    for (LifecycleEvent e : events) {
      byAccount.computeIfAbsent(e.accountId(), k -> new ArrayList<>()).add(e);
    }
    long[] accounts = byAccount.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
    int groups =
        Math.max(1, Math.min(accounts.length / 8, Runtime.getRuntime().availableProcessors() * 4));
    List<Map<String, List<Record>>> parts =
        IntStream.range(0, groups)
            .parallel()
            .mapToObj(
                g -> {
                  List<LifecycleEvent> group = new ArrayList<>();
                  int end = (int) ((long) accounts.length * (g + 1) / groups);
                  for (int i = (int) ((long) accounts.length * g / groups); i < end; i++) {
                    group.addAll(byAccount.get(accounts[i]));
                  }
                  return rows(LifecycleRecompute.recompute(group));
                })
            .toList();
    Map<String, List<Record>> out = new HashMap<>();
    for (Map<String, List<Record>> part : parts) {
      part.forEach((t, r) -> out.computeIfAbsent(t, k -> new ArrayList<>()).addAll(r));
    }
    ranges().keySet().forEach(t -> out.putIfAbsent(t, new ArrayList<>()));
    return out;
  }

  /**
   * The events of the accounts {@code accounts} accepts, of every source at {@code at}, source by
   * source in landing order.
   */
  private List<LifecycleEvent> events(
      Map<String, Long> at, Expression filter, LongPredicate sequences, LongPredicate accounts) {
    List<LifecycleEvent> out = new ArrayList<>();
    for (Map.Entry<String, Table> source : sources.entrySet()) {
      Long snapshot = at.get(source.getKey());
      if (snapshot == null) {
        continue;
      }
      out.addAll(
          SnapshotFiles.read(
              source.getValue(),
              snapshot,
              filter,
              sequences,
              r -> {
                LifecycleEvent e = event(r);
                return e != null && accounts.test(e.accountId()) ? e : null;
              }));
    }
    return out;
  }

  /** An event row as the lifecycle reads it; rows missing a NOT NULL column are left out. */
  @Nullable
  private static LifecycleEvent event(Record r) {
    String id = (String) r.getField(MembershipEvents.EVENT_ID);
    Long account = (Long) r.getField(MembershipEvents.ACCOUNT_ID);
    String type = (String) r.getField(MembershipEvents.EVENT_TYPE);
    LocalDateTime ts = (LocalDateTime) r.getField(MembershipEvents.EVENT_TS);
    if (id == null || account == null || type == null || ts == null) {
      return null;
    }
    return LifecycleEvent.of(id, account, type, (String) r.getField(MembershipEvents.PLAN), ts);
  }

  private Map<String, List<Record>> rows(LifecycleResult result) {
    Map<String, List<Record>> out = new HashMap<>();
    List<Record> segments = new ArrayList<>();
    for (Segment s : result.segments()) {
      LocalDateTime from = TimestampMicros.toLocalDateTime(s.validFromMicros());
      if (!range.contains(from)) {
        continue;
      }
      Record r = GenericRecord.create(LifecycleTables.LIFECYCLE);
      r.setField(ACCOUNT_ID, s.accountId());
      r.setField("segment_no", s.segmentNo());
      r.setField("state", s.state().name());
      r.setField("plan", s.plan());
      r.setField("valid_from", from);
      r.setField(
          "valid_to",
          s.validToMicros() == null ? null : TimestampMicros.toLocalDateTime(s.validToMicros()));
      r.setField("opened_by_event_id", s.openedByEventId());
      segments.add(r);
    }
    out.put(lifecycle, segments);
    if (anomalies != null) {
      List<Record> rows = new ArrayList<>();
      for (Anomaly a : result.anomalies()) {
        LocalDateTime ts = TimestampMicros.toLocalDateTime(a.eventTimeMicros());
        if (!range.contains(ts)) {
          continue;
        }
        Record r = GenericRecord.create(LifecycleTables.ANOMALIES);
        r.setField("event_id", a.eventId());
        r.setField(ACCOUNT_ID, a.accountId());
        r.setField("event_type", a.eventType());
        r.setField("event_ts", ts);
        r.setField("reason", a.reason().name());
        rows.add(r);
      }
      out.put(anomalies, rows);
    }
    return out;
  }
}
