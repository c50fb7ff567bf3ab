package io.psyberg.flink.planning;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.catalog.ReadOnlyTables;
import io.psyberg.flink.metadata.SnapshotPoint;
import io.psyberg.flink.session.ChangeRange;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.session.SourceRange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.util.ThreadPools;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plans a session from metadata only: for each source table, the snapshots on main after the high
 * watermark (or the start position) up to the current snapshot, their appended files, counts and
 * the change range from file metrics. No data file is opened.
 */
@Internal
public final class SessionPlanner {
  private static final Logger LOG = LoggerFactory.getLogger(SessionPlanner.class);

  private static final int PARALLEL_THRESHOLD = 8;

  private final Catalog catalog;
  private final SessionSettings settings;
  private final LostHistory history;

  public SessionPlanner(Catalog catalog, SessionSettings settings) {
    this.catalog = catalog;
    this.settings = settings;
    this.history = new LostHistory(settings);
  }

  /**
   * Plans the session that follows {@code positions} (source table to last read snapshot id; a
   * missing key means the table has no high watermark and {@code start-from} applies).
   */
  public SessionPlan plan(String sessionId, @Nullable String jobId, Map<String, Long> positions) {
    long started = System.nanoTime();
    List<SourceRange> ranges = new ArrayList<>();
    List<PlannedSnapshot> snapshots = new ArrayList<>();
    boolean capped = false;
    for (String name : settings.sourceTables()) {
      Table table = loadSource(name);
      TableRange r = planTable(name, table, positions.containsKey(name), positions.get(name));
      ranges.add(r.range);
      snapshots.addAll(r.snapshots);
      capped |= r.capped;
    }
    Session session =
        Session.builder()
            .sessionId(sessionId)
            .processName(settings.processName())
            .mode(settings.mode())
            .processing(settings.processing())
            .jobId(jobId)
            .ranges(ranges)
            .status(SessionStatus.PLANNED)
            .startedAt(Instant.now())
            .build();
    LOG.info(
        "Process {}: planned session {} in {} ms: {}",
        settings.processName(),
        sessionId,
        (System.nanoTime() - started) / 1_000_000,
        ranges);
    return new SessionPlan(session, snapshots, capped);
  }

  private Table loadSource(String name) {
    try {
      return ReadOnlyTables.load(catalog, TableIdentifier.parse(name));
    } catch (NoSuchTableException e) {
      throw new PsybergException(
          String.format(
              "Process %s: source table %s does not exist in the catalog. Create it, or fix the"
                  + " source table name (option 'table' in SQL, --source on the command line).",
              settings.processName(), name),
          e);
    }
  }

  /** One source table's part of a plan. */
  static final class TableRange {
    final SourceRange range;
    final List<PlannedSnapshot> snapshots;
    final boolean capped;

    TableRange(SourceRange range, List<PlannedSnapshot> snapshots, boolean capped) {
      this.range = range;
      this.snapshots = snapshots;
      this.capped = capped;
    }
  }

