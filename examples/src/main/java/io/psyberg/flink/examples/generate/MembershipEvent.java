package io.psyberg.flink.examples.generate;

import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;

/**
 * One membership event.
 *
 * @param eventTsMicros {@code event_ts} in microseconds since 1970-01-01T00:00 (no time zone)
 */
public record MembershipEvent(
    String eventId, long accountId, String eventType, String plan, long eventTsMicros) {

  /** The lifecycle's order of an account's events: {@code (event_ts, event_id)}. */
  public static final Comparator<MembershipEvent> EVENT_TIME_ORDER =
      Comparator.comparingLong(MembershipEvent::eventTsMicros)
          .thenComparing(MembershipEvent::eventId);

  private static final LocalDateTime EPOCH = LocalDateTime.of(1970, 1, 1, 0, 0);

  public LocalDateTime eventTs() {
    return timestamp(eventTsMicros);
  }

  /** The timestamp without time zone of {@code micros} since the epoch. */
  public static LocalDateTime timestamp(long micros) {
    return EPOCH.plus(micros, ChronoUnit.MICROS);
  }

  /** Microseconds since the epoch of a timestamp without time zone. */
  public static long micros(LocalDateTime ts) {
    return ChronoUnit.MICROS.between(EPOCH, ts);
  }
}
