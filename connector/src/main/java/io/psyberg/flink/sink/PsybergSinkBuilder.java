package io.psyberg.flink.sink;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.catalog.PsybergCatalogOptions;
import io.psyberg.flink.config.OptionReader;
import io.psyberg.flink.sink.audit.Audit;
import io.psyberg.flink.sink.audit.AuditSpec;
import io.psyberg.flink.sink.audit.NotNullAudit;
import io.psyberg.flink.sink.audit.RowBoundsAudit;
import io.psyberg.flink.sink.audit.RowCountAudit;
import io.psyberg.flink.sink.audit.Severity;
import io.psyberg.flink.sink.audit.SourceFilter;
import io.psyberg.flink.sink.audit.UniqueKeyAudit;
import io.psyberg.flink.sink.commit.PublishHook;
import io.psyberg.flink.source.PsybergSourceOptions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * Builds a {@link PsybergSink}. Options are set by key ({@link #set(String, String)}, {@link
 * #setAll(Map)}, the keys of {@link PsybergSinkOptions} and {@link PsybergCatalogOptions}, as in
 * SQL) or through the typed setters, which set the same options; audits can also be given as
 * objects. {@link #build()} resolves the options once, checks every setting and does no I/O.
 */
@PublicEvolving
public final class PsybergSinkBuilder {
  private final Configuration options = new Configuration();
  private CatalogSpec catalog;
  private final List<Audit> audits = new ArrayList<>();
  private PublishHook hook = PublishHook.NONE;

  PsybergSinkBuilder() {}

  /**
   * Sets an option by its key, e.g. {@code set("audit.not-null", "account_id")}; a null value
   * removes it. Values are checked in {@link #build()}.
   */
  public PsybergSinkBuilder set(String key, @Nullable String value) {
    if (value == null) {
      options.removeKey(key);
    } else {
      options.setString(key, value);
    }
    return this;
  }

  /** Sets an option to a typed value. */
  public <T> PsybergSinkBuilder set(ConfigOption<T> option, T value) {
    options.set(option, value);
    return this;
  }

  /** Sets every option of the map by key, as {@link #set(String, String)}. */
  public PsybergSinkBuilder setAll(Map<String, String> keyValues) {
    keyValues.forEach(this::set);
    return this;
  }

  /** The catalog of the target table; without it, the catalog options set by key are used. */
  public PsybergSinkBuilder catalog(CatalogSpec catalog) {
    this.catalog = catalog;
    return this;
  }

  /** The target table, {@code namespace.table}; it must exist. */
  public PsybergSinkBuilder table(String table) {
    return set(PsybergSourceOptions.TABLE, table);
  }

  public PsybergSinkBuilder processName(String processName) {
    return set(PsybergSourceOptions.PROCESS_NAME, processName);
  }

  public PsybergSinkBuilder writeMode(WriteMode mode) {
    return set(PsybergSinkOptions.WRITE_MODE, mode);
  }

  public PsybergSinkBuilder upsertKey(List<String> columns) {
    return set(
        PsybergSinkOptions.UPSERT_KEY.key(), columns == null ? null : String.join(",", columns));
  }

  public PsybergSinkBuilder overwriteRangeColumn(String column) {
    return set(PsybergSinkOptions.OVERWRITE_RANGE_COLUMN, column);
  }

  /** Adds an audit at error severity (failing it blocks the publish). */
  public PsybergSinkBuilder audit(Audit audit) {
    this.audits.add(audit);
    return this;
  }

  /** Sets the severity of the audit with this name (option {@code audit.<name>.severity}). */
  public PsybergSinkBuilder severity(String auditName, Severity severity) {
    return set(PsybergSinkOptions.severity(auditName), severity);
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
    return set(PsybergSinkOptions.SINK_PARALLELISM, parallelism);
  }

  public PsybergSinkBuilder targetFileSize(long bytes) {
    return set(PsybergSinkOptions.TARGET_FILE_SIZE, bytes);
  }

  /**
   * Compact the target's delete files after a publish once it holds {@code files} of them (0:
   * never, leave it to the table's maintenance); {@code compaction.delete-files}.
   */
  public PsybergSinkBuilder compactDeleteFiles(int files) {
    return set(PsybergSinkOptions.COMPACTION_DELETE_FILES, files);
  }

  /** Test and benchmark seam; reached through {@link PsybergSinkHooks}. */
  PsybergSinkBuilder publishHook(PublishHook hook) {
    this.hook = hook;
    return this;
  }

  /** Every option a sink takes by key, besides {@code audit.<name>.severity}. */
  static Set<ConfigOption<?>> knownOptions() {
    Set<ConfigOption<?>> out = new LinkedHashSet<>();
    out.add(PsybergSourceOptions.TABLE);
    out.add(PsybergSourceOptions.PROCESS_NAME);
    out.addAll(OptionReader.declaredIn(PsybergSinkOptions.class));
    out.addAll(OptionReader.declaredIn(PsybergCatalogOptions.class));
    return out;
  }

  public PsybergSink build() {
    String processName = options.get(PsybergSourceOptions.PROCESS_NAME);
    if (processName == null || processName.isBlank()) {
      throw new IllegalArgumentException(
          "PsybergSink: option 'process-name' is required (e.g. 'signup_fact_load').");
    }
    String ctx = "Process " + processName;
    Set<String> unchecked = new HashSet<>(options.keySet());
    unchecked.removeIf(k -> PsybergSinkOptions.severityOf(k) != null);
    OptionReader.checkKeys(
        ctx,
        unchecked,
        knownOptions(),
        List.of(PsybergCatalogOptions.CATALOG_PROPERTY_PREFIX),
        "catalog.<property>, audit.<name>.severity");
    CatalogSpec spec =
        catalog != null
            ? catalog
            : CatalogSpec.fromOptionsIfGiven(options.toMap(), ctx)
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            ctx
                                + ": no catalog given for the sink; call catalog(...) or set"
                                + " catalog options."));
    PsybergWriteConf conf = PsybergWriteConf.resolve(options, ctx);
    String table = conf.table();
    if (table == null || !table.trim().contains(".")) {
      throw new IllegalArgumentException(
          ctx
              + ": option 'table' of the sink must name the target as namespace.table, got '"
              + table
              + "'.");
    }
    if (conf.writeMode() == WriteMode.OVERWRITE_RANGE
        && (conf.overwriteRangeColumn() == null || conf.overwriteRangeColumn().isBlank())) {
      throw new IllegalArgumentException(
          ctx
              + ": write-mode 'overwrite-range' needs 'overwrite-range-column' (the target column"
              + " compared with the session's change range, e.g. event_ts).");
    }
    List<AuditSpec> specs = auditSpecs(ctx, conf);
    return new PsybergSink(
        spec,
        TableIdentifier.parse(table.trim()).toString(),
        processName,
        conf.writeMode(),
        conf.upsertKey(),
        conf.overwriteRangeColumn(),
        specs,
        conf.parallelism(),
        conf.targetFileSize(),
        conf.compaction(),
        hook);
  }

  /** The audits given as objects, then those set by key, each at its severity. */
  private List<AuditSpec> auditSpecs(String ctx, PsybergWriteConf conf) {
    List<Audit> all = new ArrayList<>(audits);
    if (conf.auditNotNull() != null) {
      all.add(new NotNullAudit(conf.auditNotNull()));
    }
    if (conf.auditUnique() != null) {
      all.add(new UniqueKeyAudit(conf.auditUnique()));
    }
    if (conf.rowCount() == PsybergSinkOptions.RowCountCheck.MATCH_SOURCE) {
      all.add(new RowCountAudit(conf.rowCountSourceFilter()));
    }
    if (conf.minRows() != null) {
      all.add(new RowBoundsAudit(conf.minRows(), null));
    }
    if (conf.maxRows() != null) {
      all.add(new RowBoundsAudit(null, conf.maxRows()));
    }
    for (Class<? extends Audit> c : conf.auditClasses()) {
      all.add(instantiate(ctx, c));
    }
    Set<String> names = new LinkedHashSet<>();
    List<AuditSpec> specs = new ArrayList<>();
    for (Audit a : all) {
      if (!names.add(a.name())) {
        throw new IllegalArgumentException(
            ctx + ": two audits are named '" + a.name() + "'; audit names must be unique.");
      }
      specs.add(new AuditSpec(a, conf.severities().getOrDefault(a.name(), Severity.ERROR)));
    }
    for (String named : conf.severities().keySet()) {
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
    return specs;
  }

  private static Audit instantiate(String ctx, Class<? extends Audit> c) {
    try {
      return c.getConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException(
          ctx + ": could not create audit " + c.getName() + " (option 'audit.classes'): " + e, e);
    }
  }
}
