package io.psyberg.flink.examples.sessions;

import io.psyberg.flink.examples.sql.ResultTable;
import io.psyberg.flink.examples.sql.TablePrinter;
import io.psyberg.flink.examples.sql.ValueFormatter;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.session.SourceRange;
import java.io.PrintStream;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.annotation.Nullable;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * Reports the sessions a job run produced: what was planned (the source ranges), the audits, and
 * what was published; a full report for bounded runs and one line per session for continuous ones.
 */
public final class SessionReport {
  /** How far back a target's history is searched for a session's publish (its own run's). */
  private static final int RECENT_SNAPSHOTS = 20;

  /** The documented summary key of a publish: the ids of the sessions it holds, comma-separated. */
  private static final String SESSION_IDS = "psyberg.session-ids";

  private final TablePrinter printer = new TablePrinter(new ValueFormatter(ZoneOffset.UTC), false);

  /**
   * Prints a finished session.
   *
   * @param target the target table, to tell how many rows the published snapshot added; may be null
   * @param details a line printed after the ranges (e.g. the job's row counts); may be null
   */
  public void print(Session s, @Nullable Table target, @Nullable String details, PrintStream out) {
    print(
        s,
        target == null || s.targetTable() == null ? Map.of() : Map.of(s.targetTable(), target),
        details,
        out);
  }

  /**
   * Prints a finished session of a process with several targets: a {@code published:} part for each
   * target that holds the session (found by the session id its publish carries).
   *
   * @param targets target name ({@code ns.table}) to table, in the order to print them
   */
  public void print(
      Session s, Map<String, Table> targets, @Nullable String details, PrintStream out) {
    if (s.status() == SessionStatus.EMPTY) {
      out.println(
          "session "
              + s.sessionId()
              + ": EMPTY - nothing new since the high watermark ("
              + positions(s.ranges())
              + "); nothing published.");
      return;
    }
    out.println("session " + s.sessionId() + ": " + s.status());
    printer.print(ranges(s.ranges()), out);
    if (details != null) {
      out.println(details);
    }
    List<AuditOutcome> audits = AuditOutcomes.parse(s.auditResults());
    if (!audits.isEmpty()) {
      printer.print(audits(audits), out);
    }
    if (s.status() == SessionStatus.PUBLISHED && s.publishedSnapshotId() != null) {
      List<String> published = new ArrayList<>();
      targets.forEach(
          (name, table) -> {
            Long snapshot =
                name.equals(s.targetTable())
                    ? s.publishedSnapshotId()
                    : snapshotHolding(table, s.sessionId());
            if (snapshot != null) {
              published.add(name + " snapshot " + snapshot + addedRows(table, snapshot));
            }
          });
      if (published.isEmpty()) {
        published.add(s.targetTable() + " snapshot " + s.publishedSnapshotId());
      }
      out.println(
          "published: "
              + String.join(", ", published)
              + "; high watermark now "
              + positions(s.ranges()));
    } else {
      out.println("nothing published; the high watermark did not move.");
    }
  }

  /** One line for a session that just finished in a continuous run. */
  public static String oneLine(Session s) {
    StringBuilder sb =
        new StringBuilder("[")
            .append(SessionFormats.utc(s.finishedAt() != null ? s.finishedAt() : s.startedAt()))
            .append("] session ")
            .append(s.sessionId())
            .append(' ')
            .append(s.status());
    for (SourceRange r : s.ranges()) {
      sb.append(", ")
          .append(r.table())
          .append(' ')
          .append(SessionFormats.range(r))
          .append(' ')
          .append(r.recordCount())
          .append(" records");
    }
    if (s.publishedSnapshotId() != null) {
      sb.append(" -> ")
          .append(s.targetTable())
          .append(" snapshot ")
          .append(s.publishedSnapshotId());
    }
    String audits = AuditOutcomes.summary(s.auditResults());
    if (!audits.equals("-")) {
      sb.append(", audits ").append(audits);
    }
    return sb.toString();
  }

  static ResultTable ranges(List<SourceRange> ranges) {
    TableBuilder table =
        new TableBuilder()
            .text("source_table")
            .text("range (from, to]")
            .number("snapshots")
            .number("files")
            .number("records")
            .text("change_range");
    for (SourceRange r : ranges) {
      table.row(
          r.table(),
          SessionFormats.range(r),
          (long) r.snapshotCount(),
          r.dataFileCount(),
          r.recordCount(),
          SessionFormats.changeRange(r.changeRange()));
    }
    return table.build();
  }

  static ResultTable audits(List<AuditOutcome> audits) {
    TableBuilder table =
        new TableBuilder().text("audit").text("result").text("observed").text("expected");
    for (AuditOutcome a : audits) {
      table.row(a.name(), a.result(), a.observed(), a.expected());
    }
    return table.build();
  }

  /** {@code table at snapshot N, ...}. */
  private static String positions(List<SourceRange> ranges) {
    if (ranges.isEmpty()) {
      return "no source tables";
    }
    return ranges.stream()
        .map(
            r ->
                r.table()
                    + (r.toSnapshotId() == null
                        ? " without snapshots"
                        : " at snapshot " + r.toSnapshotId()))
        .collect(Collectors.joining(", "));
  }

  /** The snapshot of {@code table}'s recent history whose publish carries the session, if any. */
  @Nullable
  private static Long snapshotHolding(Table table, String sessionId) {
    table.refresh();
    if (table.currentSnapshot() == null) {
      return null;
    }
    int looked = 0;
    for (Snapshot snapshot :
        SnapshotUtil.ancestorsOf(table.currentSnapshot().snapshotId(), table::snapshot)) {
      String ids = snapshot.summary() == null ? null : snapshot.summary().get(SESSION_IDS);
      if (ids != null && Arrays.asList(ids.split(",")).contains(sessionId)) {
        return snapshot.snapshotId();
      }
      if (++looked == RECENT_SNAPSHOTS) {
        break;
      }
    }
    return null;
  }

  private static String addedRows(@Nullable Table target, long snapshotId) {
    if (target == null) {
      return "";
    }
    target.refresh();
    Snapshot snapshot = target.snapshot(snapshotId);
    String added =
        snapshot == null || snapshot.summary() == null
            ? null
            : snapshot.summary().get(SnapshotSummary.ADDED_RECORDS_PROP);
    return added == null ? "" : " (" + added + " rows added)";
  }
}
