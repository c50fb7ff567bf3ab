package io.psyberg.flink.stateful.testutils;

import io.psyberg.flink.stateful.lifecycle.Anomaly;
import io.psyberg.flink.stateful.lifecycle.AnomalyReason;
import io.psyberg.flink.stateful.lifecycle.LifecycleEvent;
import io.psyberg.flink.stateful.lifecycle.LifecycleStatus;
import io.psyberg.flink.stateful.lifecycle.Segment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A deliberately naive, independent implementation of DESIGN section 7 for tests: sort every event,
 * walk each account with plain strings and a list of segments. It shares no logic with the
 * production state machine.
 */
public final class LifecycleOracle {

  private static final Set<String> KNOWN =
      Set.of("SIGNUP", "PLAN_CHANGE", "PAYMENT_HOLD", "PAYMENT_RECOVERED", "CANCEL");

  /** Expected tables: segments by (account, segment_no), anomalies by event_id. */
  public record Expected(Map<SegmentKey, Segment> segments, Map<String, Anomaly> anomalies) {}

  /** Primary key of a segment row. */
  public record SegmentKey(long accountId, int segmentNo) implements Comparable<SegmentKey> {
    @Override
    public int compareTo(SegmentKey o) {
      return Comparator.comparingLong(SegmentKey::accountId)
          .thenComparingInt(SegmentKey::segmentNo)
          .compare(this, o);
    }

    public static SegmentKey of(Segment s) {
      return new SegmentKey(s.accountId(), s.segmentNo());
    }
  }

  private LifecycleOracle() {}

  /** Expected tables over events given in arrival order (first copy of an id wins). */
  public static Expected expected(List<LifecycleEvent> arrivalOrder) {
    Map<String, LifecycleEvent> firstCopy = new LinkedHashMap<>();
    for (LifecycleEvent e : arrivalOrder) {
      if (!firstCopy.containsKey(e.eventId())) {
        firstCopy.put(e.eventId(), e);
      }
    }
    List<LifecycleEvent> sorted = new ArrayList<>(firstCopy.values());
    sorted.sort(
        (a, b) -> {
          if (a.accountId() != b.accountId()) {
            return Long.compare(a.accountId(), b.accountId());
          }
          if (a.eventTimeMicros() != b.eventTimeMicros()) {
            return Long.compare(a.eventTimeMicros(), b.eventTimeMicros());
          }
          return a.eventId().compareTo(b.eventId());
        });

    Map<SegmentKey, Segment> segments = new TreeMap<>();
    Map<String, Anomaly> anomalies = new TreeMap<>();
    long account = Long.MIN_VALUE;
    String state = "NONE";
    String plan = null;
    List<Segment> accountSegments = new ArrayList<>();
    for (LifecycleEvent e : sorted) {
      if (e.accountId() != account) {
        flush(accountSegments, segments);
        account = e.accountId();
        state = "NONE";
        plan = null;
      }
      String type = e.eventType();
      String reason = null;
      String newState = null;
      String newPlan = null;
      if (!KNOWN.contains(type)) {
        reason = "UNKNOWN_EVENT_TYPE";
      } else if ((type.equals("SIGNUP") || type.equals("PLAN_CHANGE")) && e.plan() == null) {
        reason = "MISSING_PLAN";
      } else if (type.equals("SIGNUP")) {
        if (state.equals("NONE") || state.equals("CANCELED")) {
          newState = "ACTIVE";
          newPlan = e.plan();
        } else {
          reason = "DUPLICATE_SIGNUP";
        }
      } else if (type.equals("PLAN_CHANGE")) {
        if (state.equals("ACTIVE") || state.equals("ON_HOLD")) {
          if (!e.plan().equals(plan)) {
            newState = state;
            newPlan = e.plan();
          }
        } else {
          reason = "INVALID_TRANSITION";
        }
      } else if (type.equals("PAYMENT_HOLD")) {
        if (state.equals("ACTIVE")) {
          newState = "ON_HOLD";
          newPlan = plan;
        } else {
          reason = "INVALID_TRANSITION";
        }
      } else if (type.equals("PAYMENT_RECOVERED")) {
        if (state.equals("ON_HOLD")) {
          newState = "ACTIVE";
          newPlan = plan;
        } else {
          reason = "INVALID_TRANSITION";
        }
      } else { // CANCEL
        if (state.equals("ACTIVE") || state.equals("ON_HOLD")) {
          newState = "CANCELED";
          newPlan = plan;
        } else {
          reason = "INVALID_TRANSITION";
        }
      }
      if (reason != null) {
        anomalies.put(
            e.eventId(),
            new Anomaly(
                e.eventId(),
                e.accountId(),
                e.eventType(),
                e.eventTimeMicros(),
                AnomalyReason.valueOf(reason)));
      } else if (newState != null) {
        if (!accountSegments.isEmpty()) {
          Segment last = accountSegments.remove(accountSegments.size() - 1);
          accountSegments.add(
              new Segment(
                  last.accountId(),
                  last.segmentNo(),
                  last.state(),
                  last.plan(),
                  last.validFromMicros(),
                  e.eventTimeMicros(),
                  last.openedByEventId()));
        }
        accountSegments.add(
            new Segment(
                e.accountId(),
                accountSegments.size() + 1,
                LifecycleStatus.valueOf(newState),
                newPlan,
                e.eventTimeMicros(),
                null,
                e.eventId()));
        state = newState;
        plan = newPlan;
      }
    }
    flush(accountSegments, segments);
    return new Expected(segments, anomalies);
  }

  private static void flush(List<Segment> accountSegments, Map<SegmentKey, Segment> into) {
    for (Segment s : accountSegments) {
      into.put(SegmentKey.of(s), s);
    }
    accountSegments.clear();
  }
}
