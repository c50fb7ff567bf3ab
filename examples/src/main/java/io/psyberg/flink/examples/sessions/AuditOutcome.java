package io.psyberg.flink.examples.sessions;

/**
 * One audit result as the session log records it.
 *
 * @param name the audit, e.g. {@code row-count}
 * @param passed whether it passed
 * @param observed what the audit saw
 * @param expected what it wanted
 * @param severity {@code error} (blocks the publish when failed) or {@code warn}
 */
public record AuditOutcome(
    String name, boolean passed, String observed, String expected, String severity) {

  /** Failed at error severity: the session was not published because of it. */
  public boolean blocked() {
    return !passed && !"warn".equals(severity);
  }

  /** {@code passed}, {@code FAILED} or {@code FAILED (warn)}. */
  public String result() {
    if (passed) {
      return "passed";
    }
    return blocked() ? "FAILED" : "FAILED (warn)";
  }
}
