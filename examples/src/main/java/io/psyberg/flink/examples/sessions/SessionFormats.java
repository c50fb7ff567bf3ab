package io.psyberg.flink.examples.sessions;

import io.psyberg.flink.examples.sql.ValueFormatter;
import io.psyberg.flink.session.ChangeRange;
import io.psyberg.flink.session.SourceRange;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import javax.annotation.Nullable;

/** Texts for session fields: source ranges, change ranges, times. */
public final class SessionFormats {

  private SessionFormats() {}

  /**
   * {@code (from, to]} with snapshot ids; {@code start} stands for "before the table's first
   * snapshot" and {@code none} for a table without snapshots.
   */
  public static String range(SourceRange range) {
    return "("
        + (range.fromSnapshotId() == null ? "start" : range.fromSnapshotId().toString())
        + ", "
        + (range.toSnapshotId() == null ? "none" : range.toSnapshotId().toString())
        + "]";
  }

  /** {@code column min .. max}, or {@code -} when the session captured none. */
  public static String changeRange(@Nullable ChangeRange change) {
    if (change == null || (change.min() == null && change.max() == null)) {
      return "-";
    }
    return change.column() + " " + value(change.min()) + " .. " + value(change.max());
  }

  /**
   * A change-range bound: ISO timestamps as {@code yyyy-MM-dd HH:mm:ss[.ffffff]}, others as given.
   */
  static String value(@Nullable String bound) {
    if (bound == null) {
      return "?";
    }
    try {
      return ValueFormatter.timestamp(LocalDateTime.parse(bound));
    } catch (DateTimeParseException e) {
      return bound;
    }
  }

  /** An instant in UTC to the second, {@code -} when absent. */
  public static String utc(@Nullable Instant instant) {
    if (instant == null || instant.equals(Instant.EPOCH)) {
      return "-";
    }
    return ValueFormatter.timestamp(LocalDateTime.ofInstant(instant, ZoneOffset.UTC).withNano(0));
  }
}
