package io.psyberg.flink.stateful.lifecycle;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The event types the lifecycle knows; any other {@code event_type} string is an unknown type. */
public enum LifecycleEventType {
  SIGNUP(true),
  PLAN_CHANGE(true),
  PAYMENT_HOLD(false),
  PAYMENT_RECOVERED(false),
  CANCEL(false);

  private static final Map<String, LifecycleEventType> BY_NAME =
      Arrays.stream(values())
          .collect(Collectors.toUnmodifiableMap(Enum::name, Function.identity()));

  private final boolean requiresPlan;

  LifecycleEventType(boolean requiresPlan) {
    this.requiresPlan = requiresPlan;
  }

  /** True for the types whose {@code plan} must not be NULL. */
  public boolean requiresPlan() {
    return requiresPlan;
  }

  /** The type named exactly (case-sensitive) by {@code eventType}, if it is one of ours. */
  public static Optional<LifecycleEventType> parse(String eventType) {
    return Optional.ofNullable(eventType == null ? null : BY_NAME.get(eventType));
  }
}
