package io.psyberg.flink.stateful.lifecycle;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;

/** Terse event and timestamp builders for lifecycle tests (account 1, 2026-01-01 unless told). */
final class Events {

  static final LocalDate DAY = LocalDate.of(2026, 1, 1);

  private Events() {}

  static LifecycleEvent ev(String id, String type, String plan, String hhmm) {
    return ev(id, 1L, type, plan, hhmm);
  }

  static LifecycleEvent ev(String id, long account, String type, String plan, String hhmm) {
    return LifecycleEvent.of(id, account, type, plan, at(hhmm));
  }

  static LocalDateTime at(String hhmm) {
    return LocalDateTime.of(DAY, LocalTime.parse(hhmm));
  }

  static long micros(String hhmm) {
    return TimestampMicros.of(at(hhmm));
  }
}
