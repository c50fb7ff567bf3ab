package io.psyberg.flink.changes;

import io.psyberg.flink.metadata.SummaryKeys;
import io.psyberg.flink.session.ChangeRange;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SourceRange;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.iceberg.Snapshot;

/**
 * Snapshot summary keys of a change table: the captured session's id, its source range and change
 * range, so that any engine reading the table (or its {@code $snapshots}) sees what it holds.
 */
final class ChangeTableSummary {
  static final String PREFIX = SummaryKeys.PREFIX + "capture.";
  static final String CREATED = PREFIX + "created";
  static final String SESSION_ID = PREFIX + "session-id";
  static final String PROCESS_NAME = PREFIX + "process-name";
  static final String SOURCE_TABLE = PREFIX + "source-table";
  static final String FROM_SNAPSHOT = PREFIX + "from-snapshot-id";
  static final String TO_SNAPSHOT = PREFIX + "to-snapshot-id";
  static final String CHANGE_RANGE_COLUMN = PREFIX + "change-range-column";
  static final String CHANGE_RANGE_MIN = PREFIX + "change-range-min";
  static final String CHANGE_RANGE_MAX = PREFIX + "change-range-max";

  private ChangeTableSummary() {}

  static Map<String, String> of(Session session, SourceRange range) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put(SESSION_ID, session.sessionId());
    out.put(PROCESS_NAME, session.processName());
    out.put(SOURCE_TABLE, range.table());
    out.put(FROM_SNAPSHOT, String.valueOf(range.fromSnapshotId()));
    out.put(TO_SNAPSHOT, String.valueOf(range.toSnapshotId()));
    ChangeRange change = range.changeRange();
    if (change != null) {
      out.put(CHANGE_RANGE_COLUMN, change.column());
      out.put(CHANGE_RANGE_MIN, String.valueOf(change.min()));
      out.put(CHANGE_RANGE_MAX, String.valueOf(change.max()));
    }
    return out;
  }

  /** The session a change table's snapshot holds, if a capture made it. */
  @Nullable
  static String sessionOf(@Nullable Snapshot snapshot) {
    return snapshot == null || snapshot.summary() == null
        ? null
        : snapshot.summary().get(SESSION_ID);
  }
}
