package io.psyberg.flink.examples.generate;

import static io.psyberg.flink.examples.generate.MembershipEvents.CANCEL;
import static io.psyberg.flink.examples.generate.MembershipEvents.PAYMENT_HOLD;
import static io.psyberg.flink.examples.generate.MembershipEvents.PAYMENT_RECOVERED;
import static io.psyberg.flink.examples.generate.MembershipEvents.PLAN_CHANGE;
import static io.psyberg.flink.examples.generate.MembershipEvents.SIGNUP;

import java.util.Optional;

/**
 * Where an account stands, following the lifecycle rules of DESIGN section 7 closely enough to
 * generate valid (or deliberately invalid) next events. Not the lifecycle operator itself.
 *
 * @param plan the current plan; null before the first signup
 */
public record AccountState(Status status, String plan) {

  /** The lifecycle states. */
  public enum Status {
    NONE,
    ACTIVE,
    ON_HOLD,
    CANCELED
  }

  /** The state of an account without events. */
  public static final AccountState NONE = new AccountState(Status.NONE, null);

  /** The state after {@code eventType(plan)}, or empty when the event is an anomaly. */
  public Optional<AccountState> next(String eventType, String newPlan) {
    boolean needsPlan = SIGNUP.equals(eventType) || PLAN_CHANGE.equals(eventType);
    if (needsPlan && newPlan == null) {
      return Optional.empty();
    }
    switch (eventType) {
      case SIGNUP:
        return status == Status.NONE || status == Status.CANCELED
            ? Optional.of(new AccountState(Status.ACTIVE, newPlan))
            : Optional.empty();
      case PLAN_CHANGE:
        return isSubscribed() ? Optional.of(new AccountState(status, newPlan)) : Optional.empty();
      case PAYMENT_HOLD:
        return status == Status.ACTIVE
            ? Optional.of(new AccountState(Status.ON_HOLD, plan))
            : Optional.empty();
      case PAYMENT_RECOVERED:
        return status == Status.ON_HOLD
            ? Optional.of(new AccountState(Status.ACTIVE, plan))
            : Optional.empty();
      case CANCEL:
        return isSubscribed()
            ? Optional.of(new AccountState(Status.CANCELED, plan))
            : Optional.empty();
      default:
        return Optional.empty();
    }
  }

  /** {@code ACTIVE} or {@code ON_HOLD}. */
  public boolean isSubscribed() {
    return status == Status.ACTIVE || status == Status.ON_HOLD;
  }
}
