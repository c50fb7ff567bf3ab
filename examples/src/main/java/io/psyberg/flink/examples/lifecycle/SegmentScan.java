package io.psyberg.flink.examples.lifecycle;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
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
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.flink.source.DataIterator;
import org.apache.iceberg.flink.source.RowDataFileScanTaskReader;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/**
 * Reads the segments of an {@code account_lifecycle} snapshot for the contiguity audit, one reader
 * per core over a task per file: the audit runs after the job's tasks finished writing, and a first
 * publish reads every row it wrote. A first publish is also checked side by side, each thread
 * merging and checking its share of the accounts from every reader's part.
 */
final class SegmentScan {
  static final List<String> COLUMNS = List.of("account_id", "segment_no", "valid_from", "valid_to");

  private SegmentScan() {}

  /**
   * Checks every account of the snapshot: how many there are, and the problem of each broken one
   * into {@code broken}.
   */
  static int checkAll(
      Table table, long snapshotId, Expression filter, SortedMap<Long, String> broken)
      throws Exception {
    List<ReadSegments> parts = readParts(table, snapshotId, filter, null, null, null);
    int shares = parts.size();
    List<TreeMap<Long, String>> found = new ArrayList<>();
    for (int i = 0; i < shares; i++) {
      found.add(new TreeMap<>());
    }
    List<Integer> counts =
        sideBySide(
            shares, share -> () -> ReadSegments.checkShare(parts, share, shares, found.get(share)));
    found.forEach(broken::putAll);
    return counts.stream().mapToInt(Integer::intValue).sum();
  }

  /**
   * The segments of {@code snapshotId} that {@code filter} keeps, by account: of {@code accounts}
   * only (null: all) and closed at {@code fromMicros} or later (null: all). Read with Iceberg's
   * Flink row reader, which keeps timestamps as numbers, and filtered here on the primitive values:
   * this read is most of what the audit costs. Every file holds every account's segments, so the
   * scan is not filtered by account: an {@code IN} of thousands of accounts prunes nothing, and
   * Iceberg builds its set of literals again for each file and row group.
   *
   * @param deletes a session's deletes, to keep the rows they leave apart too; null for none
   * @return the segments, or null when {@code deletes} are given and a file to read is of another
   *     partition spec than the table's (the deletes do not reach its rows)
   */
  @Nullable
  static ReadSegments read(
      Table table,
      long snapshotId,
      Expression filter,
      @Nullable Set<Long> accounts,
      @Nullable Long fromMicros,
      @Nullable SessionDeletes deletes)
      throws Exception {
    List<ReadSegments> parts = readParts(table, snapshotId, filter, accounts, fromMicros, deletes);
    if (parts == null) {
      return null;
    }
    ReadSegments segments = parts.get(0);
    for (ReadSegments part : parts.subList(1, parts.size())) {
      segments.merged(part);
    }
    return segments;
  }

  /** What each reader read (at least one part), or null as {@link #read} returns it. */
  @Nullable
  private static List<ReadSegments> readParts(
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
    int threads = Math.max(1, Math.min(tasks.size(), Runtime.getRuntime().availableProcessors()));
    AtomicInteger next = new AtomicInteger();
    return sideBySide(
        threads,
        t ->
            () -> {
              ReadSegments part = new ReadSegments(accounts, deletes);
              for (int i = next.getAndIncrement(); i < tasks.size(); i = next.getAndIncrement()) {
                reader.read(tasks.get(i), part);
              }
              return part;
            });
  }

  /** Runs {@code n} pieces of work, each on its own thread when there are several. */
  private static <T> List<T> sideBySide(int n, IntFunction<Callable<T>> work) throws Exception {
    if (n == 1) {
      return List.of(work.apply(0).call());
    }
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<T>> running = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        running.add(pool.submit(work.apply(i)));
      }
      List<T> done = new ArrayList<>();
      for (Future<T> f : running) {
        done.add(f.get());
      }
      return done;
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
