package io.psyberg.flink.table;

import io.psyberg.flink.source.ChangelogUpdates;
import io.psyberg.flink.source.PsybergSource;
import io.psyberg.flink.source.PsybergSourceOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
import org.apache.flink.types.RowKind;
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
  private Boolean keyed;

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
    this.keyed = other.keyed;
  }

  @Override
  public ChangelogMode getChangelogMode() {
    if (!options.read.changelog()) {
      return ChangelogMode.insertOnly();
    }
    if (pairsUpdates()) {
      return ChangelogMode.all();
    }
    return ChangelogMode.newBuilder()
        .addContainedKind(RowKind.INSERT)
        .addContainedKind(RowKind.DELETE)
        .build();
  }

  /**
   * A changelog read with a key (option 'changelog-key' or the table's identifier fields) turns a
   * key's removal and addition in one session into -U/+U: a bounded read downstream of the source
   * ({@link ChangelogUpdates}), a continuous one on the source's reader, session by session.
   */
  private boolean pairsUpdates() {
    if (keyed == null) {
      keyed = options.read.changelog() && !buildSource().changelogKey().isEmpty();
    }
    return keyed;
  }

  @Override
  public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
    if (options.withinChangeRange()) {
      return withinChangeRange();
    }
    PsybergSource source = buildSource();
    RowType sourceRow = source.rowType();
    boolean bounded = options.read.mode() == PsybergSourceOptions.Mode.BOUNDED;
    String name = "psyberg " + options.sqlName;
    List<String> keys = metadataKeys;
    int physicalCount = projected.size();
    DataType produced = producedType;
    List<String> key =
        bounded && pairsUpdates() && projected.containsAll(source.changelogKey())
            ? source.changelogKey()
            : List.of();
    return new DataStreamScanProvider() {
      @Override
      public DataStream<RowData> produceDataStream(
          ProviderContext providerContext, StreamExecutionEnvironment env) {
        DataStreamSource<RowData> read =
            env.fromSource(source, WatermarkStrategy.noWatermarks(), name);
        providerContext.generateUid("psyberg-source").ifPresent(read::uid);
        DataStream<RowData> stream =
            key.isEmpty() ? read : ChangelogUpdates.pairByKey(read, sourceRow, key);
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

  /** The table's current rows within its process's change range: a bounded scan. */
  private ScanRuntimeProvider withinChangeRange() {
    if (!metadataKeys.isEmpty()) {
      throw new ValidationException(
          String.format(
              "%s: metadata columns %s describe a session's snapshots and are not available with"
                  + " 'within-change-range' = 'true'. Drop them from the query.",
              options.context(), metadataKeys));
    }
    if (options.read.mode() != PsybergSourceOptions.Mode.BOUNDED) {
      throw new ValidationException(
          String.format(
              "%s: 'within-change-range' = 'true' reads once and is bounded; remove 'mode' ="
                  + " 'continuous'.",
              options.context()));
    }
    ChangeRangeRead read = ChangeRangeRead.plan(options);
    List<String> columns = List.copyOf(projected);
    List<Expression> pushed = List.copyOf(filters);
    return new DataStreamScanProvider() {
      @Override
      public DataStream<RowData> produceDataStream(
          ProviderContext providerContext, StreamExecutionEnvironment env) {
        return read.read(env, columns, pushed);
      }

      @Override
      public boolean isBounded() {
        return true;
      }
    };
  }

  PsybergSource buildSource() {
    for (String t : options.read.tables()) {
      SchemaCheck.checkColumnsExist(
          schema,
          SchemaCheck.load(options.catalog, t, options.sqlName, options.process()),
          options.sqlName,
          t);
    }
    try {
      return PsybergSource.builder()
          .catalog(options.catalog)
          .setAll(options.sourceOptions())
          .project(projected)
          .withMetadataColumns(!metadataKeys.isEmpty())
          .filters(filters)
          .build();
    } catch (IllegalArgumentException e) {
      throw new ValidationException(e.getMessage(), e);
    }
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
    return "psyberg source " + options.raw.get(PsybergSourceOptions.TABLE.key());
  }
}
