package io.psyberg.flink.examples.lifecycle;

import io.psyberg.flink.sink.audit.Audit;
import io.psyberg.flink.sink.audit.AuditContext;
import io.psyberg.flink.sink.audit.AuditResult;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
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

  @Override
  public String name() {
    return "lifecycle-contiguity";
  }

  @Override
  public AuditResult run(AuditContext ctx) throws Exception {
    Map<Long, TreeMap<Integer, Record>> byAccount = new HashMap<>();
    try (CloseableIterable<Record> rows = changedAccountSegments(ctx)) {
      for (Record r : rows) {
        byAccount
            .computeIfAbsent((Long) r.getField("account_id"), k -> new TreeMap<>())
            .put((Integer) r.getField("segment_no"), r.copy());
      }
    }
    if (byAccount.isEmpty()) {
      return AuditResult.of(name(), true, "no accounts changed", "contiguous segments");
    }
    List<String> broken = new ArrayList<>();
    for (Map.Entry<Long, TreeMap<Integer, Record>> e : byAccount.entrySet()) {
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
   * The segments to check: on a first publish the whole staged table (it holds only this session);
   * otherwise the segments of the accounts the session wrote, from its earliest written segment's
   * opening on (open, or closed since then).
   */
  private static CloseableIterable<Record> changedAccountSegments(AuditContext ctx)
      throws Exception {
    IcebergGenerics.ScanBuilder scan =
        IcebergGenerics.read(ctx.table())
            .useSnapshot(ctx.staged().snapshotId())
            .select("account_id", "segment_no", "valid_from", "valid_to");
    if (ctx.publishedParentId() == null) {
      return scan.build();
    }
    Set<Object> accounts = new LinkedHashSet<>();
    LocalDateTime from = null;
    for (Record r : ctx.readStaged(List.of("account_id", "valid_from"))) {
      accounts.add(r.getField("account_id"));
      LocalDateTime opens = (LocalDateTime) r.getField("valid_from");
      from = from == null || opens.isBefore(from) ? opens : from;
    }
    if (accounts.isEmpty()) {
      return CloseableIterable.empty();
    }
    return scan.where(
            Expressions.and(
                Expressions.in("account_id", accounts.toArray()),
                Expressions.or(
                    Expressions.isNull("valid_to"),
                    Expressions.greaterThanOrEqual(
                        "valid_to", DateTimeUtil.microsFromTimestamp(from)))))
        .build();
  }

  private static String check(TreeMap<Integer, Record> segments) {
    int expected = segments.firstKey();
    Record previous = null;
    int current = 0;
    for (Map.Entry<Integer, Record> e : segments.entrySet()) {
      if (e.getKey() != expected++) {
        return "segment numbers are not consecutive from " + segments.firstKey();
      }
      Record r = e.getValue();
      if (r.getField("valid_to") == null) {
        current++;
      }
      if (previous != null
          && !Objects.equals(previous.getField("valid_to"), r.getField("valid_from"))) {
        return "segment "
            + (e.getKey() - 1)
            + " ends at "
            + previous.getField("valid_to")
            + " but segment "
            + e.getKey()
            + " starts at "
            + (LocalDateTime) r.getField("valid_from");
      }
      previous = r;
    }
    if (current != 1 || previous.getField("valid_to") != null) {
      return current + " current segments (the last one must be the only open-ended one)";
    }
    return null;
  }
}
