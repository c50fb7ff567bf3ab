package io.psyberg.flink.planning;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.catalog.ReadOnlyTables;
import io.psyberg.flink.metadata.HighWatermarkMirror;
import io.psyberg.flink.metadata.PublishedHighWatermark;
import io.psyberg.flink.session.ChangeRange;
import io.psyberg.flink.session.Processing;
import io.psyberg.flink.session.SourceRange;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * What a bounded run of a keyed stateful process needs before it starts, from metadata only: the
 * session it will read (end positions for {@code PsybergSourceBuilder.endAt}), the lookback (the
 * earliest event time among the new events, and per source table the snapshot every target has
 * published, whose events since then are the "already processed" history a correction replays),
 * and, per target, which of the new snapshots that target already published.
 *
 * <p>The last part makes every target converge whatever moment a failure lands in: a run starts
 * from the target furthest behind, so after a run stopped between two targets' publishes some new
 * events are already in the target ahead. Compute each target's corrections against what that
 * target holds: its old output from the processed history plus the new events {@link #publishedTo}
 * says it already published, its new output from everything.
 *
 * <pre>{@code
 * StatefulRunPlan plan = StatefulRunPlan.plan(catalog, "my_process", sources, "event_ts", targets);
 * DataStream<RowData> fresh = env.fromSource(PsybergSource.builder()...endAt(plan.end())
 *     .withMetadataColumns(true).build(), WatermarkStrategy.noWatermarks(), "new");
 * // per row: plan.publishedTo(sourceTable, snapshotId) -> mask of targets holding it already
 * DataStream<RowData> processed = plan.readProcessed(env, catalog, List.of("id", "key", "ts"));
 * }</pre>
 */
@PublicEvolving
public final class StatefulRunPlan implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String process;
  private final String eventTimeColumn;
  private final List<String> targets;
  private final Map<String, Long> end;
  private final Map<String, Long> processedThrough;
  @Nullable private final String lookbackFrom;
  private final Map<String, Map<Long, Integer>> publishedTo;
  private final Map<String, List<String>> newFiles;
  private final ProcessedHistory processed;
  private final boolean capped;

  private StatefulRunPlan(
      String process,
      String eventTimeColumn,
      List<String> targets,
      Map<String, Long> end,
      Map<String, Long> processedThrough,
      @Nullable String lookbackFrom,
      Map<String, Map<Long, Integer>> publishedTo,
      Map<String, List<String>> newFiles,
      ProcessedHistory processed,
      boolean capped) {
    this.process = process;
    this.eventTimeColumn = eventTimeColumn;
    this.targets = targets;
    this.end = end;
    this.processedThrough = processedThrough;
    this.lookbackFrom = lookbackFrom;
    this.publishedTo = publishedTo;
    this.newFiles = newFiles;
    this.processed = processed;
    this.capped = capped;
  }

  /**
   * Plans the next bounded run of {@code process} (metadata only: the published high watermarks,
   * the session log, the source tables' snapshot summaries and manifests).
   *
   * @param eventTimeColumn the event-time column of the sources, whose file metrics bound the new
   *     events' earliest time
   * @param targets the process's target tables (at most 31); their order gives the bits of {@link
   *     #publishedTo}
   */
  public static StatefulRunPlan plan(
      CatalogSpec catalog,
      String process,
      List<String> sources,
      String eventTimeColumn,
      List<String> targets) {
    return plan(catalog, process, sources, eventTimeColumn, targets, 0, Map.of());
  }

  /**
   * As {@link #plan(CatalogSpec, String, List, String, List)}, for a catch-up in steps: the session
   * takes at most {@code maxSnapshotsPerSession} new snapshots per source table and ends no later
   * than {@code endAt}; {@link #capped()} says whether more are left for the next session. The new
   * events are those of the capped range only, so the published high watermark moves to its end and
   * the next plan corrects from there.
   *
   * <p>A target that a stopped run left ahead of the others is never moved back: when it stands
   * beyond the capped end, the session reaches as far as it does.
   *
   * @param maxSnapshotsPerSession at most this many new snapshots per source table; 0: no cap
   * @param endAt per source table, the snapshot to plan no further than (e.g. the head when the
   *     catch-up started); a table not named here is planned to its current snapshot
   */
  public static StatefulRunPlan plan(
      CatalogSpec catalog,
      String process,
      List<String> sources,
      String eventTimeColumn,
      List<String> targets,
      int maxSnapshotsPerSession,
      Map<String, Long> endAt) {
    if (targets.isEmpty() || targets.size() > 31) {
      throw new IllegalArgumentException(
          "Process " + process + ": a stateful run needs 1 to 31 target tables, got " + targets);
    }
    if (maxSnapshotsPerSession < 0) {
      throw new IllegalArgumentException(
          "Process "
              + process
              + ": 'max-snapshots-per-session' must be 0 (no cap) or more, got "
              + maxSnapshotsPerSession);
    }
    Catalog c = catalog.open();
    try {
      SessionSettings.Builder settings =
          SessionSettings.builder(process)
              .sourceTables(sources)
              .processing(Processing.STATEFUL)
              .changeRangeColumn(eventTimeColumn)
              .targetTables(targets);
      Map<String, Long> positions =
          HighWatermarkResolver.resolve(
              c, new HighWatermarkMirror(c, catalog.metadataNamespace()), settings.build());
      List<Map<String, Long>> published = publishedPositions(c, process, targets);
      int cap =
          maxSnapshotsPerSession == 0
              ? 0
              : Math.max(maxSnapshotsPerSession, TargetsAhead.snapshots(c, positions, published));
      settings.maxSnapshotsPerSession(cap).endPositions(endAt);
      SessionPlan session =
          new SessionPlanner(c, settings.build()).plan("lookback-plan", null, positions);
      Map<String, Long> end = new LinkedHashMap<>();
      Map<String, Long> processedThrough = new LinkedHashMap<>();
      String lookbackFrom = null;
      for (SourceRange r : session.session().ranges()) {
        if (r.toSnapshotId() != null) {
          end.put(r.table(), r.toSnapshotId());
        }
        if (r.fromSnapshotId() != null) {
          processedThrough.put(r.table(), r.fromSnapshotId());
        }
        ChangeRange change = r.changeRange();
        if (change != null
            && change.min() != null
            && (lookbackFrom == null || change.min().compareTo(lookbackFrom) < 0)) {
          lookbackFrom = change.min();
        }
      }
      Map<String, List<String>> newFiles = new LinkedHashMap<>();
      for (PlannedSnapshot s : session.snapshots()) {
        List<String> paths = newFiles.computeIfAbsent(s.table(), t -> new ArrayList<>());
        s.files().forEach(f -> paths.add(f.path().toString()));
      }
      // After snapshot expiry this reads the source's live manifests once (as planning did).
      ProcessedHistory processed =
          ProcessedHistory.asOf(
              c, process, lookbackFrom == null ? Map.of() : processedThrough, end);
      return new StatefulRunPlan(
          process,
          eventTimeColumn,
          List.copyOf(targets),
          end,
          processedThrough,
          lookbackFrom,
          publishedTo(c, process, targets, published, session),
          newFiles,
          processed,
          session.capped());
    } finally {
      CatalogSpec.closeQuietly(c);
    }
  }

  /** Each target's published source positions, in the order of {@code targets}. */
  private static List<Map<String, Long>> publishedPositions(
      Catalog c, String process, List<String> targets) {
    List<Map<String, Long>> out = new ArrayList<>();
    for (String target : targets) {
      Map<String, Long> positions;
      try {
        positions =
            PublishedHighWatermark.find(
                    ReadOnlyTables.load(c, TableIdentifier.parse(target)), process)
                .map(PublishedHighWatermark::positions)
                .orElse(Map.of());
      } catch (NoSuchTableException notYet) {
        positions = Map.of();
      }
      out.add(positions);
    }
    return out;
  }

  /** Per source table, the new snapshots each target's own high watermark covers, as bit masks. */
  private static Map<String, Map<Long, Integer>> publishedTo(
      Catalog c,
      String process,
      List<String> targets,
      List<Map<String, Long>> published,
      SessionPlan session) {
    Map<String, Map<Long, Integer>> masks = new HashMap<>();
    for (int bit = 0; bit < targets.size(); bit++) {
      Map<String, Long> hwm = published.get(bit);
      for (SourceRange r : session.session().ranges()) {
        Long at = hwm.get(r.table());
        if (at == null || at.equals(r.fromSnapshotId())) {
          continue;
        }
        Table source = ReadOnlyTables.load(c, TableIdentifier.parse(r.table()));
        List<Long> covered = new ArrayList<>();
        try {
          SnapshotUtil.ancestorIdsBetween(at, r.fromSnapshotId(), source::snapshot)
              .forEach(covered::add);
        } catch (IllegalArgumentException expired) {
          throw new PsybergException(
              String.format(
                  "Process %s: target %s stands at snapshot %s of %s, ahead of the process's other"
                      + " targets (a run stopped between their publishes), and snapshots between"
                      + " their high watermarks have been expired since, so the new events cannot"
                      + " be told apart into those %s already holds and the rest. Nothing was read"
                      + " or published. Roll %s back to the snapshot before its last publish (e.g."
                      + " CALL system.rollback_to_snapshot), so that all targets stand at one high"
                      + " watermark, and run again.",
                  process, targets.get(bit), at, r.table(), targets.get(bit), targets.get(bit)),
              expired);
        }
        for (long snapshot : covered) {
          masks
              .computeIfAbsent(r.table(), t -> new HashMap<>())
              .merge(snapshot, 1 << bit, (a, b) -> a | b);
        }
      }
    }
    return masks;
  }

  public String process() {
    return process;
  }

  /** The targets, in the order of the bits of {@link #publishedTo}. */
  public List<String> targets() {
    return targets;
  }

  /** End positions of the session to read: give them to {@code PsybergSourceBuilder.endAt}. */
  public Map<String, Long> end() {
    return Collections.unmodifiableMap(end);
  }

  /**
   * Whether 'max-snapshots-per-session' left newer snapshots (up to the plan's end positions) for a
   * later session: a catch-up plans and runs again after this session is published.
   */
  public boolean capped() {
    return capped;
  }

  /** Whether the session brings new events (otherwise the run has nothing to correct). */
  public boolean hasNewEvents() {
    return lookbackFrom != null;
  }

  /**
   * The earliest event time among the new events (ISO text, from file metrics), or null when there
   * are none: the history to replay starts here.
   */
  @Nullable
  public String lookbackFrom() {
    return lookbackFrom;
  }

  /**
   * Per source table, the snapshot through which every target has published; absent for a table no
   * target has published yet (then every event is new).
   */
  public Map<String, Long> processedThrough() {
    return Collections.unmodifiableMap(processedThrough);
  }

  /**
   * The bit mask of the targets whose published high watermark already covers a new event of {@code
   * sourceTable}'s snapshot {@code snapshotId} (the metadata columns {@code source_table} and
   * {@code snapshot_id} of a psyberg source); bit {@code i} is {@code targets().get(i)}.
   */
  public int publishedTo(String sourceTable, long snapshotId) {
    return publishedTo.getOrDefault(sourceTable, Map.of()).getOrDefault(snapshotId, 0);
  }

  /** Whether {@code mask} (from {@link #publishedTo}) holds the target at {@code targetIndex}. */
  public static boolean isPublishedTo(int mask, int targetIndex) {
    return (mask & (1 << targetIndex)) != 0;
  }

  /**
   * The distinct values of {@code keyColumn} among the new events (read from the session's data
   * files, that column only), or empty when there are more than {@code limit} of them or a file is
   * not Parquet: a run can then read the history of these keys only ({@link #keyFilter}), so its
   * cost follows the keys the new events touch rather than all keys.
   */
  public Optional<Set<Object>> keysOfNewEvents(CatalogSpec catalog, String keyColumn, int limit) {
    Set<Object> keys = new HashSet<>();
    Catalog c = catalog.open();
    try {
      for (Map.Entry<String, List<String>> e : newFiles.entrySet()) {
        Table table = ReadOnlyTables.load(c, TableIdentifier.parse(e.getKey()));
        Schema key = table.schema().select(keyColumn);
        for (String path : e.getValue()) {
          if (FileFormat.fromFileName(path) != FileFormat.PARQUET) {
            return Optional.empty();
          }
          try (CloseableIterable<Record> rows =
              Parquet.read(table.io().newInputFile(path))
                  .project(key)
                  .createReaderFunc(type -> GenericParquetReaders.buildReader(key, type))
                  .build()) {
            for (Record row : rows) {
              keys.add(row.get(0));
              if (keys.size() > limit) {
                return Optional.empty();
              }
            }
          }
        }
      }
      return Optional.of(keys);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Process " + process + ": could not read the keys of the new events", e);
    } finally {
      CatalogSpec.closeQuietly(c);
    }
  }

  /** {@code keyColumn IN keys}, or always true without keys. */
  public static Expression keyFilter(String keyColumn, Optional<Set<Object>> keys) {
    return keys.isPresent()
        ? Expressions.in(keyColumn, keys.get().toArray())
        : Expressions.alwaysTrue();
  }

  /**
   * The already-processed events since {@link #lookbackFrom} of every source table that also match
   * {@code filter} (e.g. {@link #keyFilter}), as rows of {@code columns} in that order; none when
   * nothing is new or nothing was processed. They are read as of the snapshot every target has
   * published, or, once snapshot expiry removed it, from the files live after it less the new ones
   * ({@link ProcessedHistory}).
   */
  public List<DataStream<RowData>> readProcessed(
      StreamExecutionEnvironment env,
      CatalogSpec catalog,
      List<String> columns,
      Expression filter) {
    if (lookbackFrom == null) {
      return new ArrayList<>();
    }
    return processed.read(
        env,
        catalog,
        columns,
        Expressions.and(Expressions.greaterThanOrEqual(eventTimeColumn, lookbackFrom), filter));
  }
}
