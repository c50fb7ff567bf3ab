package io.psyberg.flink.table;

import io.psyberg.flink.planning.NonAppendSnapshots;
import io.psyberg.flink.planning.OnLostHighWatermark;
import io.psyberg.flink.planning.StartFrom;
import io.psyberg.flink.source.PsybergSource;
import io.psyberg.flink.source.PsybergSourceBuilder;
import io.psyberg.flink.source.PsybergSourceOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.source.DataStreamScanProvider;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.abilities.SupportsFilterPushDown;
import org.apache.flink.table.connector.source.abilities.SupportsProjectionPushDown;
import org.apache.flink.table.connector.source.abilities.SupportsReadingMetadata;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.expressions.ResolvedExpression;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.flink.FlinkFilters;

/**
 * The SQL side of {@link PsybergSource}: projection, filter and metadata push-down, schema checked
 * at planning.
 */
final class PsybergDynamicSource
    implements ScanTableSource,
        SupportsProjectionPushDown,
        SupportsFilterPushDown,
        SupportsReadingMetadata {
  private final TableOptions options;
  private final ResolvedSchema schema;
  private List<String> projected;
  private List<String> metadataKeys = List.of();
  private DataType producedType;
  private final List<Expression> filters = new ArrayList<>();

  PsybergDynamicSource(TableOptions options, ResolvedSchema schema) {
    this.options = options;
    this.schema = schema;
    this.projected =
        schema.getColumns().stream()
            .filter(Column::isPhysical)
            .map(Column::getName)
            .collect(Collectors.toList());
    this.producedType = schema.toPhysicalRowDataType();
  }

  private PsybergDynamicSource(PsybergDynamicSource other) {
    this.options = other.options;
    this.schema = other.schema;
    this.projected = other.projected;
    this.metadataKeys = other.metadataKeys;
    this.producedType = other.producedType;
    this.filters.addAll(other.filters);
  }

  @Override
  public ChangelogMode getChangelogMode() {
    return ChangelogMode.insertOnly();
  }

  @Override
  public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
    PsybergSource source = buildSource();
    RowType sourceRow = source.rowType();
    boolean bounded = !source.settings().continuous();
    String name = "psyberg " + options.sqlName;
    List<String> keys = metadataKeys;
    int physicalCount = projected.size();
    DataType produced = producedType;
    return new DataStreamScanProvider() {
      @Override
      public DataStream<RowData> produceDataStream(
          ProviderContext providerContext, StreamExecutionEnvironment env) {
        DataStreamSource<RowData> stream =
            env.fromSource(source, WatermarkStrategy.noWatermarks(), name);
        providerContext.generateUid("psyberg-source").ifPresent(stream::uid);
        if (keys.isEmpty()) {
          return stream;
        }
        return stream
            .map(new MetadataColumns.Projection(sourceRow, physicalCount, keys))
            .name(name + " metadata")
            .returns(InternalTypeInfo.of((RowType) produced.getLogicalType()));
      }

      @Override
      public boolean isBounded() {
        return bounded;
      }
    };
  }

  PsybergSource buildSource() {
    String process = options.options.get(PsybergSourceOptions.PROCESS_NAME);
    String ctx = "Table " + options.sqlName + " (process " + process + ")";
    List<String> tables =
        Arrays.stream(options.options.get(PsybergSourceOptions.TABLE).split(","))
            .map(String::trim)
            .filter(t -> !t.isEmpty())
            .collect(Collectors.toList());
    for (String t : tables) {
      SchemaCheck.checkColumnsExist(
          schema,
          SchemaCheck.load(options.catalog, t, options.sqlName, process),
          options.sqlName,
          t);
    }
    PsybergSourceBuilder b =
        PsybergSource.builder()
            .catalog(options.catalog)
            .processName(process)
            .tables(tables)
            .mode(options.options.get(PsybergSourceOptions.MODE))
            .monitorInterval(options.options.get(PsybergSourceOptions.MONITOR_INTERVAL))
            .maxSnapshotsPerSession(
                options.options.get(PsybergSourceOptions.MAX_SNAPSHOTS_PER_SESSION))
            .processing(options.options.get(PsybergSourceOptions.PROCESSING))
            .splitSize(options.options.get(PsybergSourceOptions.SPLIT_SIZE))
            .project(projected)
            .withMetadataColumns(!metadataKeys.isEmpty())
            .filters(filters);
    try {
      b.startFrom(StartFrom.parse(options.options.get(PsybergSourceOptions.START_FROM)));
    } catch (IllegalArgumentException e) {
      throw new ValidationException(ctx + ": " + e.getMessage());
    }
    b.nonAppendSnapshots(
        choice(
            ctx,
            PsybergSourceOptions.NON_APPEND_SNAPSHOTS.key(),
            options.options.get(PsybergSourceOptions.NON_APPEND_SNAPSHOTS),
            NonAppendSnapshots.class));
    b.onLostHighWatermark(
        choice(
            ctx,
            PsybergSourceOptions.ON_LOST_HWM.key(),
            options.options.get(PsybergSourceOptions.ON_LOST_HWM),
            OnLostHighWatermark.class));
    options
        .options
        .getOptional(PsybergSourceOptions.CHANGE_RANGE_COLUMN)
        .ifPresent(b::changeRangeColumn);
    options
        .options
        .getOptional(PsybergSourceOptions.TARGET_TABLE)
        .ifPresent(t -> Arrays.stream(t.split(",")).map(String::trim).forEach(b::targetTable));
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new ValidationException(e.getMessage(), e);
    }
  }

  static <E extends Enum<E>> E choice(String ctx, String key, String value, Class<E> type) {
    String normalized = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(normalized)) {
        return e;
      }
    }
    throw new ValidationException(
        String.format(
            "%s: invalid value '%s' for option '%s'. Valid values: %s.",
            ctx,
            value,
            key,
            Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .collect(Collectors.joining(", "))));
  }

  @Override
  public boolean supportsNestedProjection() {
    return false;
  }

  @Override
  public void applyProjection(int[][] projectedFields, DataType producedDataType) {
    List<String> physical =
        schema.getColumns().stream()
            .filter(Column::isPhysical)
            .map(Column::getName)
            .collect(Collectors.toList());
    List<String> out = new ArrayList<>();
    for (int[] path : projectedFields) {
      out.add(physical.get(path[0]));
    }
    this.projected = out;
    this.producedType = producedDataType;
  }

  @Override
  public Result applyFilters(List<ResolvedExpression> flinkFilters) {
    List<ResolvedExpression> accepted = new ArrayList<>();
    for (ResolvedExpression f : flinkFilters) {
      Optional<Expression> converted = FlinkFilters.convert(f);
      if (converted.isPresent()) {
        filters.add(converted.get());
        accepted.add(f);
      }
    }
    // Iceberg prunes with the accepted filters; Flink still evaluates them all, so results never
    // depend on it.
    return Result.of(accepted, flinkFilters);
  }

  @Override
  public Map<String, DataType> listReadableMetadata() {
    return new LinkedHashMap<>(MetadataColumns.TYPES);
  }

  @Override
  public void applyReadableMetadata(List<String> keys, DataType producedDataType) {
    this.metadataKeys = List.copyOf(keys);
    this.producedType = producedDataType;
  }

  @Override
  public boolean supportsMetadataProjection() {
    return false;
  }

  @Override
  public DynamicTableSource copy() {
    return new PsybergDynamicSource(this);
  }

  @Override
  public String asSummaryString() {
    return "psyberg source " + options.options.get(PsybergSourceOptions.TABLE);
  }
}
