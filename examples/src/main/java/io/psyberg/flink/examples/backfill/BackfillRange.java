package io.psyberg.flink.examples.backfill;

import io.psyberg.flink.examples.cli.UsageException;
import java.io.Serializable;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import javax.annotation.Nullable;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.util.DateTimeUtil;

/**
 * The event-time range of a backfill, {@code [from, to)}; both ends null for the whole history.
 * Target rows belong to it by one event-time column each (a signup fact's {@code event_ts}, a
 * lifecycle segment's {@code valid_from}).
 */
public record BackfillRange(@Nullable LocalDateTime from, @Nullable LocalDateTime to)
    implements Serializable {

  public static final BackfillRange ALL = new BackfillRange(null, null);

  /** Parses {@code --from-time}/{@code --to-time} or {@code --all}. */
  public static BackfillRange parse(@Nullable String from, @Nullable String to, boolean all)
      throws UsageException {
    if (all) {
      if (from != null || to != null) {
        throw new UsageException("give either --all or --from-time and --to-time, not both");
      }
      return ALL;
    }
    if (from == null || to == null) {
      throw new UsageException(
          "give the event-time range with --from-time T1 --to-time T2 (ISO-8601, e.g."
              + " 2026-01-01 or 2026-01-01T06:00:00), or --all for the whole history");
    }
    LocalDateTime start = time("from-time", from);
    LocalDateTime end = time("to-time", to);
    if (!start.isBefore(end)) {
      throw new UsageException(
          "--from-time " + from + " must be before --to-time " + to + " (the range is [from, to))");
    }
    return new BackfillRange(start, end);
  }

  private static LocalDateTime time(String option, String value) throws UsageException {
    try {
      return value.contains("T")
          ? LocalDateTime.parse(value)
          : LocalDate.parse(value).atStartOfDay();
    } catch (DateTimeParseException e) {
      throw new UsageException(
          "option '--"
              + option
              + "' has the bad value '"
              + value
              + "': expected an ISO-8601 date or date-time, e.g. 2026-01-01 or"
              + " 2026-01-01T06:00:00");
    }
  }

  boolean isAll() {
    return from == null && to == null;
  }

  /** Whether an event time lies in the range. */
  boolean contains(LocalDateTime time) {
    return isAll() || (!time.isBefore(from) && time.isBefore(to));
  }

  /** The rows whose {@code column} lies in the range. */
  Expression filter(String column) {
    if (isAll()) {
      return Expressions.alwaysTrue();
    }
    return Expressions.and(
        Expressions.greaterThanOrEqual(column, DateTimeUtil.microsFromTimestamp(from)),
        Expressions.lessThan(column, DateTimeUtil.microsFromTimestamp(to)));
  }

  @Override
  public String toString() {
    return isAll() ? "all" : "[" + from + ", " + to + ")";
  }
}
