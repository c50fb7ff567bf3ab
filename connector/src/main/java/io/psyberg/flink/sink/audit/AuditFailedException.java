package io.psyberg.flink.sink.audit;

import io.psyberg.flink.PsybergException;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.annotation.Internal;

/**
 * A session's error-severity audits failed: nothing was published and the high watermark did not
 * move.
 */
@Internal
public final class AuditFailedException extends PsybergException {
  private static final long serialVersionUID = 1L;

  public AuditFailedException(
      String process, String sessionId, String target, String branch, List<AuditResult> results) {
    super(
        String.format(
            "Process %s: session %s failed its audits; nothing was published to %s and the high"
                + " watermark did not move. Failed audits:%n%s%nThe staged data stays on branch"
                + " '%s' for inspection; fix the data or the job and re-run.",
            process,
            sessionId,
            target,
            results.stream()
                .filter(AuditResult::blocks)
                .map(
                    r ->
                        "  - "
                            + r.name()
                            + ": observed "
                            + r.observed()
                            + ", expected "
                            + r.expected())
                .collect(Collectors.joining(System.lineSeparator())),
            branch));
  }
}
