package io.psyberg.flink.examples.generate;

import java.util.HashMap;
import java.util.Map;

/** The events already in a table, per account, and the latest event time. */
final class EventHistory {
  private final Map<Long, AccountTimeline> timelines = new HashMap<>();
  private long maxMicros = Long.MIN_VALUE;
  private long count;

  /** Adds an event in any order; call {@link #settle()} after the last one. */
  void add(MembershipEvent e) {
    timelines.computeIfAbsent(e.accountId(), a -> new AccountTimeline()).addUnordered(e);
    maxMicros = Math.max(maxMicros, e.eventTsMicros());
    count++;
  }

  /** Orders every account's events and computes where each account stands. */
  void settle() {
    timelines.values().forEach(AccountTimeline::settle);
  }

  /** The account's timeline, empty for an account without events. */
  AccountTimeline timeline(long accountId) {
    return timelines.computeIfAbsent(accountId, a -> new AccountTimeline());
  }

  boolean isEmpty() {
    return count == 0;
  }

  /** The latest {@code event_ts} read, in microseconds. */
  long maxMicros() {
    return maxMicros;
  }
}
