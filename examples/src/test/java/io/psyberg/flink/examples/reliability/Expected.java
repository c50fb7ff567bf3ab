package io.psyberg.flink.examples.reliability;

import io.psyberg.flink.stateful.lifecycle.Anomaly;
import io.psyberg.flink.stateful.lifecycle.LifecycleEvent;
import io.psyberg.flink.stateful.lifecycle.LifecycleRecompute;
import io.psyberg.flink.stateful.lifecycle.LifecycleResult;
import io.psyberg.flink.stateful.lifecycle.Segment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/**
 * The results the pipelines must have, computed independently of them from the source table as of a
 * snapshot: the signup facts (one per SIGNUP row) and the lifecycle tables (a full recompute by the
 * stateful-ops reference). Rows are rendered as sorted {@code a|b|c|} strings, the same way the
 * published tables are read back.
 */
public final class Expected {
  public static final List<String> FACT_COLUMNS =
      List.of("event_id", "account_id", "plan", "event_ts", "signup_date");
  public static final List<String> SEGMENT_COLUMNS =
      List.of(
          "account_id",
          "segment_no",
          "state",
          "plan",
          "valid_from",
          "valid_to",
          "opened_by_event_id");
  public static final List<String> ANOMALY_COLUMNS =
      List.of("event_id", "account_id", "event_type", "event_ts", "reason");

  private Expected() {}

  /**
   * The signup facts of every SIGNUP event in {@code source} as of {@code snapshotId} (none when
   * null).
   */
  public static List<String> signupFacts(
      Catalog catalog, String source, @Nullable Long snapshotId) {
    List<String> out = new ArrayList<>();
    for (Record r : rows(catalog, source, snapshotId)) {
      if ("SIGNUP".equals(r.getField("event_type"))) {
        LocalDateTime ts = (LocalDateTime) r.getField("event_ts");
        out.add(
            r.getField("event_id")
                + "|"
                + r.getField("account_id")
                + "|"
                + r.getField("plan")
                + "|"
                + ts
                + "|"
                + ts.toLocalDate()
                + "|");
      }
    }
    out.sort(null);
    return out;
  }

  /**
   * A full recompute of the lifecycle over the events of {@code source} as of {@code snapshotId}.
   */
  public static LifecycleResult lifecycle(
      Catalog catalog, String source, @Nullable Long snapshotId) {
    List<LifecycleEvent> events = new ArrayList<>();
    for (Record r : rows(catalog, source, snapshotId)) {
      events.add(
          LifecycleEvent.of(
              (String) r.getField("event_id"),
              (Long) r.getField("account_id"),
              (String) r.getField("event_type"),
              (String) r.getField("plan"),
              (LocalDateTime) r.getField("event_ts")));
    }
    return LifecycleRecompute.recompute(events);
  }

  public static List<String> segments(LifecycleResult result) {
    List<String> out = new ArrayList<>();
    for (Segment s : result.segments()) {
      out.add(
          s.accountId()
              + "|"
              + s.segmentNo()
              + "|"
              + s.state()
              + "|"
              + s.plan()
              + "|"
              + ts(s.validFromMicros())
              + "|"
              + (s.validToMicros() == null ? null : ts(s.validToMicros()))
              + "|"
              + s.openedByEventId()
              + "|");
    }
    out.sort(null);
    return out;
  }

  public static List<String> anomalies(LifecycleResult result) {
    List<String> out = new ArrayList<>();
    for (Anomaly a : result.anomalies()) {
      out.add(
          a.eventId()
              + "|"
              + a.accountId()
              + "|"
              + a.eventType()
              + "|"
              + ts(a.eventTimeMicros())
              + "|"
              + a.reason()
              + "|");
    }
    out.sort(null);
    return out;
  }

  /** The rows of a published table's main branch, rendered with {@code columns}, sorted. */
  public static List<String> published(Catalog catalog, String table, List<String> columns) {
    List<String> out = new ArrayList<>();
    for (Record r : rows(catalog, table, null, true)) {
      StringBuilder sb = new StringBuilder();
      for (String c : columns) {
        sb.append(r.getField(c)).append('|');
      }
      out.add(sb.toString());
    }
    out.sort(null);
    return out;
  }

  /** The rows of {@code table} as of {@code snapshotId}; none for a null snapshot. */
  static List<Record> rows(Catalog catalog, String table, @Nullable Long snapshotId) {
    return snapshotId == null ? List.of() : rows(catalog, table, snapshotId, false);
  }

  /** The rows of {@code table}'s main branch ({@code current}) or as of {@code snapshotId}. */
  static List<Record> rows(
      Catalog catalog, String table, @Nullable Long snapshotId, boolean current) {
    Table t = catalog.loadTable(TableIdentifier.parse(table));
    List<Record> out = new ArrayList<>();
    if (t.currentSnapshot() == null) {
      return out;
    }
    IcebergGenerics.ScanBuilder scan = IcebergGenerics.read(t);
    if (!current) {
      scan = scan.useSnapshot(snapshotId);
    }
    try (CloseableIterable<Record> rows = scan.build()) {
      rows.forEach(r -> out.add(r.copy()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static LocalDateTime ts(long micros) {
    return LocalDateTime.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L),
        (int) Math.floorMod(micros, 1_000_000L) * 1000,
        ZoneOffset.UTC);
  }
}
