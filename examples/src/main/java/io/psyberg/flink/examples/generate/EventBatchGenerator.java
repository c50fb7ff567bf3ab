package io.psyberg.flink.examples.generate;

import static io.psyberg.flink.examples.generate.MembershipEvents.CANCEL;
import static io.psyberg.flink.examples.generate.MembershipEvents.PAYMENT_HOLD;
import static io.psyberg.flink.examples.generate.MembershipEvents.PAYMENT_RECOVERED;
import static io.psyberg.flink.examples.generate.MembershipEvents.PLANS;
import static io.psyberg.flink.examples.generate.MembershipEvents.PLAN_CHANGE;
import static io.psyberg.flink.examples.generate.MembershipEvents.SIGNUP;
import static io.psyberg.flink.examples.generate.MembershipEvents.UNKNOWN_TYPES;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Generates a batch of membership events that continues the accounts' histories.
 *
 * <p>Time moves forward with every batch: a batch covers the day after the latest {@code event_ts}
 * already in the table (2026-01-01 for an empty table). Normal events follow each account's state
 * (sign-up, plan changes, payment holds and recoveries, cancels, re-sign-ups). Late events lie in
 * the {@value #LATE_DAYS} days before the batch's day and fit the history where they land: a plan
 * change while the account was subscribed, or an account's next event when nothing follows it, so
 * late data forces corrections without turning earlier events into anomalies. Bad events are
 * anomalies by the lifecycle rules: an unknown type, a missing plan, or a transition the state does
 * not allow.
 */
final class EventBatchGenerator {
  /** The day of the first batch of an empty table. */
  static final LocalDate FIRST_DAY = LocalDate.of(2026, 1, 1);

  /** Late events lie at most this many days before the batch's day. */
  static final int LATE_DAYS = 3;

  private static final long DAY_MICROS = 86_400_000_000L;
  private static final int LATE_ATTEMPTS = 100;

  private final GenerateSettings settings;
  private final EventHistory history;
  private final Random random;
  private final LocalDate day;

  EventBatchGenerator(GenerateSettings settings, EventHistory history) {
    this.settings = settings;
    this.history = history;
    this.day =
        history.isEmpty()
            ? FIRST_DAY
            : MembershipEvent.timestamp(history.maxMicros()).toLocalDate().plusDays(1);
    // The day enters the seed so that repeated calls with one seed differ.
    this.random = new Random(settings.seed() * 0x9E3779B97F4A7C15L + day.toEpochDay());
  }

  GeneratedBatch generate() {
    int total = settings.events();
    int lateWanted = (int) Math.round(total * settings.lateFraction());
    long dayStart = MembershipEvent.micros(day.atStartOfDay());
    List<MembershipEvent> events = new ArrayList<>(total);
    for (int i = 0; i < lateWanted; i++) {
      lateEvent(dayStart).ifPresent(events::add);
    }
    int late = events.size();
    int inDay = total - late;
    int bad = (int) Math.min(Math.round(total * settings.badFraction()), inDay);
    long[] offsets = increasingOffsets(inDay);
    boolean[] isBad = chooseBad(inDay, bad);
    for (int i = 0; i < inDay; i++) {
      long account = pickAccount();
      AccountTimeline timeline = history.timeline(account);
      AccountState state = timeline.end();
      String[] typeAndPlan = isBad[i] ? badEvent(state) : nextEvent(state);
      MembershipEvent e =
          new MembershipEvent(
              eventId(), account, typeAndPlan[0], typeAndPlan[1], dayStart + offsets[i]);
      timeline.append(e);
      events.add(e);
    }
    return new GeneratedBatch(day, events, late, bad);
  }

  /** A late event that fits the account's history at its time, if one is found. */
  private Optional<MembershipEvent> lateEvent(long dayStart) {
    for (int attempt = 0; attempt < LATE_ATTEMPTS; attempt++) {
      long ts = dayStart - 1 - (long) (random.nextDouble() * (LATE_DAYS * DAY_MICROS - 1));
      long account = pickAccount();
      AccountTimeline timeline = history.timeline(account);
      AccountState before = timeline.stateBefore(ts);
      String[] typeAndPlan;
      if (!timeline.hasEventsFrom(ts)) {
        typeAndPlan = nextEvent(before);
      } else if (before.isSubscribed()) {
        // A plan change keeps the state, so later events keep their meaning.
        typeAndPlan = new String[] {PLAN_CHANGE, otherPlan(before.plan())};
      } else {
        continue;
      }
      MembershipEvent e =
          new MembershipEvent(eventId(), account, typeAndPlan[0], typeAndPlan[1], ts);
      timeline.insert(e);
      return Optional.of(e);
    }
    return Optional.empty();
  }

  /**
   * A valid next event: {type, plan}. Active accounts change plan (45 %), go on hold (35 %) or
   * cancel (20 %); held accounts recover (70 %), cancel (20 %) or change plan (10 %); accounts
   * without subscription sign up.
   */
  private String[] nextEvent(AccountState state) {
    double r = random.nextDouble();
    switch (state.status()) {
      case ACTIVE:
        if (r < 0.45) {
          return new String[] {PLAN_CHANGE, otherPlan(state.plan())};
        }
        return new String[] {r < 0.8 ? PAYMENT_HOLD : CANCEL, state.plan()};
      case ON_HOLD:
        if (r < 0.7) {
          return new String[] {PAYMENT_RECOVERED, state.plan()};
        }
        return r < 0.9
            ? new String[] {CANCEL, state.plan()}
            : new String[] {PLAN_CHANGE, otherPlan(state.plan())};
      default:
        // NONE or CANCELED: a (re-)sign-up.
        return new String[] {SIGNUP, randomPlan()};
    }
  }

  /** An event the lifecycle flags as an anomaly in {@code state}: {type, plan}. */
  private String[] badEvent(AccountState state) {
    String[] event;
    switch (random.nextInt(3)) {
      case 0:
        event = new String[] {pick(UNKNOWN_TYPES), state.plan()};
        break;
      case 1:
        event = new String[] {state.isSubscribed() ? PLAN_CHANGE : SIGNUP, null};
        break;
      default:
        event = invalidTransition(state);
    }
    if (state.next(event[0], event[1]).isPresent()) {
      throw new IllegalStateException(
          "bad event " + Arrays.toString(event) + " is valid in " + state);
    }
    return event;
  }

  private String[] invalidTransition(AccountState state) {
    switch (state.status()) {
      case ACTIVE:
        return random.nextBoolean()
            ? new String[] {SIGNUP, randomPlan()}
            : new String[] {PAYMENT_RECOVERED, state.plan()};
      case ON_HOLD:
        return random.nextBoolean()
            ? new String[] {SIGNUP, randomPlan()}
            : new String[] {PAYMENT_HOLD, state.plan()};
      default:
        // NONE or CANCELED: nothing to change, hold, recover or cancel.
        String type = pick(List.of(PLAN_CHANGE, PAYMENT_HOLD, PAYMENT_RECOVERED, CANCEL));
        return new String[] {type, PLAN_CHANGE.equals(type) ? randomPlan() : state.plan()};
    }
  }

  /** {@code n} strictly increasing offsets within one day. */
  private long[] increasingOffsets(int n) {
    long[] offsets = new long[n];
    for (int i = 0; i < n; i++) {
      offsets[i] = (long) (random.nextDouble() * (DAY_MICROS - n));
    }
    Arrays.sort(offsets);
    for (int i = 0; i < n; i++) {
      offsets[i] += i;
    }
    return offsets;
  }

  /** Exactly {@code bad} of {@code n} positions, chosen at random. */
  private boolean[] chooseBad(int n, int bad) {
    int[] positions = new int[n];
    for (int i = 0; i < n; i++) {
      positions[i] = i;
    }
    boolean[] chosen = new boolean[n];
    for (int i = 0; i < bad; i++) {
      int j = i + random.nextInt(n - i);
      int tmp = positions[i];
      positions[i] = positions[j];
      positions[j] = tmp;
      chosen[positions[i]] = true;
    }
    return chosen;
  }

  private long pickAccount() {
    return 1 + random.nextInt(settings.accounts());
  }

  /** basic 45 %, standard 35 %, premium 20 %. */
  private String randomPlan() {
    double r = random.nextDouble();
    return r < 0.45 ? PLANS.get(0) : r < 0.8 ? PLANS.get(1) : PLANS.get(2);
  }

  private String otherPlan(String plan) {
    List<String> others = new ArrayList<>(PLANS);
    others.remove(plan);
    return pick(others);
  }

  private String pick(List<String> values) {
    return values.get(random.nextInt(values.size()));
  }

  private String eventId() {
    return String.format("evt-%016x", random.nextLong());
  }
}
