package io.psyberg.flink.examples.lifecycle;

import io.psyberg.flink.sink.audit.Audit;
import io.psyberg.flink.sink.audit.AuditContext;
import io.psyberg.flink.sink.audit.AuditResult;
import java.io.IOException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
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
    Map<Long, AccountSegments> byAccount = changedAccountSegments(ctx);
    if (byAccount.isEmpty()) {
      return AuditResult.of(name(), true, "no accounts changed", "contiguous segments");
    }
    // Broken accounts in account order, so the examples quoted are the same on every run.
    TreeMap<Long, String> problems = new TreeMap<>();
    byAccount.forEach(
        (id, segments) -> {
          String problem = segments.problem();
          if (problem != null) {
            problems.put(id, problem);
          }
        });
    List<String> broken = new ArrayList<>();
    problems.forEach((id, problem) -> broken.add("account " + id + ": " + problem));
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
   * is most of what the audit costs. The scan's tasks are read side by side, one reader per core:
   * the audit runs after the job's tasks finished writing, and a first publish reads every row it
   * wrote.
   */
  private static Map<Long, AccountSegments> changedAccountSegments(AuditContext ctx)
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
      // Not filtered by account: every file holds every account's segments, so an IN of the
      // session's accounts prunes nothing, and Iceberg builds its set of thousands of literals
      // again for each file and row group it evaluates.
      scan =
          scan.filter(
              Expressions.or(
                  Expressions.isNull("valid_to"),
                  Expressions.greaterThanOrEqual("valid_to", fromMicros)));
    }
    List<CombinedScanTask> tasks = new ArrayList<>();
    try (CloseableIterable<CombinedScanTask> planned = scan.planTasks()) {
      planned.forEach(tasks::add);
    }
    SegmentReader reader = new SegmentReader(table, accounts, fromMicros);
    int threads = Math.min(tasks.size(), Runtime.getRuntime().availableProcessors());
    if (threads <= 1) {
      Map<Long, AccountSegments> byAccount = new HashMap<>();
      for (CombinedScanTask task : tasks) {
        reader.read(task, byAccount);
      }
      return byAccount;
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      AtomicInteger next = new AtomicInteger();
      List<Future<Map<Long, AccountSegments>>> parts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        parts.add(
            pool.submit(
                () -> {
                  Map<Long, AccountSegments> part = new HashMap<>();
                  for (int i = next.getAndIncrement();
                      i < tasks.size();
                      i = next.getAndIncrement()) {
                    reader.read(tasks.get(i), part);
                  }
                  return part;
                }));
      }
      Map<Long, AccountSegments> byAccount = parts.get(0).get();
      for (Future<Map<Long, AccountSegments>> part : parts.subList(1, parts.size())) {
        part.get()
            .forEach((id, segments) -> byAccount.merge(id, segments, AccountSegments::merged));
      }
      return byAccount;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof Exception ? (Exception) cause : e;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Reads a scan task's segments into a map of accounts; one instance serves several threads. */
  private static final class SegmentReader {
    private final Table table;
    @Nullable private final Set<Long> accounts;
    @Nullable private final Long fromMicros;
    private final Schema projected;
    private final int account;
    private final int segmentNo;
    private final int validFrom;
    private final int validTo;

    SegmentReader(Table table, @Nullable Set<Long> accounts, @Nullable Long fromMicros) {
      this.table = table;
      this.accounts = accounts;
      this.fromMicros = fromMicros;
      this.projected = table.schema().select(COLUMNS);
      this.account = position(projected, "account_id");
      this.segmentNo = position(projected, "segment_no");
      this.validFrom = position(projected, "valid_from");
      this.validTo = position(projected, "valid_to");
    }

    void read(CombinedScanTask task, Map<Long, AccountSegments> into) throws IOException {
      RowDataFileScanTaskReader reader =
          new RowDataFileScanTaskReader(
              table.schema(),
              projected,
              table.properties().get(TableProperties.DEFAULT_NAME_MAPPING),
              true,
              List.of());
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
          into.computeIfAbsent(id, k -> new AccountSegments())
              .add(r.getInt(segmentNo), micros(r.getTimestamp(validFrom, 6)), to);
        }
      }
    }
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
}
