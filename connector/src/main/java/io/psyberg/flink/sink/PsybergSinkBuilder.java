package io.psyberg.flink.sink;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.sink.audit.Audit;
import io.psyberg.flink.sink.audit.AuditSpec;
import io.psyberg.flink.sink.audit.NotNullAudit;
import io.psyberg.flink.sink.audit.RowBoundsAudit;
import io.psyberg.flink.sink.audit.RowCountAudit;
import io.psyberg.flink.sink.audit.Severity;
import io.psyberg.flink.sink.audit.SourceFilter;
import io.psyberg.flink.sink.audit.UniqueKeyAudit;
import io.psyberg.flink.sink.commit.PublishHook;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.iceberg.catalog.TableIdentifier;

/** Builds a {@link PsybergSink}; {@link #build()} checks every setting and does no I/O. */
@PublicEvolving
public final class PsybergSinkBuilder {
  private CatalogSpec catalog;
  private String table;
  private String processName;
  private WriteMode writeMode = WriteMode.APPEND;
  private List<String> upsertKey;
  private String overwriteRangeColumn;
  private final List<Audit> audits = new ArrayList<>();
  private final Map<String, Severity> severities = new HashMap<>();
  private Integer parallelism;
  private long targetFileSize = PsybergSinkOptions.TARGET_FILE_SIZE.defaultValue();
  private PublishHook hook = PublishHook.NONE;

  PsybergSinkBuilder() {}

  public PsybergSinkBuilder catalog(CatalogSpec catalog) {
    this.catalog = catalog;
    return this;
  }

  /** The target table, {@code namespace.table}; it must exist. */
  public PsybergSinkBuilder table(String table) {
    this.table = table;
    return this;
  }

  public PsybergSinkBuilder processName(String processName) {
    this.processName = processName;
    return this;
  }

  public PsybergSinkBuilder writeMode(WriteMode mode) {
    this.writeMode = mode;
    return this;
  }

  public PsybergSinkBuilder upsertKey(List<String> columns) {
    this.upsertKey = columns == null ? null : List.copyOf(columns);
    return this;
  }

  public PsybergSinkBuilder overwriteRangeColumn(String column) {
    this.overwriteRangeColumn = column;
    return this;
  }

  /** Adds an audit at error severity (failing it blocks the publish). */
  public PsybergSinkBuilder audit(Audit audit) {
    this.audits.add(audit);
    return this;
  }

  /** Sets the severity of the audit with this name. */
  public PsybergSinkBuilder severity(String auditName, Severity severity) {
    this.severities.put(auditName, severity);
    return this;
  }

  public PsybergSinkBuilder auditNotNull(List<String> columns) {
    return audit(new NotNullAudit(columns));
  }

  public PsybergSinkBuilder auditUnique(List<String> columns) {
    return audit(new UniqueKeyAudit(columns));
  }

  /**
   * Staged rows must equal the session's source rows (those matching {@code sourceFilter}, if
   * given).
   */
  public PsybergSinkBuilder auditRowCountMatchesSource(@Nullable SourceFilter sourceFilter) {
    return audit(new RowCountAudit(sourceFilter));
  }

  public PsybergSinkBuilder auditRowBounds(@Nullable Long min, @Nullable Long max) {
    return audit(new RowBoundsAudit(min, max));
  }

  public PsybergSinkBuilder parallelism(int parallelism) {
    this.parallelism = parallelism;
    return this;
  }

  public PsybergSinkBuilder targetFileSize(long bytes) {
    this.targetFileSize = bytes;
    return this;
  }

  @VisibleForTesting
  public PsybergSinkBuilder publishHook(PublishHook hook) {
    this.hook = hook;
    return this;
  }

  public PsybergSink build() {
    if (processName == null || processName.isBlank()) {
      throw new IllegalArgumentException(
          "PsybergSink: option 'process-name' is required (e.g. 'signup_fact_load').");
    }
    String ctx = "Process " + processName;
    if (catalog == null) {
      throw new IllegalArgumentException(
          ctx + ": no catalog given for the sink; call catalog(...) or set catalog options.");
    }
    if (table == null || !table.trim().contains(".")) {
      throw new IllegalArgumentException(
          ctx
              + ": option 'table' of the sink must name the target as namespace.table, got '"
              + table
              + "'.");
    }
    if (writeMode == WriteMode.OVERWRITE_RANGE
        && (overwriteRangeColumn == null || overwriteRangeColumn.isBlank())) {
      throw new IllegalArgumentException(
          ctx
              + ": write-mode 'overwrite-range' needs 'overwrite-range-column' (the target column"
              + " compared with the session's change range, e.g. event_ts).");
    }
    if (parallelism != null && parallelism < 1) {
      throw new IllegalArgumentException(
          ctx + ": option 'sink.parallelism' must be positive, got " + parallelism);
    }
    Set<String> names = new HashSet<>();
    List<AuditSpec> specs = new ArrayList<>();
    for (Audit a : audits) {
      if (!names.add(a.name())) {
        throw new IllegalArgumentException(
            ctx + ": two audits are named '" + a.name() + "'; audit names must be unique.");
      }
      specs.add(new AuditSpec(a, severities.getOrDefault(a.name(), Severity.ERROR)));
    }
    for (String named : severities.keySet()) {
      if (!names.contains(named)) {
        throw new IllegalArgumentException(
            ctx
                + ": a severity is set for audit '"
                + named
                + "', which is not configured. Configured audits: "
                + names
                + ". Configure that audit, or remove its severity (option 'audit."
                + named
                + ".severity').");
      }
    }
    return new PsybergSink(
        catalog,
        TableIdentifier.parse(table.trim()).toString(),
        processName,
        writeMode,
        upsertKey,
        overwriteRangeColumn,
        specs,
        parallelism,
        targetFileSize,
        hook);
  }
}
