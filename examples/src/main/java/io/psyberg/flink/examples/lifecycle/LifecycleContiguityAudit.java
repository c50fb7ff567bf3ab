package io.psyberg.flink.examples.lifecycle;

import io.psyberg.flink.sink.audit.Audit;
import io.psyberg.flink.sink.audit.AuditContext;
import io.psyberg.flink.sink.audit.AuditResult;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import javax.annotation.Nullable;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.TimestampData;
import org.apache.iceberg.CombinedScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.TableScan;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.flink.source.DataIterator;
import org.apache.iceberg.flink.source.RowDataFileScanTaskReader;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.DateTimeUtil;

/**
 * Every account the session touches has consecutively numbered segments, each closing where the
 * next opens ({@code valid_to(n) = valid_from(n+1)}), and exactly one current segment (the last,
 * open-ended). Checked on the table as it would be once published (the staged snapshot), from the
 * segment that closes where the session's earliest written segment opens: earlier segments did not
 * change, and reading only the later ones lets the read prune by {@code valid_to}.
 */
public final class LifecycleContiguityAudit implements Audit {
  private static final long serialVersionUID = 1L;

  private static final List<String> COLUMNS =
      List.of("account_id", "segment_no", "valid_from", "valid_to");

  @Override
  public String name() {
    return "lifecycle-contiguity";
  }

  @Override
  public AuditResult run(AuditContext ctx) throws Exception {
    Map<Long, TreeMap<Integer, Span>> byAccount = changedAccountSegments(ctx);
    if (byAccount.isEmpty()) {
      return AuditResult.of(name(), true, "no accounts changed", "contiguous segments");
    }
    List<String> broken = new ArrayList<>();
    for (Map.Entry<Long, TreeMap<Integer, Span>> e : byAccount.entrySet()) {
      String problem = check(e.getValue());
      if (problem != null) {
        broken.add("account " + e.getKey() + ": " + problem);
      }
    }
    String observed =
        broken.isEmpty()
            ? byAccount.size() + " accounts contiguous"
            : broken.size()
                + " broken accounts, e.g. "
                + broken.subList(0, Math.min(3, broken.size()));
    return AuditResult.of(
        name(), broken.isEmpty(), observed, "contiguous segments with one current segment");
  }

  /**
   * The segments to check, by account: on a first publish the whole staged table (it holds only
   * this session); otherwise the segments of the accounts the session wrote, from its earliest
   * written segment's opening on (open, or closed since then). Read with Iceberg's Flink row
   * reader, which keeps timestamps as numbers, and filtered here on the primitive values: this read
   * is most of what a small incremental run's audit costs.
   */
  private static Map<Long, TreeMap<Integer, Span>> changedAccountSegments(AuditContext ctx)
      throws Exception {
    Table table = ctx.table();
    TableScan scan = table.newScan().useSnapshot(ctx.staged().snapshotId()).select(COLUMNS);
    Set<Long> accounts = null;
    Long fromMicros = null;
    if (ctx.publishedParentId() != null) {
      accounts = new HashSet<>();
      LocalDateTime from = null;
      for (Record r : ctx.readStaged(List.of("account_id", "valid_from"))) {
        accounts.add((Long) r.getField("account_id"));
        LocalDateTime opens = (LocalDateTime) r.getField("valid_from");
        from = from == null || opens.isBefore(from) ? opens : from;
      }
      if (accounts.isEmpty()) {
        return Map.of();
      }
      fromMicros = DateTimeUtil.microsFromTimestamp(from);
      scan =
          scan.filter(
              Expressions.and(
                  Expressions.in("account_id", accounts.toArray()),
                  Expressions.or(
                      Expressions.isNull("valid_to"),
                      Expressions.greaterThanOrEqual("valid_to", fromMicros))));
    }
    Schema projected = table.schema().select(COLUMNS);
    int account = position(projected, "account_id");
    int segmentNo = position(projected, "segment_no");
    int validFrom = position(projected, "valid_from");
    int validTo = position(projected, "valid_to");
    RowDataFileScanTaskReader reader =
        new RowDataFileScanTaskReader(
            table.schema(),
            projected,
            table.properties().get(TableProperties.DEFAULT_NAME_MAPPING),
            true,
            List.of());
    Map<Long, TreeMap<Integer, Span>> byAccount = new HashMap<>();
    try (CloseableIterable<CombinedScanTask> tasks = scan.planTasks()) {
      for (CombinedScanTask task : tasks) {
        try (DataIterator<RowData> rows =
            new DataIterator<>(reader, task, table.io(), table.encryption())) {
          while (rows.hasNext()) {
            RowData r = rows.next();
            long id = r.getLong(account);
            Long to = r.isNullAt(validTo) ? null : micros(r.getTimestamp(validTo, 6));
            // The scan's filter prunes files; rows of the files it keeps are checked here.
            if (accounts != null && (!accounts.contains(id) || (to != null && to < fromMicros))) {
              continue;
            }
            byAccount
                .computeIfAbsent(id, k -> new TreeMap<>())
                .put(r.getInt(segmentNo), new Span(micros(r.getTimestamp(validFrom, 6)), to));
          }
        }
      }
    }
    return byAccount;
  }

  private static int position(Schema projected, String column) {
    List<Types.NestedField> columns = projected.columns();
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(column)) {
        return i;
      }
    }
    throw new IllegalStateException("account_lifecycle has no column " + column);
  }

  private static long micros(TimestampData ts) {
    return ts.getMillisecond() * 1000 + ts.getNanoOfMillisecond() / 1000;
  }

  private static String check(TreeMap<Integer, Span> segments) {
    int expected = segments.firstKey();
    Span previous = null;
    int current = 0;
    for (Map.Entry<Integer, Span> e : segments.entrySet()) {
      if (e.getKey() != expected++) {
        return "segment numbers are not consecutive from " + segments.firstKey();
      }
      Span span = e.getValue();
      if (span.validTo == null) {
        current++;
      }
      if (previous != null && !Objects.equals(previous.validTo, span.validFrom)) {
        return "segment "
            + (e.getKey() - 1)
            + " ends at "
            + timestamp(previous.validTo)
            + " but segment "
            + e.getKey()
            + " starts at "
            + timestamp(span.validFrom);
      }
      previous = span;
    }
    if (current != 1 || previous.validTo != null) {
      return current + " current segments (the last one must be the only open-ended one)";
    }
    return null;
  }

  private static LocalDateTime timestamp(Long micros) {
    return micros == null ? null : DateTimeUtil.timestampFromMicros(micros);
  }

  /** A segment's bounds in microseconds; {@code validTo} null while it is open. */
  private static final class Span {
    final long validFrom;
    @Nullable final Long validTo;

    Span(long validFrom, @Nullable Long validTo) {
      this.validFrom = validFrom;
      this.validTo = validTo;
    }
  }
}
