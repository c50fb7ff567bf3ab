package io.psyberg.flink.bench;

import io.psyberg.flink.stateful.lifecycle.Anomaly;
import io.psyberg.flink.stateful.lifecycle.LifecycleEvent;
import io.psyberg.flink.stateful.lifecycle.LifecycleRecompute;
import io.psyberg.flink.stateful.lifecycle.LifecycleResult;
import io.psyberg.flink.stateful.lifecycle.Segment;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.iceberg.catalog.Catalog;

/**
 * Checks a published lifecycle (segments and anomalies tables) against a recompute of all events in
 * memory.
 */
final class LifecycleCheck {
  private static final LocalDateTime EPOCH = LocalDateTime.of(1970, 1, 1, 0, 0);

  /** What the tables hold, or why they are not what a recompute of {@code events} gives. */
  record Outcome(TableDigest segments, TableDigest anomalies, @Nullable String mismatch) {}

  private LifecycleCheck() {}

  static Outcome compare(
      Catalog catalog,
      String segmentsTable,
      String anomaliesTable,
      Collection<LifecycleEvent> events) {
    LifecycleResult expected = LifecycleRecompute.recompute(events);
    List<Object[]> segments = new ArrayList<>();
    for (Segment s : expected.segments()) {
      segments.add(
          new Object[] {
            s.accountId(),
            s.segmentNo(),
            s.state().name(),
            s.plan(),
            ts(s.validFromMicros()),
            s.validToMicros() == null ? null : ts(s.validToMicros()),
            s.openedByEventId()
          });
    }
    List<Object[]> anomalies = new ArrayList<>();
    for (Anomaly a : expected.anomalies()) {
      anomalies.add(
          new Object[] {
            a.eventId(), a.accountId(), a.eventType(), ts(a.eventTimeMicros()), a.reason().name()
          });
    }
    TableDigest wantSegments = TableDigest.ofValues(segments);
    TableDigest wantAnomalies = TableDigest.ofValues(anomalies);
    TableDigest gotSegments = TableDigest.of(catalog, segmentsTable);
    TableDigest gotAnomalies = TableDigest.of(catalog, anomaliesTable);
    String mismatch =
        wantSegments.equals(gotSegments) && wantAnomalies.equals(gotAnomalies)
            ? null
            : String.format(
                "%s / %s hold %s / %s, a recompute gives %s / %s",
                segmentsTable,
                anomaliesTable,
                gotSegments,
                gotAnomalies,
                wantSegments,
                wantAnomalies);
    return new Outcome(gotSegments, gotAnomalies, mismatch);
  }

  private static LocalDateTime ts(long micros) {
    return EPOCH.plus(micros, ChronoUnit.MICROS);
  }
}
