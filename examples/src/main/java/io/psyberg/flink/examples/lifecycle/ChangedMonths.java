package io.psyberg.flink.examples.lifecycle;

import io.psyberg.flink.sink.audit.AuditContext;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.util.DateTimeUtil;

/**
 * Where a later publish of {@code account_lifecycle} (partitioned by month of {@code valid_to}) can
 * have changed anything: the partitions of the files it adds. Its equality deletes apply only
 * within their own partition and it removes no file, so every segment whose {@code valid_to} lies
 * before the earliest of those months is the row the published parent held.
 */
final class ChangedMonths {
  /** {@link #windowStart} when the publish changed only open segments (the null partition). */
  static final long OPEN_ONLY = Long.MAX_VALUE;

  private ChangedMonths() {}

  /**
   * The first microsecond of the earliest month the staged snapshot adds files to ({@link
   * #OPEN_ONLY} if it adds only open segments), or empty when that does not bound its changes: a
   * first publish, a staged snapshot that does not build on the published parent or that removes
   * files, a table not partitioned by {@code month(valid_to)} alone, or files of another spec.
   */
  static OptionalLong windowStart(AuditContext ctx) {
    Table table = ctx.table();
    PartitionSpec spec = table.spec();
    if (ctx.publishedParentId() == null
        || !Objects.equals(ctx.staged().parentId(), ctx.publishedParentId())
        || removesFiles(ctx)
        || !byMonthOfValidTo(table, spec)) {
      return OptionalLong.empty();
    }
    List<ContentFile<?>> added = new ArrayList<>(ctx.dataFiles());
    added.addAll(ctx.deleteFiles());
    long start = OPEN_ONLY;
    for (ContentFile<?> file : added) {
      if (file.specId() != spec.specId()) {
        return OptionalLong.empty();
      }
      Integer month = file.partition().get(0, Integer.class);
      if (month != null) {
        long opens =
            DateTimeUtil.microsFromTimestamp(
                LocalDate.ofEpochDay(0).plusMonths(month).atStartOfDay());
        start = Math.min(start, opens);
      }
    }
    return OptionalLong.of(start);
  }

  /** The partition value of a segment closed at {@code micros}: months since 1970-01. */
  static int month(long micros) {
    return DateTimeUtil.microsToMonths(micros);
  }

  private static boolean removesFiles(AuditContext ctx) {
    var summary = ctx.staged().summary();
    return positive(summary.get(SnapshotSummary.DELETED_FILES_PROP))
        || positive(summary.get(SnapshotSummary.REMOVED_DELETE_FILES_PROP));
  }

  private static boolean positive(String count) {
    return count != null && Long.parseLong(count) > 0;
  }

  private static boolean byMonthOfValidTo(Table table, PartitionSpec spec) {
    if (spec.fields().size() != 1) {
      return false;
    }
    PartitionField field = spec.fields().get(0);
    return "month".equals(field.transform().toString())
        && "valid_to".equals(table.schema().findColumnName(field.sourceId()));
  }
}
