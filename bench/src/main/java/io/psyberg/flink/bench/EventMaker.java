package io.psyberg.flink.bench;

import io.psyberg.flink.examples.generate.AccountState;
import io.psyberg.flink.examples.generate.MembershipEvents;
import io.psyberg.flink.stateful.lifecycle.LifecycleEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Membership events for the benchmarks, fast enough for millions of rows: each account's next event
 * follows its lifecycle state (sign-up, plan change, hold, recovery, cancel), as the {@code
 * generate} command does, but without re-reading the table. Late events are plan changes placed in
 * the past; where the account was not subscribed then they are anomalies, which the lifecycle
 * corrects as well.
 */
final class EventMaker {
  static final long DAY_MICROS = 86_400_000_000L;

  /** 2026-01-01T00:00 in microseconds since the epoch: day 0 of every history. */
  static final long FIRST_DAY_MICROS = 1_767_225_600_000_000L;

  private final Random random;
  private final AccountState[] states;
  private final String idPrefix;
  private long nextId;

  EventMaker(int accounts, long seed) {
    this.random = new Random(seed);
    this.states = new AccountState[accounts];
    Arrays.fill(states, AccountState.NONE);
    this.idPrefix = "evt-" + Long.toHexString(seed) + "-";
  }

  static long dayStart(int day) {
    return FIRST_DAY_MICROS + day * DAY_MICROS;
  }

  /**
   * The next event of a random account at {@code micros} (which must not precede its earlier
   * events).
   */
  LifecycleEvent next(long micros) {
    return next(1 + random.nextInt(states.length), micros);
  }

  /** The next event of {@code account} at {@code micros}, following its state. */
  LifecycleEvent next(long account, long micros) {
    int i = (int) (account - 1);
    AccountState state = states[i];
    String[] typeAndPlan = nextEvent(state);
    states[i] = state.next(typeAndPlan[0], typeAndPlan[1]).orElse(state);
    return new LifecycleEvent(idPrefix + nextId++, account, typeAndPlan[0], typeAndPlan[1], micros);
  }

  /**
   * A plan change of a random account at {@code micros}, earlier than its latest events: a late
   * event.
   */
  LifecycleEvent late(long micros) {
    return late(1 + random.nextInt(states.length), micros);
  }

  LifecycleEvent late(long account, long micros) {
    return new LifecycleEvent(
        idPrefix + nextId++, account, MembershipEvents.PLAN_CHANGE, randomPlan(), micros);
  }

  /**
   * {@code rows} events within day {@code day} in time order, the first {@code late} of them late,
   * in day {@code lateDay}.
   */
  List<LifecycleEvent> day(int day, int rows, int late, int lateDay) {
    List<LifecycleEvent> out = new ArrayList<>(rows);
    for (int i = 0; i < late; i++) {
      out.add(late(dayStart(lateDay) + (long) (random.nextDouble() * DAY_MICROS)));
    }
    int normal = rows - late;
    long[] offsets = new long[normal];
    for (int i = 0; i < normal; i++) {
      offsets[i] = (long) (random.nextDouble() * (DAY_MICROS - normal));
    }
    Arrays.sort(offsets);
    long start = dayStart(day);
    for (int i = 0; i < normal; i++) {
      out.add(next(start + offsets[i] + i));
    }
    return out;
  }

  double nextDouble() {
    return random.nextDouble();
  }

  /**
   * Mirrors the generate command's mix: active accounts change plan, go on hold or cancel; others
   * sign up.
   */
  private String[] nextEvent(AccountState state) {
    double r = random.nextDouble();
    switch (state.status()) {
      case ACTIVE:
        if (r < 0.45) {
          return new String[] {MembershipEvents.PLAN_CHANGE, otherPlan(state.plan())};
        }
        return new String[] {
          r < 0.8 ? MembershipEvents.PAYMENT_HOLD : MembershipEvents.CANCEL, state.plan()
        };
      case ON_HOLD:
        if (r < 0.7) {
          return new String[] {MembershipEvents.PAYMENT_RECOVERED, state.plan()};
        }
        return r < 0.9
            ? new String[] {MembershipEvents.CANCEL, state.plan()}
            : new String[] {MembershipEvents.PLAN_CHANGE, otherPlan(state.plan())};
      default:
        return new String[] {MembershipEvents.SIGNUP, randomPlan()};
    }
  }

  private String randomPlan() {
    double r = random.nextDouble();
    List<String> plans = MembershipEvents.PLANS;
    return r < 0.45 ? plans.get(0) : r < 0.8 ? plans.get(1) : plans.get(2);
  }

  private String otherPlan(String plan) {
    List<String> plans = MembershipEvents.PLANS;
    String other = plans.get(random.nextInt(plans.size() - 1));
    return other.equals(plan) ? plans.get(plans.size() - 1) : other;
  }
}
