package io.psyberg.flink.table;

import io.psyberg.flink.sink.PsybergSink;
import io.psyberg.flink.sink.PsybergSinkBuilder;
import io.psyberg.flink.sink.PsybergSinkOptions;
import io.psyberg.flink.sink.WriteMode;
import io.psyberg.flink.sink.audit.Audit;
import io.psyberg.flink.sink.audit.Severity;
import io.psyberg.flink.sink.audit.SourceFilter;
import io.psyberg.flink.source.PsybergSourceOptions;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.transformations.LegacySourceTransformation;
import org.apache.flink.streaming.api.transformations.SourceTransformation;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.catalog.UniqueConstraint;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.sink.DataStreamSinkProvider;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.data.RowData;

/** The SQL side of {@link PsybergSink}: write mode, key and audits from the table options. */
final class PsybergDynamicSink implements DynamicTableSink {
  private final TableOptions options;
  private final ResolvedSchema schema;

  PsybergDynamicSink(TableOptions options, ResolvedSchema schema) {
    this.options = options;
    this.schema = schema;
  }

  private String process() {
    return options.options.get(PsybergSourceOptions.PROCESS_NAME);
  }

  private String ctx() {
    return "Table " + options.sqlName + " (process " + process() + ")";
  }

  private WriteMode writeMode() {
    return PsybergDynamicSource.choice(
        ctx(),
        PsybergSinkOptions.WRITE_MODE.key(),
        options.options.get(PsybergSinkOptions.WRITE_MODE),
        WriteMode.class);
  }

