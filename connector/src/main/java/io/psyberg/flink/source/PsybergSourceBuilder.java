package io.psyberg.flink.source;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.catalog.PsybergCatalogOptions;
import io.psyberg.flink.config.OptionReader;
import io.psyberg.flink.planning.NonAppendSnapshots;
import io.psyberg.flink.planning.OnLostHighWatermark;
import io.psyberg.flink.planning.SessionSettings;
import io.psyberg.flink.planning.StartFrom;
import io.psyberg.flink.session.Processing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.expressions.Expression;

/**
 * Builds a {@link PsybergSource}. Options are set by key ({@link #set(String, String)}, {@link
 * #setAll(Map)}, the keys of {@link PsybergSourceOptions} and {@link PsybergCatalogOptions}, as in
 * SQL) or through the typed setters, which set the same options; {@link #build()} resolves them
 * once, checks every setting and does no I/O.
 */
@PublicEvolving
public final class PsybergSourceBuilder {
  private final Configuration options = new Configuration();
  private CatalogSpec catalog;
  private List<String> projectedColumns;
  private boolean withMetadata;
  private RowType rowType;
  private final List<Expression> filters = new ArrayList<>();
  private final Map<String, Long> endPositions = new LinkedHashMap<>();

  PsybergSourceBuilder() {}

  /**
   * Sets an option by its key, e.g. {@code set("on-lost-hwm", "earliest")}; a null value removes
   * it. Values are checked in {@link #build()}.
   */
  public PsybergSourceBuilder set(String key, @Nullable String value) {
    if (value == null) {
      options.removeKey(key);
    } else {
      options.setString(key, value);
    }
    return this;
  }

  /** Sets an option to a typed value. */
  public <T> PsybergSourceBuilder set(ConfigOption<T> option, T value) {
    options.set(option, value);
    return this;
  }

  /** Sets every option of the map by key, as {@link #set(String, String)}. */
  public PsybergSourceBuilder setAll(Map<String, String> keyValues) {
    keyValues.forEach(this::set);
    return this;
  }

  /** Bounded mode: plan no further than these snapshot ids (source table to snapshot id). */
  public PsybergSourceBuilder endAt(Map<String, Long> positions) {
    this.endPositions.putAll(positions);
    return this;
  }

  /**
   * Row filters applied while reading (rows not matching are dropped; session counts are
   * unchanged).
   */
  public PsybergSourceBuilder filters(List<Expression> rowFilters) {
    this.filters.addAll(rowFilters);
    return this;
  }

  /** The catalog of the source tables; without it, the catalog options set by key are used. */
  public PsybergSourceBuilder catalog(CatalogSpec catalog) {
    this.catalog = catalog;
    return this;
  }

  public PsybergSourceBuilder processName(String processName) {
    return set(PsybergSourceOptions.PROCESS_NAME, processName);
  }

  /** Source tables as {@code namespace.table}; several tables must share one schema. */
  public PsybergSourceBuilder tables(String... names) {
    return tables(Arrays.asList(names));
  }

  public PsybergSourceBuilder tables(List<String> names) {
    return append(PsybergSourceOptions.TABLE, names);
  }

  public PsybergSourceBuilder mode(PsybergSourceOptions.Mode mode) {
    return set(PsybergSourceOptions.MODE, mode);
  }

  public PsybergSourceBuilder bounded() {
    return mode(PsybergSourceOptions.Mode.BOUNDED);
  }

  public PsybergSourceBuilder continuous(Duration monitorInterval) {
    return monitorInterval(monitorInterval).mode(PsybergSourceOptions.Mode.CONTINUOUS);
  }

  public PsybergSourceBuilder monitorInterval(Duration interval) {
    return set(PsybergSourceOptions.MONITOR_INTERVAL, interval);
  }

  public PsybergSourceBuilder startFrom(StartFrom startFrom) {
    return set(PsybergSourceOptions.START_FROM, startFrom.toString());
  }

  public PsybergSourceBuilder nonAppendSnapshots(NonAppendSnapshots policy) {
    return set(PsybergSourceOptions.NON_APPEND_SNAPSHOTS, policy);
  }

  public PsybergSourceBuilder onLostHighWatermark(OnLostHighWatermark policy) {
    return set(PsybergSourceOptions.ON_LOST_HWM, policy);
  }

