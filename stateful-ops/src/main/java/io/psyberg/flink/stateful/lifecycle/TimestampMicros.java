package io.psyberg.flink.stateful.lifecycle;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.apache.flink.table.data.TimestampData;

/**
 * Conversions between TIMESTAMP(6) values and epoch microseconds, the unit events are ordered by.
 * Timestamps without time zone are read as UTC wall-clock values, as Flink's {@link TimestampData}
 * does.
 */
public final class TimestampMicros {

  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

  private TimestampMicros() {}

  public static long of(TimestampData timestamp) {
    return Math.addExact(
        Math.multiplyExact(timestamp.getMillisecond(), 1_000L),
        timestamp.getNanoOfMillisecond() / 1_000);
  }

  public static long of(LocalDateTime dateTime) {
    return Math.addExact(
        Math.multiplyExact(dateTime.toEpochSecond(ZoneOffset.UTC), 1_000_000L),
        dateTime.getNano() / 1_000);
  }

  public static TimestampData toTimestampData(long micros) {
    return TimestampData.fromEpochMillis(
        Math.floorDiv(micros, 1_000L), (int) Math.floorMod(micros, 1_000L) * 1_000);
  }

  public static LocalDateTime toLocalDateTime(long micros) {
    return LocalDateTime.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L),
        (int) Math.floorMod(micros, 1_000_000L) * 1_000,
        ZoneOffset.UTC);
  }

  /** {@code yyyy-MM-dd HH:mm:ss.SSSSSS}, always with all six fraction digits. */
  public static String format(long micros) {
    return FORMAT.format(toLocalDateTime(micros));
  }
}
