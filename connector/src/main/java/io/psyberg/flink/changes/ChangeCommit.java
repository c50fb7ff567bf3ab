package io.psyberg.flink.changes;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.sink.PsybergSink;
import io.psyberg.flink.sink.audit.Audit;
import io.psyberg.flink.sink.audit.AuditSpec;
import io.psyberg.flink.sink.audit.NotNullAudit;
import io.psyberg.flink.sink.audit.RowBoundsAudit;
import io.psyberg.flink.sink.audit.RowCountAudit;
import io.psyberg.flink.sink.audit.Severity;
import io.psyberg.flink.sink.audit.UniqueKeyAudit;
import io.psyberg.flink.sink.commit.BranchPublisher;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * Publishes a captured session that a job of any engine wrote to the target's branch {@code
 * psyberg-audit-<session id>}: runs the audits on what the branch adds, puts the new high watermark
 * in the snapshot main is fast-forwarded to (data and high watermark in one publish, as the Flink
 * sink does), and records the session {@code PUBLISHED}. A failed audit publishes nothing and keeps
 * the branch; committing a published session again changes nothing.
 */
@PublicEvolving
public final class ChangeCommit {
  private final CatalogSpec catalog;
  private final String processName;
  private final String sessionId;
  private final String targetTable;
  private final List<Audit> audits;

  private ChangeCommit(Builder b) {
    this.catalog = Objects.requireNonNull(b.catalog, "catalog");
    this.processName = Objects.requireNonNull(b.processName, "process name");
    this.sessionId = Objects.requireNonNull(b.sessionId, "session id");
    this.targetTable = Objects.requireNonNull(b.targetTable, "target table");
    this.audits = List.copyOf(b.audits);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The target branch a job writes a session's output to. */
  public static String auditBranchOf(String sessionId) {
    return PsybergSink.AUDIT_BRANCH_PREFIX + sessionId;
  }

  /** How a commit ended. */
  @PublicEvolving
  public enum Outcome {
    /** The session's output and its high watermark are on the target's main now. */
    PUBLISHED,
    /** The session was published before; nothing changed. */
    ALREADY_PUBLISHED,
    /** The session had nothing new; nothing to publish. */
    EMPTY
  }

  /** The outcome and, once published, the target snapshot holding the session. */
  @PublicEvolving
  public record Result(Outcome outcome, @Nullable Long snapshotId, Session session) {}

  /**
   * Audits and publishes the session.
   *
   * @throws PsybergException naming the failed audits (nothing published, branch kept), or when the
   *     session is unknown, or another run published its range first
   */
  public Result commit() {
    Catalog c = catalog.open();
    try {
      SessionLog log = new SessionLog(c, catalog.metadataNamespace());
      Session session = find(log);
      if (session.status() == SessionStatus.EMPTY) {
        return new Result(Outcome.EMPTY, null, session);
      }
      if (session.status() == SessionStatus.ABORTED) {
        throw new PsybergException(
            String.format(
                "Process %s: session %s was given up (ABORTED) and cannot be committed; capture"
                    + " again and commit the session it returns.",
                processName, sessionId));
      }
      TableIdentifier target = TableIdentifier.parse(targetTable);
      if (!c.tableExists(target)) {
        throw new PsybergException(
            String.format(
                "Process %s: target table %s does not exist. Create it, and have the job write"
                    + " session %s's output to its branch '%s'.",
                processName, targetTable, sessionId, auditBranchOf(sessionId)));
      }
      List<AuditSpec> specs = new ArrayList<>();
      audits.forEach(a -> specs.add(new AuditSpec(a, Severity.ERROR)));
      BranchPublisher.Outcome outcome =
          new BranchPublisher(c, catalog.metadataNamespace(), target, processName, specs)
              .publish(session);
      Session now = log.find(processName, sessionId).orElse(session);
      return new Result(
          outcome.alreadyPublished() ? Outcome.ALREADY_PUBLISHED : Outcome.PUBLISHED,
          outcome.snapshotId(),
          now);
    } finally {
      CatalogSpec.closeQuietly(c);
    }
  }

  private Session find(SessionLog log) {
    Optional<Session> session = log.find(processName, sessionId);
    if (session.isPresent()) {
      return session.get();
    }
    List<String> open = new ArrayList<>();
    log.sessions(processName).stream()
        .filter(s -> s.status().isOpen())
        .forEach(s -> open.add(s.sessionId()));
    throw new PsybergException(
        String.format(
            "Process %s: no session %s in %s. Use the session id a capture printed%s.",
            processName,
            sessionId,
            SessionLog.tableIdentifier(catalog.metadataNamespace()),
            open.isEmpty() ? "" : " (open sessions: " + String.join(", ", open) + ")"));
  }

  /** Builds a {@link ChangeCommit}; catalog, process, session and target are required. */
  @PublicEvolving
  public static final class Builder {
    private CatalogSpec catalog;
    private String processName;
    private String sessionId;
    private String targetTable;
    private final List<Audit> audits = new ArrayList<>();

    private Builder() {}

    public Builder catalog(CatalogSpec catalog) {
      this.catalog = catalog;
      return this;
    }

    public Builder processName(String processName) {
      this.processName = processName;
      return this;
    }

    public Builder sessionId(String sessionId) {
      this.sessionId = sessionId;
      return this;
    }

    /** The target table as {@code namespace.table}. */
    public Builder targetTable(String targetTable) {
      this.targetTable = targetTable;
      return this;
    }

    /** Any audit (error severity: a failure blocks the publish). */
    public Builder audit(Audit audit) {
      this.audits.add(Objects.requireNonNull(audit));
      return this;
    }

    /** Columns that must hold no NULL in the staged rows (metadata only). */
    public Builder auditNotNull(List<String> columns) {
      return audit(new NotNullAudit(columns));
    }

    /** Key columns unique in the staged rows and new to the published table. */
    public Builder auditUnique(List<String> columns) {
      return audit(new UniqueKeyAudit(columns));
    }

    /** Staged rows must equal the session's new source rows (a 1:1 job). */
    public Builder auditRowCountMatchesSource() {
      return audit(new RowCountAudit(null));
    }

    /** Staged rows within [min, max]; either bound may be null. */
    public Builder auditRowBounds(@Nullable Long min, @Nullable Long max) {
      return audit(new RowBoundsAudit(min, max));
    }

    public ChangeCommit build() {
      return new ChangeCommit(this);
    }
  }
}
