package io.psyberg.flink.source;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.planning.NonAppendSnapshots;
import io.psyberg.flink.planning.OnLostHighWatermark;
import io.psyberg.flink.planning.SessionSettings;
import io.psyberg.flink.planning.StartFrom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.expressions.Expression;

/** Builds a {@link PsybergSource}; {@link #build()} checks every setting and does no I/O. */
@PublicEvolving
public final class PsybergSourceBuilder {
  private CatalogSpec catalog;
  private String processName;
  private final List<String> tables = new ArrayList<>();
  private PsybergSourceOptions.Mode mode = PsybergSourceOptions.MODE.defaultValue();
  private Duration monitorInterval = PsybergSourceOptions.MONITOR_INTERVAL.defaultValue();
  private StartFrom startFrom = StartFrom.EARLIEST;
  private NonAppendSnapshots nonAppendSnapshots = NonAppendSnapshots.FAIL;
  private OnLostHighWatermark onLostHighWatermark = OnLostHighWatermark.FAIL;
  private int maxSnapshotsPerSession = 0;
  private String changeRangeColumn;
  private String processing = PsybergSourceOptions.PROCESSING.defaultValue();
  private final List<String> targetTables = new ArrayList<>();
  private long splitSizeBytes = PsybergSourceOptions.SPLIT_SIZE.defaultValue();
  private List<String> projectedColumns;
  private boolean withMetadata;
  private RowType rowType;
  private final List<Expression> filters = new ArrayList<>();
  private final Map<String, Long> endPositions = new LinkedHashMap<>();

  PsybergSourceBuilder() {}

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

  public PsybergSourceBuilder catalog(CatalogSpec catalog) {
    this.catalog = catalog;
    return this;
  }

  public PsybergSourceBuilder processName(String processName) {
    this.processName = processName;
    return this;
  }

  /** Source tables as {@code namespace.table}; several tables must share one schema. */
  public PsybergSourceBuilder tables(String... names) {
    this.tables.addAll(Arrays.asList(names));
    return this;
  }

  public PsybergSourceBuilder tables(List<String> names) {
    this.tables.addAll(names);
    return this;
  }

  public PsybergSourceBuilder mode(PsybergSourceOptions.Mode mode) {
    this.mode = mode;
    return this;
  }

  public PsybergSourceBuilder bounded() {
    return mode(PsybergSourceOptions.Mode.BOUNDED);
  }

  public PsybergSourceBuilder continuous(Duration monitorInterval) {
    this.monitorInterval = monitorInterval;
    return mode(PsybergSourceOptions.Mode.CONTINUOUS);
  }

  public PsybergSourceBuilder monitorInterval(Duration interval) {
    this.monitorInterval = interval;
    return this;
  }

  public PsybergSourceBuilder startFrom(StartFrom startFrom) {
    this.startFrom = startFrom;
    return this;
  }

  public PsybergSourceBuilder nonAppendSnapshots(NonAppendSnapshots policy) {
    this.nonAppendSnapshots = policy;
    return this;
  }

  public PsybergSourceBuilder onLostHighWatermark(OnLostHighWatermark policy) {
    this.onLostHighWatermark = policy;
    return this;
  }

  public PsybergSourceBuilder maxSnapshotsPerSession(int max) {
    this.maxSnapshotsPerSession = max;
    return this;
  }

  public PsybergSourceBuilder changeRangeColumn(String column) {
    this.changeRangeColumn = column;
    return this;
  }

  /** {@code stateless} (default) or {@code stateful}; recorded on each session. */
  public PsybergSourceBuilder processing(String processing) {
    this.processing = processing;
    return this;
  }

  /** A target table whose published high watermark this process resumes from. */
  public PsybergSourceBuilder targetTable(String table) {
    this.targetTables.add(table);
    return this;
  }

  public PsybergSourceBuilder splitSize(long bytes) {
    this.splitSizeBytes = bytes;
    return this;
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

  public PsybergSource build() {
    if (processName == null || processName.isBlank()) {
      throw new IllegalArgumentException(
          "PsybergSource: option 'process-name' is required (e.g. 'signup_fact_load').");
    }
    String ctx = "Process " + processName;
    if (catalog == null) {
      throw new IllegalArgumentException(
          ctx
              + ": no catalog given; call catalog(CatalogSpec.embedded(dir)) or set catalog"
              + " options.");
    }
    if (tables.isEmpty()) {
      throw new IllegalArgumentException(
          ctx + ": option 'table' is required: the source table(s) as namespace.table.");
    }
    List<String> normalized = new ArrayList<>();
    for (String t : tables) {
      String name = t == null ? "" : t.trim();
      if (name.isEmpty() || !name.contains(".")) {
        throw new IllegalArgumentException(
            ctx
                + ": invalid source table '"
                + t
                + "' in option 'table'; use namespace.table, e.g. membership.signups.");
      }
      String id = TableIdentifier.parse(name).toString();
      if (normalized.contains(id)) {
        throw new IllegalArgumentException(
            ctx + ": source table " + id + " is named twice in option 'table'.");
      }
      normalized.add(id);
    }
    if (monitorInterval == null || monitorInterval.isNegative() || monitorInterval.isZero()) {
      throw new IllegalArgumentException(
          ctx + ": option 'monitor-interval' must be positive, got " + monitorInterval);
    }
    if (maxSnapshotsPerSession < 0) {
      throw new IllegalArgumentException(
          ctx
              + ": option 'max-snapshots-per-session' must be 0 (no cap) or positive, got "
              + maxSnapshotsPerSession);
    }
    if (splitSizeBytes <= 0) {
      throw new IllegalArgumentException(
          ctx + ": option 'split-size' must be positive, got " + splitSizeBytes);
    }
    String proc = processing == null ? "" : processing.toLowerCase(Locale.ROOT);
    if (!proc.equals("stateless") && !proc.equals("stateful")) {
      throw new IllegalArgumentException(
          ctx
              + ": invalid value '"
              + processing
              + "' for option 'processing'. Valid values: stateless, stateful.");
    }
    SessionSettings settings =
        new SessionSettings(
            processName,
            normalized,
            mode == PsybergSourceOptions.Mode.CONTINUOUS,
            proc,
            startFrom,
            nonAppendSnapshots,
            onLostHighWatermark,
            maxSnapshotsPerSession,
            changeRangeColumn,
            targetTables,
            endPositions);
    return new PsybergSource(
        catalog,
        settings,
        monitorInterval,
        splitSizeBytes,
        projectedColumns,
        withMetadata,
        filters,
        rowType);
  }
}
