package io.psyberg.flink.sink;

import static org.apache.flink.configuration.description.TextElement.text;

import io.psyberg.flink.sink.audit.Severity;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

/**
 * Options of the write-audit-publish sink, shared by {@link PsybergSinkBuilder} and the SQL
 * connector. {@code table} and {@code process-name} are shared with the source options.
 */
@PublicEvolving
public final class PsybergSinkOptions {

  /** Whether the staged row count is reconciled with the session's source rows. */
  @PublicEvolving
  public enum RowCountCheck implements DescribedEnum {
    NONE("none", "No row-count audit."),
    MATCH_SOURCE(
        "match-source", "The staged row count must equal the session's source rows (1:1).");

    private final String value;
    private final String description;

    RowCountCheck(String value, String description) {
      this.value = value;
      this.description = description;
    }

    @Override
    public String toString() {
      return value;
    }

    @Override
    public InlineElement getDescription() {
      return text(description);
    }
  }

  public static final ConfigOption<WriteMode> WRITE_MODE =
      ConfigOptions.key("write-mode")
          .enumType(WriteMode.class)
          .defaultValue(WriteMode.APPEND)
          .withDescription(
              "append | upsert (replace rows with the same primary key; for corrections) |"
                  + " retract (a changelog with before-images: -U/-D delete the row they carry,"
                  + " in its partition; for corrections that move rows between partitions) |"
                  + " overwrite-range (replace the target rows inside the session's change"
                  + " range).");

  public static final ConfigOption<String> UPSERT_KEY =
      ConfigOptions.key("upsert-key")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Key columns for write-mode 'upsert' or 'retract', comma-separated. Default: the"
                  + " DDL's PRIMARY KEY or the target table's identifier fields.");

  public static final ConfigOption<String> OVERWRITE_RANGE_COLUMN =
      ConfigOptions.key("overwrite-range-column")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Target column compared with the session's change range in write-mode"
                  + " 'overwrite-range' (e.g. event_ts).");

  public static final ConfigOption<String> AUDIT_NOT_NULL =
      ConfigOptions.key("audit.not-null")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Columns that must hold no NULL in the staged rows (metadata only),"
                  + " comma-separated.");

  public static final ConfigOption<String> AUDIT_UNIQUE =
      ConfigOptions.key("audit.unique")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Key columns that must be unique in the staged rows and, for appends, new to the"
                  + " published table.");

  public static final ConfigOption<RowCountCheck> AUDIT_ROW_COUNT =
      ConfigOptions.key("audit.row-count")
          .enumType(RowCountCheck.class)
          .defaultValue(RowCountCheck.NONE)
          .withDescription(
              "none | match-source: the staged row count must equal the session's source rows (1:1"
                  + " transforms).");

  public static final ConfigOption<String> AUDIT_ROW_COUNT_SOURCE_FILTER =
      ConfigOptions.key("audit.row-count.source-filter")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "With audit.row-count = match-source: count only source rows matching column ="
                  + " 'value' or column IN ('a', 'b'), e.g. event_type = 'SIGNUP'.");

  public static final ConfigOption<Long> AUDIT_MIN_ROWS =
      ConfigOptions.key("audit.min-rows")
          .longType()
          .noDefaultValue()
          .withDescription("The session must stage at least this many rows.");

  public static final ConfigOption<Long> AUDIT_MAX_ROWS =
      ConfigOptions.key("audit.max-rows")
          .longType()
          .noDefaultValue()
          .withDescription("The session may stage at most this many rows.");

  public static final ConfigOption<String> AUDIT_CLASSES =
      ConfigOptions.key("audit.classes")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "User audits: comma-separated class names implementing"
                  + " io.psyberg.flink.sink.audit.Audit with a public no-argument constructor.");

  /**
   * Prefix/suffix of the per-audit severity options, {@code audit.<name>.severity} = error | warn.
   */
  public static final String AUDIT_SEVERITY_PREFIX = "audit.";

  public static final String AUDIT_SEVERITY_SUFFIX = ".severity";

  /** The option {@code audit.<auditName>.severity}. */
  public static ConfigOption<Severity> severity(String auditName) {
    return ConfigOptions.key(AUDIT_SEVERITY_PREFIX + auditName + AUDIT_SEVERITY_SUFFIX)
        .enumType(Severity.class)
        .defaultValue(Severity.ERROR)
        .withDescription("Severity of the audit named " + auditName + ": error | warn.");
  }

  /** The audit name in a key of the form {@code audit.<name>.severity}, or null. */
  @Nullable
  public static String severityOf(String key) {
    int from = AUDIT_SEVERITY_PREFIX.length();
    int to = key.length() - AUDIT_SEVERITY_SUFFIX.length();
    return key.startsWith(AUDIT_SEVERITY_PREFIX) && key.endsWith(AUDIT_SEVERITY_SUFFIX) && to > from
        ? key.substring(from, to)
        : null;
  }

  public static final ConfigOption<Integer> SINK_PARALLELISM =
      ConfigOptions.key("sink.parallelism")
          .intType()
          .noDefaultValue()
          .withDescription("Parallelism of the writers (the committer always runs once).");

  public static final ConfigOption<Long> TARGET_FILE_SIZE =
      ConfigOptions.key("target-file-size")
          .longType()
          .defaultValue(128L * 1024 * 1024)
          .withDescription("Writers roll to a new data file at about this many bytes.");

  public static final ConfigOption<Integer> COMPACTION_DELETE_FILES =
      ConfigOptions.key("compaction.delete-files")
          .intType()
          .defaultValue(16)
          .withDescription(
              "Once the target holds this many delete files (upsert and retract sessions add"
                  + " them), the committer rewrites the partitions that have delete files after a"
                  + " publish, so later runs stop applying them; 0 leaves it to the table's own"
                  + " maintenance.");

  public static final ConfigOption<Long> COMPACTION_MAX_PARTITION_ROWS =
      ConfigOptions.key("compaction.max-partition-rows")
          .longType()
          .defaultValue(2_000_000L)
          .withDescription(
              "Partitions with more rows than this are not compacted by the committer (the"
                  + " rewrite runs in the committer, after the publish); compact them with"
                  + " rewrite_data_files.");

  private PsybergSinkOptions() {}
}
