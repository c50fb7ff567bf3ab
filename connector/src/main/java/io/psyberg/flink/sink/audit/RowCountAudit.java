package io.psyberg.flink.sink.audit;

import io.psyberg.flink.session.SourceRange;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Reconciles the staged row count with the session's source rows, for 1:1 transforms. The source
 * count comes from metadata; with a source filter (e.g. {@code event_type = 'SIGNUP'}) only the
 * filter column of the session's new source files is read.
 */
@Internal
public final class RowCountAudit implements Audit {
  private static final long serialVersionUID = 1L;

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
    Table source = ctx.catalog().loadTable(TableIdentifier.parse(range.table()));
    Expression filter = sourceFilter.expression();
    long count = 0;
    IcebergGenerics.ScanBuilder scan =
        IcebergGenerics.read(source).select(sourceFilter.column()).where(filter);
    // A range from the table's first snapshot is everything up to 'to'.
    scan =
        range.fromSnapshotId() == null
            ? scan.useSnapshot(range.toSnapshotId())
            : scan.appendsBetween(range.fromSnapshotId(), range.toSnapshotId());
    try (CloseableIterable<Record> rows = scan.build()) {
      for (Record r : rows) {
        if (sourceFilter.matches(r)) {
          count++;
        }
      }
    }
    return count;
  }
}
