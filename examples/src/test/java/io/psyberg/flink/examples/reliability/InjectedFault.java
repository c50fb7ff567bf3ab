package io.psyberg.flink.examples.reliability;

/** The exception an injected {@link FaultKind#EXCEPTION} fault throws. */
public final class InjectedFault extends RuntimeException {
  private static final long serialVersionUID = 1L;

  InjectedFault(String message) {
    super(message);
  }
}