  public PsybergSourceBuilder maxSnapshotsPerSession(int max) {
    return set(PsybergSourceOptions.MAX_SNAPSHOTS_PER_SESSION, max);
  }

  /** Key columns of a changelog read (option 'changelog-key'); default: identifier fields. */
  public PsybergSourceBuilder changelogKey(List<String> columns) {
    return set(PsybergSourceOptions.CHANGELOG_KEY, String.join(",", columns));
  }

  public PsybergSourceBuilder changeRangeColumn(String column) {
    return set(PsybergSourceOptions.CHANGE_RANGE_COLUMN, column);
  }

  /** Recorded on each session; {@code stateless} by default. */
  public PsybergSourceBuilder processing(Processing processing) {
    return set(PsybergSourceOptions.PROCESSING, processing);
  }

  /** A target table whose published high watermark this process resumes from. */
  public PsybergSourceBuilder targetTable(String table) {
    return append(PsybergSourceOptions.TARGET_TABLE, List.of(table));
  }

  public PsybergSourceBuilder splitSize(long bytes) {
    return set(PsybergSourceOptions.SPLIT_SIZE, bytes);
  }

  /** Read only these columns, in this order. */
  public PsybergSourceBuilder project(List<String> columns) {
    this.projectedColumns = columns == null ? null : new ArrayList<>(columns);
    return this;
  }

  /**
   * Append {@code source_table, snapshot_id, session_id, snapshot_committed_at} to every record.
   */
  public PsybergSourceBuilder withMetadataColumns(boolean enabled) {
    this.withMetadata = enabled;
    return this;
  }

  /**
   * The row type of the (projected) table columns, when the caller knows it (e.g. from SQL DDL).
   */
  public PsybergSourceBuilder rowType(@Nullable RowType type) {
    this.rowType = type;
    return this;
  }

  /** Adds names to a comma-separated list option. */
  private PsybergSourceBuilder append(ConfigOption<String> option, List<String> names) {
    List<String> all = new ArrayList<>();
    options.getOptional(option).ifPresent(all::add);
    names.forEach(n -> all.add(String.valueOf(n)));
    return set(option, String.join(",", all));
  }

  /** Every option a source takes by key. */
  static Set<ConfigOption<?>> knownOptions() {
    Set<ConfigOption<?>> out = new LinkedHashSet<>();
    out.addAll(OptionReader.declaredIn(PsybergSourceOptions.class));
    out.addAll(OptionReader.declaredIn(PsybergCatalogOptions.class));
    return out;
  }

  public PsybergSource build() {
    String processName = options.get(PsybergSourceOptions.PROCESS_NAME);
    if (processName == null || processName.isBlank()) {
      throw new IllegalArgumentException(
          "PsybergSource: option 'process-name' is required (e.g. 'signup_fact_load').");
    }
    String ctx = "Process " + processName;
    OptionReader.checkKeys(
        ctx,
        options.keySet(),
        knownOptions(),
        List.of(PsybergCatalogOptions.CATALOG_PROPERTY_PREFIX),
        "catalog.<property>");
    CatalogSpec spec =
        catalog != null
            ? catalog
            : CatalogSpec.fromOptionsIfGiven(options.toMap(), ctx)
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            ctx
                                + ": no catalog given; call catalog(CatalogSpec.embedded(dir)) or"
                                + " set catalog options."));
    PsybergReadConf conf = PsybergReadConf.resolve(options, ctx);
    if (conf.tables().isEmpty()) {
      throw new IllegalArgumentException(
          ctx + ": option 'table' is required: the source table(s) as namespace.table.");
    }
    List<String> normalized = new ArrayList<>();
    for (String name : conf.tables()) {
      if (!name.contains(".")) {
        throw new IllegalArgumentException(
            ctx
                + ": invalid source table '"
                + name
                + "' in option 'table'; use namespace.table, e.g. membership.signups.");
      }
      String id = TableIdentifier.parse(name).toString();
      if (normalized.contains(id)) {
        throw new IllegalArgumentException(
            ctx + ": source table " + id + " is named twice in option 'table'.");
      }
      normalized.add(id);
    }
    SessionSettings settings =
        conf.sessionSettings(processName, normalized).endPositions(endPositions).build();
    return new PsybergSource(
        spec,
        settings,
        conf.monitorInterval(),
        conf.splitSize(),
        projectedColumns,
        withMetadata,
        filters,
        rowType,
        conf.changelogKey());
  }
}
