package io.psyberg.flink.sink.audit;

import java.util.Locale;
import java.util.Objects;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;

/** The outcome of one audit: passed or not, with what was observed against what was expected. */
@PublicEvolving
public final class AuditResult {
  private final String name;
  private final boolean passed;
  private final String observed;
  private final String expected;
  private final Severity severity;

  public AuditResult(
      String name, boolean passed, String observed, String expected, Severity severity) {
    this.name = Objects.requireNonNull(name);
    this.passed = passed;
    this.observed = observed;
    this.expected = expected;
    this.severity = severity;
  }

  public static AuditResult of(String name, boolean passed, Object observed, Object expected) {
    return new AuditResult(
        name, passed, String.valueOf(observed), String.valueOf(expected), Severity.ERROR);
  }

  @Internal
  public AuditResult withSeverity(Severity s) {
    return new AuditResult(name, passed, observed, expected, s);
  }

  public String name() {
    return name;
  }

  public boolean passed() {
    return passed;
  }

  public String observed() {
    return observed;
  }

  public String expected() {
    return expected;
  }

  public Severity severity() {
    return severity;
  }

  /** Failed with error severity: blocks the publish. */
  public boolean blocks() {
    return !passed && severity == Severity.ERROR;
  }

  @Override
  public String toString() {
    return String.format(
        "%s %s (%s): observed %s, expected %s",
        name,
        passed ? "passed" : "FAILED",
        severity.name().toLowerCase(Locale.ROOT),
        observed,
        expected);
  }
}
