package io.psyberg.flink.examples.reliability;

/**
 * The error an injected {@link FaultKind#KILL} fault throws: not an Exception, so handlers that
 * catch exceptions (an audit runner, a best-effort cleanup) do not see it and the task stops where
 * it is. It is not one of the errors Flink treats as fatal to the JVM, so only the task fails.
 */
public final class InjectedKill extends Error {
  private static final long serialVersionUID = 1L;

  InjectedKill(String message) {
    super(message);
  }
}
