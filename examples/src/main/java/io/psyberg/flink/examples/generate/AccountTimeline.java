package io.psyberg.flink.examples.generate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** One account's events in event-time order, with the state they lead to. */
final class AccountTimeline {
  private final List<MembershipEvent> events = new ArrayList<>();
  private AccountState end = AccountState.NONE;
  private boolean sorted = true;

  /** Adds an event read from the table; call {@link #settle()} after the last one. */
  void addUnordered(MembershipEvent e) {
    events.add(e);
    sorted = false;
  }

  /** Sorts the events and replays them. */
  void settle() {
    if (!sorted) {
      events.sort(MembershipEvent.EVENT_TIME_ORDER);
      sorted = true;
    }
    end = stateBefore(Long.MAX_VALUE);
  }

  /** Adds an event later than all others. */
  void append(MembershipEvent e) {
    events.add(e);
    end = end.next(e.eventType(), e.plan()).orElse(end);
  }

  /** Adds an event anywhere in the timeline. */
  void insert(MembershipEvent e) {
    int at = Collections.binarySearch(events, e, MembershipEvent.EVENT_TIME_ORDER);
    events.add(at < 0 ? -at - 1 : at, e);
    end = stateBefore(Long.MAX_VALUE);
  }

  /** The state after all events. */
  AccountState end() {
    return end;
  }

  /** The state after the events strictly before {@code micros}. */
  AccountState stateBefore(long micros) {
    AccountState s = AccountState.NONE;
    for (MembershipEvent e : events) {
      if (e.eventTsMicros() >= micros) {
        break;
      }
      s = s.next(e.eventType(), e.plan()).orElse(s);
    }
    return s;
  }

  /** Whether an event at or after {@code micros} exists. */
  boolean hasEventsFrom(long micros) {
    return !events.isEmpty() && events.get(events.size() - 1).eventTsMicros() >= micros;
  }

  /** The latest event time, or {@code Long.MIN_VALUE} without events. */
  long lastMicros() {
    return events.isEmpty() ? Long.MIN_VALUE : events.get(events.size() - 1).eventTsMicros();
  }
}
