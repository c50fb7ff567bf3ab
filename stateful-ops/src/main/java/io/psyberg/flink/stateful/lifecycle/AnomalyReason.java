package io.psyberg.flink.stateful.lifecycle;

/**
 * Why an event was not applied to its account's lifecycle. Codes are part of the serialized layout.
 */
public enum AnomalyReason {
  /** A SIGNUP while the account is ACTIVE or ON_HOLD. */
  DUPLICATE_SIGNUP(0),
  /** An event the current state does not allow (e.g. CANCEL before any SIGNUP). */
  INVALID_TRANSITION(1),
  /** An {@code event_type} outside {@link LifecycleEventType}. */
  UNKNOWN_EVENT_TYPE(2),
  /** A SIGNUP or PLAN_CHANGE with a NULL plan. */
  MISSING_PLAN(3);

  private final int code;

  AnomalyReason(int code) {
    this.code = code;
  }

  int code() {
    return code;
  }

  static AnomalyReason fromCode(int code) {
    for (AnomalyReason reason : values()) {
      if (reason.code == code) {
        return reason;
      }
    }
    throw new IllegalArgumentException(
        "Unknown anomaly reason code " + code + " in serialized data");
  }
}
