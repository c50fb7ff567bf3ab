package io.psyberg.flink.stateful.lifecycle;

/**
 * The state of an account; {@code NONE} before its first signup. Codes are part of the state
 * layout.
 */
public enum LifecycleStatus {
  NONE(0),
  ACTIVE(1),
  ON_HOLD(2),
  CANCELED(3);

  private final int code;

  LifecycleStatus(int code) {
    this.code = code;
  }

  int code() {
    return code;
  }

  static LifecycleStatus fromCode(int code) {
    for (LifecycleStatus status : values()) {
      if (status.code == code) {
        return status;
      }
    }
    throw new IllegalArgumentException(
        "Unknown lifecycle status code " + code + " in serialized state");
  }
}
