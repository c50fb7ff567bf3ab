package io.psyberg.flink.planning;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.catalog.ReadOnlyTableLoader;
import io.psyberg.flink.catalog.ReadOnlyTables;
import io.psyberg.flink.metadata.PublishedHighWatermark;
import io.psyberg.flink.metadata.SnapshotPoint;
import io.psyberg.flink.session.Processing;
import io.psyberg.flink.source.planned.PlannedFilesSource;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.source.IcebergSource;
import org.apache.iceberg.io.CloseableIterable;

/**
 * The rows of a process's source tables that it has already processed: each table as of the
 * process's high watermark there. Keyed stateful logic replays them to rebuild what it published (a
 * bounded run's lookback, a continuous job's fresh start).
 *
 * <p>Where snapshot expiry removed the high-watermark snapshot, they are the files live at the
 * oldest snapshot still there after it, less the files new since the high watermark, told apart as
 * a session's planning tells them (sequence numbers recorded with the high watermark). Where the
 * history cannot tell them apart (a compaction mixed processed and new rows in snapshots that were
 * then expired), {@link #asOf} fails saying so: nothing is read or published.
 */
@PublicEvolving
public final class ProcessedHistory implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Per source table: the snapshot to read and the files there that are not processed yet. */
  private final Map<String, Position> positions;

  private static final class Position implements Serializable {
    private static final long serialVersionUID = 1L;

    final long snapshotId;
    final Set<String> newFiles;

    Position(long snapshotId, Set<String> newFiles) {
      this.snapshotId = snapshotId;
      this.newFiles = newFiles;
    }
  }

  private ProcessedHistory(Map<String, Position> positions) {
    this.positions = positions;
  }

  /**
   * Where to read the processed rows of each source table (metadata only).
   *
   * @param positions per source table, the snapshot through which its rows are processed (a
   *     published high watermark); tables with a null position have no processed rows
   * @param targets the process's target tables, whose published high watermarks record where an
   *     expired snapshot stood in its table's history
   */
  public static ProcessedHistory asOf(
      CatalogSpec catalog, String process, Map<String, Long> positions, List<String> targets) {
    Catalog c = catalog.open();
    try {
      for (String target : targets) {
        TableIdentifier id = TableIdentifier.parse(target);
        if (c.tableExists(id)) {
          PublishedHighWatermark.find(ReadOnlyTables.load(c, id), process)
              .ifPresent(p -> p.points().forEach(SnapshotPoint::remember));
        }
      }
      return asOf(c, process, positions, Map.of());
    } finally {
      CatalogSpec.closeQuietly(c);
    }
  }

  /**
   * As {@link #asOf(CatalogSpec, String, Map, List)}, with the points already known; {@code ends}:
   * per table, the snapshot to walk back from (default: the current one).
   */
  static ProcessedHistory asOf(
      Catalog catalog, String process, Map<String, Long> positions, Map<String, Long> ends) {
    LostHistory lost =
        new LostHistory(
            SessionSettings.builder(process)
                .sourceTables(List.copyOf(positions.keySet()))
                .processing(Processing.STATEFUL)
                .build());
    Map<String, Position> out = new LinkedHashMap<>();
    for (Map.Entry<String, Long> p : positions.entrySet()) {
      String name = p.getKey();
      Long at = p.getValue();
      if (at == null) {
        continue;
      }
      Table table = ReadOnlyTables.load(catalog, TableIdentifier.parse(name));
      if (table.snapshot(at) != null) {
        out.put(name, new Position(at, Set.of()));
        continue;
      }
      Long end = ends.get(name);
      Snapshot head = end == null ? table.currentSnapshot() : table.snapshot(end);
      Optional<SourceHistory.Stretch> stretch =
          head == null
              ? Optional.empty()
              : SourceHistory.expiredStretch(
                  table, name, at, head.snapshotId(), () -> lost.lostError(name, table, at, true));
      if (stretch.isEmpty()) {
        throw lost.lostError(name, table, at, false);
      }
      ExpiredStretch expired = stretch.get().expired;
      if (expired != null && !expired.keepsProcessedRows()) {
        throw lost.rewrittenError(name, expired);
      }
      out.put(
          name,
          new Position(stretch.get().oldestSnapshotId, new HashSet<>(stretch.get().newFilePaths)));
    }
    return new ProcessedHistory(out);
  }

  /** Whether no source table has processed rows (no high watermark anywhere). */
  public boolean isEmpty() {
    return positions.isEmpty();
  }

  /**
   * The processed rows of every source table that match {@code filter}, as rows of {@code columns}
   * in that order: one stream per table with processed rows.
   */
  public List<DataStream<RowData>> read(
      StreamExecutionEnvironment env,
      CatalogSpec catalog,
      List<String> columns,
      @Nullable Expression filter) {
    List<DataStream<RowData>> streams = new ArrayList<>();
    for (Map.Entry<String, Position> p : positions.entrySet()) {
      String name = p.getKey();
      Position at = p.getValue();
      Table table = table(catalog, name);
      Schema read = table.schema().select(columns);
      IcebergSource.Builder<RowData> source =
          IcebergSource.forRowData()
              .tableLoader(ReadOnlyTableLoader.of(catalog, TableIdentifier.parse(name)))
              .streaming(false)
              .set("snapshot-id", Long.toString(at.snapshotId))
              .project(read);
      ScanFilter split = filter == null ? null : ScanFilter.of(filter, table.spec(), read);
      if (split != null) {
        source = source.filters(List.of(split.pushed()));
      }
      if (!at.newFiles.isEmpty()) {
        source = source.assignerFactory(new WithoutFiles(at.newFiles));
      }
      RowType readType = FlinkSchemaUtil.convert(read);
      ColumnsInOrder inOrder = new ColumnsInOrder(readType, columns);
      DataStream<RowData> rows =
          env.fromSource(
              source.build(),
              WatermarkStrategy.noWatermarks(),
              "processed " + name + "@" + at.snapshotId,
              InternalTypeInfo.of(readType));
      streams.add(
          (split == null ? rows : split.applyTo(rows))
              .map(inOrder)
              .returns(InternalTypeInfo.of(inOrder.type()))
              .name("processed " + name));
    }
    return streams;
  }

  /**
   * As {@link #read} without a filter, but with the files planned now, when the job is built: a
   * restart of the job (e.g. a failover before its first checkpoint) reads the same files even when
   * the snapshot they were planned at has been expired since.
   */
  public List<DataStream<RowData>> readPlanned(
      StreamExecutionEnvironment env, CatalogSpec catalog, List<String> columns) {
    List<DataStream<RowData>> streams = new ArrayList<>();
    Catalog c = catalog.open();
    try {
      for (Map.Entry<String, Position> p : positions.entrySet()) {
        String name = p.getKey();
        Position at = p.getValue();
        Table table = ReadOnlyTables.load(c, TableIdentifier.parse(name));
        List<FileScanTask> tasks = new ArrayList<>();
        try (CloseableIterable<FileScanTask> planned =
            table.newScan().useSnapshot(at.snapshotId).planFiles()) {
          for (FileScanTask task : planned) {
            if (!at.newFiles.contains(task.file().path().toString())) {
              tasks.add(task);
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        PlannedFilesSource source =
            PlannedFilesSource.of(catalog, name, at.snapshotId, table.schema(), columns, tasks);
        streams.add(
            env.fromSource(
                    source,
                    WatermarkStrategy.noWatermarks(),
                    "processed " + name + "@" + at.snapshotId + " (" + tasks.size() + " files)")
                .name("processed " + name));
      }
    } finally {
      CatalogSpec.closeQuietly(c);
    }
    return streams;
  }

  private static Table table(CatalogSpec catalog, String table) {
    Catalog c = catalog.open();
    try {
      return ReadOnlyTables.load(c, TableIdentifier.parse(table));
    } finally {
      CatalogSpec.closeQuietly(c);
    }
  }
}
