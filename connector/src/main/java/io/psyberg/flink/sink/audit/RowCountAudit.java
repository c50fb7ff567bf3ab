package io.psyberg.flink.sink.audit;

import io.psyberg.flink.catalog.ReadOnlyTables;
import io.psyberg.flink.metadata.PublishedHighWatermark;
import io.psyberg.flink.metadata.SnapshotPoint;
import io.psyberg.flink.planning.SourceHistory;
import io.psyberg.flink.session.SourceRange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.MetadataColumns;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Reconciles the staged row count with the session's source rows, for 1:1 transforms. The source
 * count comes from metadata; with a source filter (e.g. {@code event_type = 'SIGNUP'}) only the
 * filter column of the session's new source files is read ({@link FilteredRowCount} for a string
 * column).
 */
@Internal
public final class RowCountAudit implements Audit {
  private static final long serialVersionUID = 1L;
  private static final String FILE = MetadataColumns.FILE_PATH.name();

  @Nullable private final SourceFilter sourceFilter;

  public RowCountAudit(@Nullable SourceFilter sourceFilter) {
    this.sourceFilter = sourceFilter;
  }

  @Override
  public String name() {
    return "row-count";
  }

  @Override
  public AuditResult run(AuditContext ctx) throws Exception {
    long expected = 0;
    for (SourceRange range : ctx.session().ranges()) {
      expected += sourceFilter == null ? range.recordCount() : filteredCount(ctx, range);
    }
    long observed = ctx.addedRecords();
    String what = sourceFilter == null ? "source rows" : "source rows where " + sourceFilter;
    return AuditResult.of(
        name(), observed == expected, observed + " rows staged", expected + " (" + what + ")");
  }

  private long filteredCount(AuditContext ctx, SourceRange range) throws Exception {
    if (!range.advances() || range.recordCount() == 0) {
      return 0;
    }
    Table source = ReadOnlyTables.load(ctx.catalog(), TableIdentifier.parse(range.table()));
    boolean strings = FilteredRowCount.applies(source, sourceFilter);
    if (range.fromSnapshotId() == null) {
      // A range from the table's first snapshot is everything up to 'to'.
      return strings
          ? FilteredRowCount.count(source, sourceFilter, live(source, range.toSnapshotId(), null))
          : count(read(source).useSnapshot(range.toSnapshotId()), null);
    }
    // The published HWM records where 'from' stands, should expiry have removed it.
    PublishedHighWatermark.find(ctx.table(), ctx.session().processName())
        .ifPresent(p -> p.points().forEach(SnapshotPoint::remember));
    Optional<SourceHistory.Stretch> stretch =
        SourceHistory.expiredStretch(
            source, range.table(), range.fromSnapshotId(), range.toSnapshotId());
    if (stretch.isEmpty()) {
      return strings
          ? FilteredRowCount.count(
              source, sourceFilter, appended(source, range.fromSnapshotId(), range.toSnapshotId()))
          : count(read(source).appendsBetween(range.fromSnapshotId(), range.toSnapshotId()), null);
    }
    // As the planner read it: the files new since 'from' live at the oldest snapshot left (this
    // reads the filter column of every file live there), then the appends after it.
    long oldest = stretch.get().oldestSnapshotId;
    long count =
        strings
            ? FilteredRowCount.count(
                source, sourceFilter, live(source, oldest, stretch.get().newFilePaths))
            : count(
                IcebergGenerics.read(source)
                    .where(sourceFilter.expression())
                    // select() drops metadata columns; a projection keeps the file path.
                    .project(
                        new Schema(
                            source.schema().findField(sourceFilter.column()),
                            MetadataColumns.FILE_PATH))
                    .useSnapshot(oldest),
                stretch.get().newFilePaths);
    if (oldest != range.toSnapshotId()) {
      count +=
          strings
              ? FilteredRowCount.count(
                  source, sourceFilter, appended(source, oldest, range.toSnapshotId()))
              : count(read(source).appendsBetween(oldest, range.toSnapshotId()), null);
    }
    return count;
  }

  /**
   * The files live at {@code snapshotId} that the filter can match; with {@code files}, of those.
   */
  private List<FileScanTask> live(Table source, long snapshotId, @Nullable Set<String> files)
      throws IOException {
    List<FileScanTask> tasks =
        tasks(
            source
                .newScan()
                .useSnapshot(snapshotId)
                .filter(sourceFilter.expression())
                .select(sourceFilter.column())
                .planFiles());
    if (files != null) {
      tasks.removeIf(t -> !files.contains(t.file().path().toString()));
    }
    return tasks;
  }

  /** The files appended after {@code from} up to {@code to} that the filter can match. */
  private List<FileScanTask> appended(Table source, long from, long to) throws IOException {
    return tasks(
        source
            .newIncrementalAppendScan()
            .fromSnapshotExclusive(from)
            .toSnapshot(to)
            .filter(sourceFilter.expression())
            .select(sourceFilter.column())
            .planFiles());
  }

  private static List<FileScanTask> tasks(CloseableIterable<FileScanTask> planned)
      throws IOException {
    List<FileScanTask> tasks = new ArrayList<>();
    try (planned) {
      planned.forEach(tasks::add);
    }
    return tasks;
  }

  private IcebergGenerics.ScanBuilder read(Table source) {
    return IcebergGenerics.read(source)
        .select(sourceFilter.column())
        .where(sourceFilter.expression());
  }

  /** Rows matching the filter; with {@code files}, only rows of those files. */
  private long count(IcebergGenerics.ScanBuilder scan, @Nullable Set<String> files)
      throws IOException {
    long count = 0;
    try (CloseableIterable<Record> rows = scan.build()) {
      for (Record r : rows) {
        if (sourceFilter.matches(r)
            && (files == null || files.contains(String.valueOf(r.getField(FILE))))) {
          count++;
        }
      }
    }
    return count;
  }
}
