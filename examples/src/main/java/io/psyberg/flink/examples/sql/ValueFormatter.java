package io.psyberg.flink.examples.sql;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.apache.flink.types.Row;

/**
 * Prints SQL values: timestamps as {@code yyyy-MM-dd HH:mm:ss[.ffffff]} (seconds always shown; the
 * fraction only when not zero, in micro- or nanoseconds), {@code TIMESTAMP_LTZ} in the session's
 * time zone, decimals without exponent, bytes as {@code x'..'}; arrays, maps and rows recursively.
 */
public final class ValueFormatter {
  private final ZoneId zone;

  public ValueFormatter(ZoneId zone) {
    this.zone = zone;
  }

  /** The text of a non-null value. */
  public String format(Object value) {
    if (value instanceof LocalDateTime) {
      return timestamp((LocalDateTime) value);
    }
    if (value instanceof Instant) {
      return timestamp(LocalDateTime.ofInstant((Instant) value, zone));
    }
    if (value instanceof LocalTime) {
      LocalTime t = (LocalTime) value;
      return String.format("%02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond())
          + fraction(t.getNano());
    }
    if (value instanceof LocalDate) {
      return value.toString();
    }
    if (value instanceof BigDecimal) {
      return ((BigDecimal) value).toPlainString();
    }
    if (value instanceof byte[]) {
      StringBuilder sb = new StringBuilder("x'");
      for (byte b : (byte[]) value) {
        sb.append(String.format("%02x", b));
      }
      return sb.append('\'').toString();
    }
    if (value instanceof Object[]) {
      return join("[", "]", Arrays.asList((Object[]) value));
    }
    if (value instanceof Map) {
      StringJoiner j = new StringJoiner(", ", "{", "}");
      ((Map<?, ?>) value).forEach((k, v) -> j.add(nullable(k) + "=" + nullable(v)));
      return j.toString();
    }
    if (value instanceof Row) {
      Row row = (Row) value;
      List<Object> fields = new ArrayList<>();
      for (int i = 0; i < row.getArity(); i++) {
        fields.add(row.getField(i));
      }
      return join("(", ")", fields);
    }
    return String.valueOf(value);
  }

  private String join(String open, String close, List<Object> values) {
    StringJoiner j = new StringJoiner(", ", open, close);
    values.forEach(v -> j.add(nullable(v)));
    return j.toString();
  }

  private String nullable(Object v) {
    return v == null ? "NULL" : format(v);
  }

  /** {@code yyyy-MM-dd HH:mm:ss[.ffffff]}. */
  public static String timestamp(LocalDateTime t) {
    return String.format(
            "%04d-%02d-%02d %02d:%02d:%02d",
            t.getYear(),
            t.getMonthValue(),
            t.getDayOfMonth(),
            t.getHour(),
            t.getMinute(),
            t.getSecond())
        + fraction(t.getNano());
  }

  private static String fraction(int nanos) {
    if (nanos == 0) {
      return "";
    }
    return nanos % 1000 == 0 ? String.format(".%06d", nanos / 1000) : String.format(".%09d", nanos);
  }
}
