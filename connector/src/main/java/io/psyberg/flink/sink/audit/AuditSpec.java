package io.psyberg.flink.sink.audit;

import java.io.Serializable;
import java.util.Objects;
import org.apache.flink.annotation.Internal;

/** An audit with the severity it runs at. */
@Internal
public final class AuditSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Audit audit;
  private final Severity severity;

  public AuditSpec(Audit audit, Severity severity) {
    this.audit = Objects.requireNonNull(audit);
    this.severity = Objects.requireNonNull(severity);
  }

  public Audit audit() {
    return audit;
  }

  public Severity severity() {
    return severity;
  }
}
