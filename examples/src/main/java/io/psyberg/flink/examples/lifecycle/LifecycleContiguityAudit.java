package io.psyberg.flink.examples.lifecycle;

import io.psyberg.flink.sink.audit.Audit;
import io.psyberg.flink.sink.audit.AuditContext;
import io.psyberg.flink.sink.audit.AuditResult;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.annotation.Nullable;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
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
          SegmentScan.checkAll(table, ctx.staged().snapshotId(), Expressions.alwaysTrue(), broken);
      return accounts == 0 ? null : new Checked(accounts, broken, "the whole table");
    }
    List<Record> written = ctx.readStaged(SegmentScan.COLUMNS);
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
              SegmentScan.read(
                  table, ctx.publishedParentId(), fromMicros(closes), accounts, closes, deletes);
          if (narrow != null && narrow.keysMet() == deletes.keyCount()) {
            parent = narrow;
            from = closes;
          }
        }
        if (parent == null) {
          parent =
              SegmentScan.read(
                  table, ctx.publishedParentId(), fromMicros(from), accounts, from, deletes);
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
            SegmentScan.read(
                    table, ctx.staged().snapshotId(), fromMicros(from), accounts, from, null)
                .read();
        published =
            SegmentScan.read(table, ctx.publishedParentId(), fromMicros(from), accounts, from, null)
                .read();
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
          SegmentScan.read(
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
}
