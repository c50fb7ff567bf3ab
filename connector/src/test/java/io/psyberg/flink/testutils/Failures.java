package io.psyberg.flink.testutils;

/** Reads what a failed job says: every message along the cause chain. */
public final class Failures {
  private Failures() {}

  public static String messages(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      sb.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append('\n');
    }
    return sb.toString();
  }
}