  private TableRange planTable(String name, Table table, boolean hasHwm, @Nullable Long hwm) {
    Long end = settings.endPositions().get(name);
    Snapshot current = end == null ? table.currentSnapshot() : table.snapshot(end);
    if (end != null && current == null) {
      throw new PsybergException(
          String.format(
              "Process %s: the planned end snapshot %d of %s no longer exists.",
              settings.processName(), end, name));
    }
    Long from = hasHwm ? hwm : startPosition(name, table, current);
    if (current == null || (from != null && from == current.snapshotId())) {
      Long committedAt = current == null ? null : current.timestampMillis();
      return new TableRange(SourceRange.empty(name, from, committedAt), List.of(), false);
    }
    Lineage lineage = Lineage.walk(table, current, from);
    if (settings.nonAppendSnapshots() == NonAppendSnapshots.CHANGELOG) {
      checkColumnIfSet(name, table);
      return ChangelogRange.plan(settings, history, name, table, from, lineage);
    }
    ExpiredStretch stretch = null;
    if (!lineage.reached) {
      Snapshot oldest = lineage.oldestAfterGap();
      SnapshotPoint point =
          from == null || oldest == null
              ? null
              : SnapshotPoint.lookup(table, name, from)
                  .filter(p -> p.sequenceNumber() < oldest.sequenceNumber())
                  .orElse(null);
      if (from == null) {
        stretch = ExpiredStretch.at(table, oldest, SnapshotPoint.START);
      } else if (point != null && AddedFiles.formatVersion(table) >= 2) {
        stretch = ExpiredStretch.at(table, oldest, point);
      } else {
        history.lost(name, table, from, oldest != null);
        from = null;
        lineage = Lineage.walk(table, current, null);
        Snapshot first = lineage.oldestAfterGap();
        stretch = first == null ? null : ExpiredStretch.at(table, first, SnapshotPoint.START);
      }
      if (stretch != null && !stretch.keepsProcessedRows()) {
        history.rewritten(name, from, stretch);
        from = null;
        lineage = Lineage.walk(table, current, null);
        Snapshot first = lineage.oldestAfterGap();
        stretch = first == null ? null : ExpiredStretch.at(table, first, SnapshotPoint.START);
      }
      if (stretch != null) {
        history.checkDeletes(name, stretch);
        LOG.warn(
            "Process {}: snapshots of {} after {} were expired before this process read them;"
                + " reading the {} rows of the {} data files added since, as found in snapshot {}.",
            settings.processName(),
            name,
            stretch.from,
            stretch.newRecords(),
            stretch.newFiles.size(),
            stretch.oldest.snapshotId());
      }
    }
    List<Snapshot> range = new ArrayList<>(lineage.snapshots);
    boolean capped = false;
    int cap = settings.maxSnapshotsPerSession();
    if (cap > 0 && range.size() > cap) {
      LOG.info(
          "Process {}: {} has {} new snapshots; this session takes the oldest {}"
              + " ('max-snapshots-per-session').",
          settings.processName(),
          name,
          range.size(),
          cap);
      range = range.subList(0, cap);
      capped = true;
    }

    List<PlannedSnapshot> planned = new ArrayList<>();
    List<DataFile> allFiles = new ArrayList<>();
    int skipped = 0;
    long records = 0;
    List<Snapshot> appends = new ArrayList<>();
    List<DataFile> stretchFiles = List.of();
    for (Snapshot s : range) {
      String op = s.operation();
      if (stretch != null && s == stretch.oldest) {
        stretchFiles = stretch.newFiles;
        continue; // the files live there already hold its changes
      }
      if (DataOperations.REPLACE.equals(op)) {
        continue; // compaction: no new rows
      }
      if (!DataOperations.APPEND.equals(op)) {
        if (settings.nonAppendSnapshots() == NonAppendSnapshots.FAIL) {
          throw new PsybergException(
              String.format(
                  "Process %s: source table %s has a '%s' snapshot %d in the range to process;"
                      + " incremental processing reads appended rows only. Nothing was read or"
                      + " published. Set 'non-append-snapshots' = 'skip' to skip such snapshots"
                      + " (their changes are then not processed), or 'non-append-snapshots' ="
                      + " 'changelog' to read their changes as rows with a row kind, or repair the"
                      + " source table.",
                  settings.processName(), name, op, s.snapshotId()));
        }
        LOG.warn(
            "Process {}: skipping '{}' snapshot {} of {} ('non-append-snapshots' = 'skip').",
            settings.processName(),
            op,
            s.snapshotId(),
            name);
        skipped++;
        continue;
      }
      appends.add(s);
    }
    List<List<DataFile>> addedFiles = readAddedFiles(table, appends, range.get(range.size() - 1));
    if (stretch != null) {
      // Read first, as the oldest snapshot of the range.
      appends.add(0, stretch.oldest);
      addedFiles = new ArrayList<>(addedFiles);
      addedFiles.add(0, stretchFiles);
    }
    for (int i = 0; i < appends.size(); i++) {
      Snapshot s = appends.get(i);
      List<DataFile> files = addedFiles.get(i);
      for (DataFile f : files) {
        records += f.recordCount();
      }
      allFiles.addAll(files);
      planned.add(new PlannedSnapshot(name, table, s.snapshotId(), s.timestampMillis(), files));
    }
    Snapshot last = range.get(range.size() - 1);
    // The next session may start after it once it is expired (continuous mode plans before the
    // publish that records it).
    SnapshotPoint.of(last).ifPresent(p -> SnapshotPoint.remember(name, p));
    ChangeRange change =
        settings.changeRangeColumn() == null
            ? null
            : ChangeRanges.of(table.schema(), checkColumn(name, table), allFiles);
    SourceRange sourceRange =
        new SourceRange(
            name,
            from,
            last.snapshotId(),
            range.size(),
            skipped,
            allFiles.size(),
            records,
            change,
            last.timestampMillis());
    return new TableRange(sourceRange, planned, capped);
  }

