package io.psyberg.flink.examples.backfill;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import org.apache.flink.table.functions.ScalarFunction;

/**
 * A SQL function for tests: returns its timestamp and notes its day, so a test sees which days a
 * backfill's jobs have computed so far (the local cluster's tasks run in the test's JVM).
 */
public class SeenDays extends ScalarFunction {
  private static final Set<LocalDate> DAYS = new ConcurrentSkipListSet<>();

  public LocalDateTime eval(LocalDateTime time) {
    if (time != null) {
      DAYS.add(time.toLocalDate());
    }
    return time;
  }

  /** The days seen since the last {@link #clear}, in order. */
  static Set<LocalDate> days() {
    return new TreeSet<>(DAYS);
  }

  static void clear() {
    DAYS.clear();
  }
}
