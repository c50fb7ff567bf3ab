package io.psyberg.flink.examples.sessions;

import io.psyberg.flink.examples.sql.ResultTable;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SourceRange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The session log as a table: one row per session and source table (as in {@code
 * psyberg.sessions}), oldest session first.
 */
public final class SessionTable {

  private SessionTable() {}

  public static ResultTable of(List<Session> sessions) {
    TableBuilder table =
        new TableBuilder()
            .text("session_id")
            .text("process")
            .text("mode")
            .text("status")
            .text("source_table")
            .text("range (from, to]")
            .number("snapshots")
            .number("records")
            .text("change_range")
            .text("target")
            .text("published_snapshot")
            .text("started_utc")
            .text("finished_utc")
            .text("audits")
            .text("notes");
    List<Session> sorted = new ArrayList<>(sessions);
    sorted.sort(Comparator.comparing(Session::startedAt).thenComparing(Session::sessionId));
    for (Session s : sorted) {
      List<SourceRange> ranges = s.ranges();
      if (ranges.isEmpty()) {
        table.row(session(s, null));
      }
      for (SourceRange r : ranges) {
        table.row(session(s, r));
      }
    }
    return table.build();
  }

  private static Object[] session(Session s, SourceRange r) {
    return new Object[] {
      s.sessionId(),
      s.processName(),
      s.mode(),
      s.status().name(),
      r == null ? "-" : r.table(),
      r == null ? "-" : SessionFormats.range(r),
      r == null ? null : (long) r.snapshotCount(),
      r == null ? null : r.recordCount(),
      r == null ? "-" : SessionFormats.changeRange(r.changeRange()),
      s.targetTable() == null ? "-" : s.targetTable(),
      s.publishedSnapshotId() == null ? "-" : s.publishedSnapshotId().toString(),
      SessionFormats.utc(s.startedAt()),
      SessionFormats.utc(s.finishedAt()),
      AuditOutcomes.summary(s.auditResults()),
      r == null || r.note() == null ? "-" : r.note()
    };
  }
}
