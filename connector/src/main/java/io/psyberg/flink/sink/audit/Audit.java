package io.psyberg.flink.sink.audit;

import java.io.Serializable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * A check run on a session's staged data before it is published. Implement it for your own audits
 * and name the class in {@code audit.classes} (SQL) or pass an instance to the sink builder; the
 * class needs a public no-argument constructor when loaded by name.
 */
@PublicEvolving
public interface Audit extends Serializable {

  /** A short, stable name, shown in results and used in {@code audit.<name>.severity}. */
  String name();

  /** Runs the check; an exception counts as a failed result that names it. */
  AuditResult run(AuditContext context) throws Exception;
}