  @Override
  public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
    return writeMode() == WriteMode.UPSERT ? ChangelogMode.upsert() : ChangelogMode.insertOnly();
  }

  @Override
  public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
    String table = options.options.get(PsybergSourceOptions.TABLE).trim();
    SchemaCheck.checkSameColumns(
        schema,
        SchemaCheck.load(options.catalog, table, options.sqlName, process()),
        options.sqlName,
        table);
    PsybergSink sink = buildSink(table);
    return new DataStreamSinkProvider() {
      @Override
      public DataStreamSink<?> consumeDataStream(
          ProviderContext providerContext, DataStream<RowData> dataStream) {
        if (hasUnboundedSource(dataStream)
            && !dataStream
                .getExecutionEnvironment()
                .getCheckpointConfig()
                .isCheckpointingEnabled()) {
          throw new ValidationException(
              ctx()
                  + ": a continuous job publishes at checkpoints, but checkpointing is off."
                  + " Enable it, e.g. SET 'execution.checkpointing.interval' = '10s'.");
        }
        return sink.append(dataStream);
      }
    };
  }

  private static boolean hasUnboundedSource(DataStream<RowData> stream) {
    for (Transformation<?> t : stream.getTransformation().getTransitivePredecessors()) {
      if (t instanceof SourceTransformation
          && ((SourceTransformation<?, ?, ?>) t).getBoundedness()
              == Boundedness.CONTINUOUS_UNBOUNDED) {
        return true;
      }
      if (t instanceof LegacySourceTransformation
          && ((LegacySourceTransformation<?>) t).getBoundedness()
              == Boundedness.CONTINUOUS_UNBOUNDED) {
        return true;
      }
    }
    return false;
  }

  PsybergSink buildSink(String table) {
    WriteMode mode = writeMode();
    PsybergSinkBuilder b =
        PsybergSink.builder()
            .catalog(options.catalog)
            .processName(process())
            .table(table)
            .writeMode(mode)
            .targetFileSize(options.options.get(PsybergSinkOptions.TARGET_FILE_SIZE));
    options.options.getOptional(PsybergSinkOptions.SINK_PARALLELISM).ifPresent(b::parallelism);
    options
        .options
        .getOptional(PsybergSinkOptions.OVERWRITE_RANGE_COLUMN)
        .ifPresent(b::overwriteRangeColumn);
    List<String> key =
        options
            .options
            .getOptional(PsybergSinkOptions.UPSERT_KEY)
            .map(PsybergDynamicSink::columns)
            .orElseGet(() -> schema.getPrimaryKey().map(UniqueConstraint::getColumns).orElse(null));
    if (key != null) {
      b.upsertKey(key);
    }
    options
        .options
        .getOptional(PsybergSinkOptions.AUDIT_NOT_NULL)
        .map(PsybergDynamicSink::columns)
        .ifPresent(b::auditNotNull);
    options
        .options
        .getOptional(PsybergSinkOptions.AUDIT_UNIQUE)
        .map(PsybergDynamicSink::columns)
        .ifPresent(b::auditUnique);
    String rowCount =
        options.options.get(PsybergSinkOptions.AUDIT_ROW_COUNT).trim().toLowerCase(Locale.ROOT);
    if (rowCount.equals("match-source")) {
      SourceFilter filter;
      try {
        filter =
            options
                .options
                .getOptional(PsybergSinkOptions.AUDIT_ROW_COUNT_SOURCE_FILTER)
                .map(
                    f ->
                        SourceFilter.parse(
                            f, PsybergSinkOptions.AUDIT_ROW_COUNT_SOURCE_FILTER.key()))
                .orElse(null);
      } catch (IllegalArgumentException e) {
        throw new ValidationException(ctx() + ": " + e.getMessage());
      }
      b.auditRowCountMatchesSource(filter);
    } else if (!rowCount.equals("none")) {
      throw new ValidationException(
          String.format(
              "%s: invalid value '%s' for option 'audit.row-count'. Valid values: none,"
                  + " match-source.",
              ctx(), options.options.get(PsybergSinkOptions.AUDIT_ROW_COUNT)));
    }
    Long min = options.options.getOptional(PsybergSinkOptions.AUDIT_MIN_ROWS).orElse(null);
    Long max = options.options.getOptional(PsybergSinkOptions.AUDIT_MAX_ROWS).orElse(null);
    if (min != null) {
      b.auditRowBounds(min, null);
    }
    if (max != null) {
      b.auditRowBounds(null, max);
    }
    options
        .options
        .getOptional(PsybergSinkOptions.AUDIT_CLASSES)
        .ifPresent(classes -> columns(classes).forEach(c -> b.audit(instantiate(c))));
    for (Map.Entry<String, String> e : options.raw.entrySet()) {
      String k = e.getKey();
      if (k.startsWith(PsybergSinkOptions.AUDIT_SEVERITY_PREFIX)
          && k.endsWith(PsybergSinkOptions.AUDIT_SEVERITY_SUFFIX)) {
        String name =
            k.substring(
                PsybergSinkOptions.AUDIT_SEVERITY_PREFIX.length(),
                k.length() - PsybergSinkOptions.AUDIT_SEVERITY_SUFFIX.length());
        b.severity(name, Severity.valueOf(e.getValue().trim().toUpperCase(Locale.ROOT)));
      }
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new ValidationException(e.getMessage(), e);
    }
  }

  private Audit instantiate(String className) {
    try {
      Class<?> c = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
      if (!Audit.class.isAssignableFrom(c)) {
        throw new ValidationException(
            ctx()
                + ": class "
                + className
                + " in option 'audit.classes' does not implement "
                + Audit.class.getName()
                + ".");
      }
      return (Audit) c.getDeclaredConstructor().newInstance();
    } catch (ClassNotFoundException e) {
      throw new ValidationException(
          ctx()
              + ": audit class "
              + className
              + " in option 'audit.classes' is not on the"
              + " classpath. Add its jar to the job (or Flink's lib/).");
    } catch (ReflectiveOperationException e) {
      throw new ValidationException(
          ctx()
              + ": could not create audit "
              + className
              + "; it needs a public no-argument constructor ("
              + e
              + ").");
    }
  }

  static List<String> columns(String csv) {
    return Arrays.stream(csv.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toList());
  }

  @Override
  public DynamicTableSink copy() {
    return new PsybergDynamicSink(options, schema);
  }

  @Override
  public String asSummaryString() {
    return "psyberg sink " + options.options.get(PsybergSourceOptions.TABLE);
  }
}