  /**
   * Each snapshot's added files, in order: from {@link AddedFilesCache} when this JVM planned them
   * before, else from the manifests. The range end's manifest list is read once to find the
   * manifests each snapshot wrote; opening a manifest is a fixed cost per snapshot, so larger
   * ranges are read on Iceberg's shared worker pool.
   */
  private static List<List<DataFile>> readAddedFiles(
      Table table, List<Snapshot> snapshots, Snapshot end) {
    if (snapshots.isEmpty()) {
      return List.of();
    }
    AddedFilesCache cache = AddedFilesCache.shared();
    List<List<DataFile>> cached = new ArrayList<>();
    for (Snapshot s : snapshots) {
      List<DataFile> files = cache.get(table, s.snapshotId());
      if (files == null) {
        break;
      }
      cached.add(files);
    }
    if (cached.size() == snapshots.size()) {
      return cached;
    }
    List<List<DataFile>> read = readAddedFilesOfManifests(table, snapshots, end);
    for (int i = 0; i < snapshots.size(); i++) {
      cache.put(table, snapshots.get(i).snapshotId(), read.get(i));
    }
    return read;
  }

  private static List<List<DataFile>> readAddedFilesOfManifests(
      Table table, List<Snapshot> snapshots, Snapshot end) {
    Map<Long, List<ManifestFile>> written = Map.of();
    Map<Long, List<DataFile>> merged = Map.of();
    if (snapshots.size() > 1) {
      List<ManifestFile> endManifests = AddedFiles.dataManifests(table, end);
      written =
          AddedFiles.writtenBy(
              endManifests,
              snapshots.stream().map(Snapshot::snapshotId).collect(Collectors.toSet()));
      merged = AddedFiles.foundInMergedManifests(table, endManifests, snapshots, written);
    }
    Map<Long, List<ManifestFile>> own = written;
    Map<Long, List<DataFile>> found = merged;
    Function<Snapshot, List<DataFile>> added =
        s ->
            found.containsKey(s.snapshotId())
                ? found.get(s.snapshotId())
                : AddedFiles.of(table, s, own.get(s.snapshotId()));
    if (snapshots.size() - found.size() < PARALLEL_THRESHOLD) {
      List<List<DataFile>> out = new ArrayList<>();
      snapshots.forEach(s -> out.add(added.apply(s)));
      return out;
    }
    List<Future<List<DataFile>>> futures = new ArrayList<>();
    ExecutorService pool = ThreadPools.getWorkerPool();
    for (Snapshot s : snapshots) {
      futures.add(pool.submit(() -> added.apply(s)));
    }
    List<List<DataFile>> out = new ArrayList<>();
    try {
      for (Future<List<DataFile>> f : futures) {
        out.add(f.get());
      }
    } catch (InterruptedException e) {
      futures.forEach(f -> f.cancel(true));
      Thread.currentThread().interrupt();
      throw new PsybergException("Planning was interrupted", e);
    } catch (ExecutionException e) {
      futures.forEach(f -> f.cancel(true));
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException
          ? (RuntimeException) cause
          : new PsybergException(cause.getMessage(), cause);
    }
    return out;
  }

  private void checkColumnIfSet(String name, Table table) {
    if (settings.changeRangeColumn() != null) {
      checkColumn(name, table);
    }
  }

  private String checkColumn(String name, Table table) {
    String column = settings.changeRangeColumn();
    if (table.schema().findField(column) == null) {
      throw new PsybergException(
          String.format(
              "Process %s: change-range column '%s' is not a column of source table %s (columns:"
                  + " %s). Fix option 'change-range-column'.",
              settings.processName(),
              column,
              name,
              table.schema().columns().stream().map(c -> c.name()).toList()));
    }
    return column;
  }

  @Nullable
  private Long startPosition(String name, Table table, @Nullable Snapshot current) {
    StartFrom start = settings.startFrom();
    switch (start.kind()) {
      case EARLIEST:
        return null;
      case LATEST:
        return current == null ? null : current.snapshotId();
      case SNAPSHOT:
        {
          for (Snapshot s = current;
              s != null;
              s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
            if (s.snapshotId() == start.value()) {
              return s.parentId();
            }
          }
          throw new PsybergException(
              String.format(
                  "Process %s: 'start-from' = '%s' names no snapshot on the main branch of %s. Pick"
                      + " a snapshot id from %s$snapshots, or use earliest | latest |"
                      + " timestamp:<ISO-8601>.",
                  settings.processName(), start, name, name));
        }
      case TIMESTAMP:
        {
          Long from = current == null ? null : current.snapshotId();
          for (Snapshot s = current;
              s != null;
              s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
            if (s.timestampMillis() >= start.value()) {
              from = s.parentId();
            } else {
              break;
            }
          }
          return from;
        }
      default:
        throw new IllegalStateException(start.toString());
    }
  }
}
