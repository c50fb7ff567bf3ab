package io.psyberg.flink.sink;

import io.psyberg.flink.config.OptionReader;
import io.psyberg.flink.sink.PsybergSinkOptions.RowCountCheck;
import io.psyberg.flink.sink.audit.Audit;
import io.psyberg.flink.sink.audit.Severity;
import io.psyberg.flink.sink.audit.SourceFilter;
import io.psyberg.flink.sink.compaction.TargetCompaction;
import io.psyberg.flink.source.PsybergSourceOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.Configuration;

/**
 * The sink options of one process, each parsed and checked once: the builder and the SQL connector
 * read settings only from here, so both report a bad value the same way. Audit classes are loaded
 * and checked here; they are created by the builder.
 */
@Internal
public final class PsybergWriteConf {
  @Nullable private final String table;
  private final WriteMode writeMode;
  @Nullable private final List<String> upsertKey;
  @Nullable private final String overwriteRangeColumn;
  @Nullable private final List<String> auditNotNull;
  @Nullable private final List<String> auditUnique;
  private final RowCountCheck rowCount;
  @Nullable private final SourceFilter rowCountSourceFilter;
  @Nullable private final Long minRows;
  @Nullable private final Long maxRows;
  private final List<Class<? extends Audit>> auditClasses;
  private final Map<String, Severity> severities;
  @Nullable private final Integer parallelism;
  private final long targetFileSize;
  private final TargetCompaction compaction;

  private PsybergWriteConf(Configuration config, OptionReader options) {
    String ctx = options.context();
    this.table = options.get(PsybergSourceOptions.TABLE);
    this.writeMode = options.get(PsybergSinkOptions.WRITE_MODE, WriteMode.class);
    this.upsertKey = columns(options.get(PsybergSinkOptions.UPSERT_KEY));
    this.overwriteRangeColumn = options.get(PsybergSinkOptions.OVERWRITE_RANGE_COLUMN);
    this.auditNotNull = columns(options.get(PsybergSinkOptions.AUDIT_NOT_NULL));
    this.auditUnique = columns(options.get(PsybergSinkOptions.AUDIT_UNIQUE));
    this.rowCount = options.get(PsybergSinkOptions.AUDIT_ROW_COUNT, RowCountCheck.class);
    String filter = options.get(PsybergSinkOptions.AUDIT_ROW_COUNT_SOURCE_FILTER);
    try {
      this.rowCountSourceFilter =
          filter == null
              ? null
              : SourceFilter.parse(filter, PsybergSinkOptions.AUDIT_ROW_COUNT_SOURCE_FILTER.key());
    } catch (IllegalArgumentException e) {
      throw OptionReader.invalidValue(
          ctx, PsybergSinkOptions.AUDIT_ROW_COUNT_SOURCE_FILTER.key(), filter, SourceFilter.FORMS);
    }
    this.minRows = options.get(PsybergSinkOptions.AUDIT_MIN_ROWS);
    this.maxRows = options.get(PsybergSinkOptions.AUDIT_MAX_ROWS);
    this.auditClasses = new ArrayList<>();
    List<String> classes = columns(options.get(PsybergSinkOptions.AUDIT_CLASSES));
    if (classes != null) {
      classes.forEach(c -> auditClasses.add(auditClass(ctx, c)));
    }
    this.severities = new LinkedHashMap<>();
    config
        .toMap()
        .forEach(
            (key, value) -> {
              String audit = PsybergSinkOptions.severityOf(key);
              if (audit != null) {
                severities.put(audit, OptionReader.choice(ctx, key, value, Severity.class));
              }
            });
    this.parallelism = options.get(PsybergSinkOptions.SINK_PARALLELISM);
    if (parallelism != null && parallelism < 1) {
      throw new IllegalArgumentException(
          ctx + ": option 'sink.parallelism' must be positive, got " + parallelism);
    }
    this.targetFileSize = options.get(PsybergSinkOptions.TARGET_FILE_SIZE);
    int deleteFiles = options.get(PsybergSinkOptions.COMPACTION_DELETE_FILES);
    if (deleteFiles < 0) {
      throw new IllegalArgumentException(
          ctx
              + ": option 'compaction.delete-files' must be 0 (off) or positive, got "
              + deleteFiles);
    }
    long maxPartitionRows = options.get(PsybergSinkOptions.COMPACTION_MAX_PARTITION_ROWS);
    if (maxPartitionRows < 1) {
      throw new IllegalArgumentException(
          ctx
              + ": option 'compaction.max-partition-rows' must be positive, got "
              + maxPartitionRows);
    }
    this.compaction = new TargetCompaction(deleteFiles, maxPartitionRows);
  }

  /**
   * Resolves the sink options in {@code config}; other keys are ignored.
   *
   * @param context names the process or table the options belong to, for error messages
   * @throws IllegalArgumentException naming the option, the bad value and what is valid
   */
  public static PsybergWriteConf resolve(Configuration config, String context) {
    return new PsybergWriteConf(config, new OptionReader(config, context));
  }

  @SuppressWarnings("unchecked")
  private static Class<? extends Audit> auditClass(String ctx, String className) {
    Class<?> c;
    try {
      c = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException(
          ctx
              + ": audit class "
              + className
              + " in option 'audit.classes' is not on the classpath. Add its jar to the job (or"
              + " Flink's lib/).");
    }
    if (!Audit.class.isAssignableFrom(c)) {
      throw new IllegalArgumentException(
          ctx
              + ": class "
              + className
              + " in option 'audit.classes' does not implement "
              + Audit.class.getName()
              + ".");
    }
    try {
      c.getConstructor();
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(
          ctx
              + ": audit class "
              + className
              + " in option 'audit.classes' cannot be created by name; it needs a public"
              + " no-argument constructor.");
    }
    return (Class<? extends Audit>) c;
  }

  /** Comma-separated names, trimmed, empty ones left out; null when the option is not set. */
  @Nullable
  static List<String> columns(@Nullable String csv) {
    if (csv == null) {
      return null;
    }
    return Arrays.stream(csv.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toList());
  }

  @Nullable
  public String table() {
    return table;
  }

  public WriteMode writeMode() {
    return writeMode;
  }

  @Nullable
  public List<String> upsertKey() {
    return upsertKey;
  }

  @Nullable
  public String overwriteRangeColumn() {
    return overwriteRangeColumn;
  }

  @Nullable
  public List<String> auditNotNull() {
    return auditNotNull;
  }

  @Nullable
  public List<String> auditUnique() {
    return auditUnique;
  }

  public RowCountCheck rowCount() {
    return rowCount;
  }

  @Nullable
  public SourceFilter rowCountSourceFilter() {
    return rowCountSourceFilter;
  }

  @Nullable
  public Long minRows() {
    return minRows;
  }

  @Nullable
  public Long maxRows() {
    return maxRows;
  }

  /** User audit classes, loaded and checked to implement {@link Audit}. */
  public List<Class<? extends Audit>> auditClasses() {
    return auditClasses;
  }

  /** Severity by audit name, from the {@code audit.<name>.severity} options. */
  public Map<String, Severity> severities() {
    return severities;
  }

  @Nullable
  public Integer parallelism() {
    return parallelism;
  }

  public long targetFileSize() {
    return targetFileSize;
  }

  /** When the committer compacts the target's delete files. */
  public TargetCompaction compaction() {
    return compaction;
  }
}
