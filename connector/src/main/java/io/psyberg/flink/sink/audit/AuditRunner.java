package io.psyberg.flink.sink.audit;

import io.psyberg.flink.PsybergException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.annotation.Internal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs audits on a staged session and renders their results for the session log. */
@Internal
public final class AuditRunner {
  private static final Logger LOG = LoggerFactory.getLogger(AuditRunner.class);

  private AuditRunner() {}

  public static List<AuditResult> run(List<AuditSpec> specs, AuditContext ctx) {
    List<AuditResult> results = new ArrayList<>();
    for (AuditSpec spec : specs) {
      long start = System.nanoTime();
      AuditResult result = runOne(spec.audit(), ctx).withSeverity(spec.severity());
      LOG.info(
          "Session {}: audit {} in {} ms",
          ctx.session().sessionId(),
          result,
          (System.nanoTime() - start) / 1_000_000);
      results.add(result);
    }
    return results;
  }

  /**
   * Runs one audit: an exception is a failed result that names it, except an interrupt. A task
   * being cancelled (another target's committer failed the job, say) interrupts the audit, and that
   * says nothing about the data: recorded as a failed audit, it would mark AUDIT_FAILED a session
   * that a later run publishes. It is thrown on, the thread's interrupt flag set again.
   *
   * @throws PsybergException when the audit was interrupted
   */
  static AuditResult runOne(Audit audit, AuditContext ctx) {
    try {
      return audit.run(ctx);
    } catch (Exception e) {
      if (Thread.currentThread().isInterrupted() || interrupt(e)) {
        Thread.currentThread().interrupt();
        throw new PsybergException(
            "Audit " + audit.name() + " was interrupted (its task is being cancelled)", e);
      }
      return AuditResult.of(audit.name(), false, "audit failed to run: " + e, "audit to run");
    }
  }

  /** Whether {@code e} or a cause of it is an interrupt. */
  private static boolean interrupt(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof InterruptedException
          || t instanceof InterruptedIOException
          || t instanceof ClosedByInterruptException) {
        return true;
      }
    }
    return false;
  }

  /** Results as a JSON array: name, passed, observed, expected, severity. */
  public static String toJson(List<AuditResult> results) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < results.size(); i++) {
      AuditResult r = results.get(i);
      if (i > 0) {
        sb.append(',');
      }
      sb.append("{\"name\":")
          .append(quote(r.name()))
          .append(",\"passed\":")
          .append(r.passed())
          .append(",\"observed\":")
          .append(quote(r.observed()))
          .append(",\"expected\":")
          .append(quote(r.expected()))
          .append(",\"severity\":")
          .append(quote(r.severity().name().toLowerCase(Locale.ROOT)))
          .append('}');
    }
    return sb.append(']').toString();
  }

  private static String quote(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"':
          sb.append("\\\"");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        case '\n':
          sb.append("\\n");
          break;
        default:
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
      }
    }
    return sb.append('"').toString();
  }
}
