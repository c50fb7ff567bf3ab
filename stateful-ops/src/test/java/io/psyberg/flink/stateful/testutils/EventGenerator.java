package io.psyberg.flink.stateful.testutils;

import io.psyberg.flink.stateful.lifecycle.LifecycleEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Random membership events in arrival order: every event type, unknown types, NULL plans, equal
 * event times, repeated event ids, and a share of events that arrive late (after events with later
 * event times).
 */
public final class EventGenerator {

  private static final String[] PLANS = {"basic", "standard", "premium"};
  private static final String[] UNKNOWN_TYPES = {"UPGRADE", "signup", "REFUND"};
  private static final long MINUTE = 60_000_000L;

  /** 2026-01-01T00:00:00Z in micros. */
  public static final long BASE_MICROS = 1_767_225_600_000_000L;

  private final Random random;
  private double lateFraction = 0.2;
  private double duplicateFraction = 0.05;
  private boolean conflictingDuplicates = true;
  private int maxEventsPerAccount = 14;

  public EventGenerator(long seed) {
    this.random = new Random(seed);
  }

  public EventGenerator lateFraction(double fraction) {
    this.lateFraction = fraction;
    return this;
  }

  public EventGenerator duplicateFraction(double fraction) {
    this.duplicateFraction = fraction;
    return this;
  }

  /** With false, repeated ids are exact copies only. */
  public EventGenerator conflictingDuplicates(boolean conflicting) {
    this.conflictingDuplicates = conflicting;
    return this;
  }

  public EventGenerator maxEventsPerAccount(int max) {
    this.maxEventsPerAccount = max;
    return this;
  }

  private record Arrival(LifecycleEvent event, long arrivalKey, long tieBreak) {}

  /** Events of {@code accounts} accounts in arrival order. */
  public List<LifecycleEvent> generate(int accounts) {
    List<Arrival> arrivals = new ArrayList<>();
    for (long account = 1; account <= accounts; account++) {
      int n = 1 + random.nextInt(maxEventsPerAccount);
      for (int i = 0; i < n; i++) {
        // a coarse 15-minute grid over ~10 hours makes equal event times common
        long time = BASE_MICROS + 15 * MINUTE * random.nextInt(40);
        String id = String.format("%06x-%d-%d", random.nextInt(1 << 24), account, i);
        LifecycleEvent event = new LifecycleEvent(id, account, type(), plan(), time);
        long arrival =
            time + (random.nextDouble() < lateFraction ? (1 + random.nextInt(600)) * MINUTE : 0);
        arrivals.add(new Arrival(event, arrival, random.nextLong()));
        if (random.nextDouble() < duplicateFraction) {
          LifecycleEvent copy =
              conflictingDuplicates && random.nextBoolean()
                  ? new LifecycleEvent(
                      id, account, type(), plan(), BASE_MICROS + 15 * MINUTE * random.nextInt(40))
                  : event;
          arrivals.add(
              new Arrival(copy, arrival + random.nextInt(300) * MINUTE, random.nextLong()));
        }
      }
    }
    arrivals.sort(
        Comparator.comparingLong(Arrival::arrivalKey).thenComparingLong(Arrival::tieBreak));
    List<LifecycleEvent> events = new ArrayList<>(arrivals.size());
    for (Arrival a : arrivals) {
      events.add(a.event());
    }
    return events;
  }

  /** Splits into {@code count} contiguous batches of random sizes (some may be empty). */
  public List<List<LifecycleEvent>> batches(List<LifecycleEvent> events, int count) {
    List<Integer> cuts = new ArrayList<>();
    for (int i = 0; i < count - 1; i++) {
      cuts.add(random.nextInt(events.size() + 1));
    }
    cuts.add(0);
    cuts.add(events.size());
    cuts.sort(Integer::compare);
    List<List<LifecycleEvent>> batches = new ArrayList<>();
    for (int i = 0; i + 1 < cuts.size(); i++) {
      batches.add(events.subList(cuts.get(i), cuts.get(i + 1)));
    }
    return batches;
  }

  private String type() {
    int r = random.nextInt(100);
    if (r < 25) {
      return "SIGNUP";
    } else if (r < 45) {
      return "PLAN_CHANGE";
    } else if (r < 60) {
      return "PAYMENT_HOLD";
    } else if (r < 72) {
      return "PAYMENT_RECOVERED";
    } else if (r < 90) {
      return "CANCEL";
    }
    return UNKNOWN_TYPES[random.nextInt(UNKNOWN_TYPES.length)];
  }

  private String plan() {
    return random.nextInt(10) == 0 ? null : PLANS[random.nextInt(PLANS.length)];
  }
}
