package io.psyberg.flink.examples.lifecycle;

import io.psyberg.flink.sink.audit.Audit;
import io.psyberg.flink.sink.audit.AuditContext;
import io.psyberg.flink.sink.audit.AuditResult;
import java.io.IOException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.annotation.Nullable;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.TimestampData;
import org.apache.iceberg.BaseCombinedScanTask;
import org.apache.iceberg.CombinedScanTask;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.TableScan;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.flink.source.DataIterator;
import org.apache.iceberg.flink.source.RowDataFileScanTaskReader;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.DateTimeUtil;

/**
 * Every account the session touches has consecutively numbered segments, each closing where the
 * next opens ({@code valid_to(n) = valid_from(n+1)}), and exactly one current segment (the last,
 * open-ended). Checked on the table as it would be once published (the staged snapshot). A first
 * publish is read whole. A later one is read in the month partitions it adds files to and the open
 * segments ({@link ChangedMonths}): every segment before them is the published parent's, so the
 * audit checks the segments it reads and that they start where the parent's in the same window
 * started, which reads the recent months however long ago a rewritten segment opened. Within those
 * months it reads from the earliest closing the session wrote when every row the session deletes
 * closes there too, so that a month's older files are pruned by their {@code valid_to} bounds.
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
    Checked checked = check(ctx);
    if (checked == null) {
      return AuditResult.of(name(), true, "no accounts changed", "contiguous segments");
    }
    // Broken accounts in account order, so the examples quoted are the same on every run.
    List<String> broken = new ArrayList<>();
    checked.broken().forEach((id, problem) -> broken.add("account " + id + ": " + problem));
    String observed =
        broken.isEmpty()
            ? checked.accounts() + " accounts contiguous (read: " + checked.read() + ")"
            : broken.size()
                + " broken accounts, e.g. "
                + broken.subList(0, Math.min(3, broken.size()));
    return AuditResult.of(
        name(), broken.isEmpty(), observed, "contiguous segments with one current segment");
  }

  /**
   * How many accounts were checked, the problem of each broken one, and which segments were read.
   * Only broken accounts are kept by id: a first publish checks every account.
   *
   * @param read the segments read, as the audit result quotes them
   */
  private record Checked(int accounts, SortedMap<Long, String> broken, String read) {}

  /** What the audit found, or null when the session changed no account. */
  @Nullable
  private static Checked check(AuditContext ctx) throws Exception {
    Table table = ctx.table();
    SortedMap<Long, String> broken = new TreeMap<>();
    if (ctx.publishedParentId() == null) {
      // A first publish: the staged table holds only this session.
      int accounts =
          read(table, ctx.staged().snapshotId(), Expressions.alwaysTrue(), null, null, null)
              .forEachRead(
                  (id, segments) -> {
                    String problem = segments.problem();
                    if (problem != null) {
                      broken.put(id, problem);
                    }
                  });
      return accounts == 0 ? null : new Checked(accounts, broken, "the whole table");
    }
    List<Record> written = ctx.readStaged(COLUMNS);
    SessionDeletes deletes = SessionDeletes.read(ctx);
    Set<Long> accounts = new HashSet<>(deletes.accounts());
    LocalDateTime earliest = null;
    for (Record r : written) {
      accounts.add((Long) r.getField("account_id"));
      LocalDateTime opens = (LocalDateTime) r.getField("valid_from");
      earliest = earliest == null || opens.isBefore(earliest) ? opens : earliest;
    }
    if (accounts.isEmpty()) {
      return null;
    }
    OptionalLong window = ChangedMonths.windowStart(ctx);
    Map<Long, AccountSegments> staged;
    Map<Long, AccountSegments> published = null;
    String read;
    if (window.isPresent()) {
      long from = window.getAsLong();
      ReadSegments parent = null;
      if (deletes.byKeyOnly()) {
        // Within the months changed, the session's rows close from the earliest written closing
        // on: reading the parent from there prunes the months' older files, and is enough when
        // every key the session deletes meets its row there (else a removal lies before it).
        long closes = earliestClosing(written);
        if (closes > from) {
          ReadSegments narrow =
              read(table, ctx.publishedParentId(), fromMicros(closes), accounts, closes, deletes);
          if (narrow != null && narrow.keysMet() == deletes.keyCount()) {
            parent = narrow;
            from = closes;
          }
        }
        if (parent == null) {
          parent = read(table, ctx.publishedParentId(), fromMicros(from), accounts, from, deletes);
        }
      }
      read =
          from == ChangedMonths.OPEN_ONLY
              ? "open segments"
              : "open segments and those closed from " + DateTimeUtil.timestampFromMicros(from);
      if (parent != null) {
        // The staged rows in the window are the parent's less those the deletes remove, plus
        // the written ones: one read of the window serves both.
        published = parent.read();
        staged = parent.kept();
        for (Record r : written) {
          add(staged, r, from);
        }
      } else {
        staged =
            read(table, ctx.staged().snapshotId(), fromMicros(from), accounts, from, null).read();
        published =
            read(table, ctx.publishedParentId(), fromMicros(from), accounts, from, null).read();
      }
    } else {
      // Changes not bounded by partitions: from the segment that closes where the earliest
      // written one opens.
      Long from = earliest == null ? null : DateTimeUtil.microsFromTimestamp(earliest);
      read =
          from == null
              ? "all segments"
              : "open segments and those closed from " + earliest + ", where a written one opens";
      staged =
          read(
                  table,
                  ctx.staged().snapshotId(),
                  from == null ? Expressions.alwaysTrue() : fromMicros(from),
                  accounts,
                  from,
                  null)
              .read();
    }
    for (long id : accounts) {
      AccountSegments segments = staged.get(id);
      String problem = segments == null ? "no current segment" : segments.problem();
      if (problem == null && published != null) {
        problem = segments.joinProblem(published.get(id));
      }
      if (problem != null) {
        broken.put(id, problem);
      }
    }
    return new Checked(accounts.size(), broken, read);
  }

  /** The earliest closing among written rows, {@link ChangedMonths#OPEN_ONLY} if all are open. */
  private static long earliestClosing(List<Record> written) {
    long earliest = ChangedMonths.OPEN_ONLY;
    for (Record r : written) {
      LocalDateTime to = (LocalDateTime) r.getField("valid_to");
      if (to != null) {
        earliest = Math.min(earliest, DateTimeUtil.microsFromTimestamp(to));
      }
    }
    return earliest;
  }

  /** Adds a written row to {@code into} when it is closed at {@code fromMicros} or later. */
  private static void add(Map<Long, AccountSegments> into, Record row, long fromMicros) {
    LocalDateTime to = (LocalDateTime) row.getField("valid_to");
    Long toMicros = to == null ? null : DateTimeUtil.microsFromTimestamp(to);
    if (toMicros == null || toMicros >= fromMicros) {
      into.computeIfAbsent((Long) row.getField("account_id"), k -> new AccountSegments())
          .add(
              (Integer) row.getField("segment_no"),
              DateTimeUtil.microsFromTimestamp((LocalDateTime) row.getField("valid_from")),
              toMicros);
    }
  }

  /** Segments open or closed at {@code from} or later. */
  private static Expression fromMicros(long from) {
    return from == ChangedMonths.OPEN_ONLY
        ? Expressions.isNull("valid_to")
        : Expressions.or(
            Expressions.isNull("valid_to"), Expressions.greaterThanOrEqual("valid_to", from));
  }

  /**
   * The segments of {@code snapshotId} that {@code filter} keeps, by account: of {@code accounts}
   * only (null: all) and closed at {@code fromMicros} or later (null: all). Read with Iceberg's
   * Flink row reader, which keeps timestamps as numbers, and filtered here on the primitive values:
   * this read is most of what the audit costs. Every file holds every account's segments, so the
   * scan is not filtered by account: an {@code IN} of thousands of accounts prunes nothing, and
   * Iceberg builds its set of literals again for each file and row group. The scan's tasks are read
   * side by side, one reader per core: the audit runs after the job's tasks finished writing, and a
   * first publish reads every row it wrote.
   *
   * @param deletes a session's deletes, to keep the rows they leave apart too; null for none
   * @return the segments, or null when {@code deletes} are given and a file to read is of another
   *     partition spec than the table's (the deletes do not reach its rows)
   */
  @Nullable
  private static ReadSegments read(
      Table table,
      long snapshotId,
      Expression filter,
      @Nullable Set<Long> accounts,
      @Nullable Long fromMicros,
      @Nullable SessionDeletes deletes)
      throws Exception {
    TableScan scan = table.newScan().useSnapshot(snapshotId).select(COLUMNS).filter(filter);
    // A task per file, not Iceberg's combined tasks: those pack a first publish's files (a few MB)
    // into one task, which one thread then reads alone.
    List<CombinedScanTask> tasks = new ArrayList<>();
    try (CloseableIterable<FileScanTask> planned = scan.planFiles()) {
      planned.forEach(file -> tasks.add(new BaseCombinedScanTask(file)));
    }
    int spec = table.spec().specId();
    if (deletes != null
        && tasks.stream()
            .flatMap(t -> t.files().stream())
            .anyMatch(f -> f.file().specId() != spec)) {
      return null;
    }
    SegmentReader reader = new SegmentReader(table, fromMicros);
    int threads = Math.min(tasks.size(), Runtime.getRuntime().availableProcessors());
    if (threads <= 1) {
      ReadSegments segments = new ReadSegments(accounts, deletes);
      for (CombinedScanTask task : tasks) {
        reader.read(task, segments);
      }
      return segments;
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      AtomicInteger next = new AtomicInteger();
      List<Future<ReadSegments>> parts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        parts.add(
            pool.submit(
                () -> {
                  ReadSegments part = new ReadSegments(accounts, deletes);
                  for (int i = next.getAndIncrement();
                      i < tasks.size();
                      i = next.getAndIncrement()) {
                    reader.read(tasks.get(i), part);
                  }
                  return part;
                }));
      }
      ReadSegments segments = parts.get(0).get();
      for (Future<ReadSegments> part : parts.subList(1, parts.size())) {
        segments.merged(part.get());
      }
      return segments;
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
    @Nullable private final Long fromMicros;
    private final Schema projected;
    private final int account;
    private final int segmentNo;
    private final int validFrom;
    private final int validTo;

    SegmentReader(Table table, @Nullable Long fromMicros) {
      this.table = table;
      this.fromMicros = fromMicros;
      this.projected = table.schema().select(COLUMNS);
      this.account = position(projected, "account_id");
      this.segmentNo = position(projected, "segment_no");
      this.validFrom = position(projected, "valid_from");
      this.validTo = position(projected, "valid_to");
    }

    void read(CombinedScanTask task, ReadSegments into) throws IOException {
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
          if (fromMicros != null && to != null && to < fromMicros) {
            continue;
          }
          into.add(id, r.getInt(segmentNo), micros(r.getTimestamp(validFrom, 6)), to);
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
