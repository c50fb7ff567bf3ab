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

/**
 * Every account the session touches has segments numbered 1..n, each closing where the next opens
 * ({@code valid_to(n) = valid_from(n+1)}), and exactly one current segment (the last, open-ended).
 * Checked on the table as it would be once published: the staged snapshot.
 */
public final class LifecycleContiguityAudit implements Audit {
  private static final long serialVersionUID = 1L;

  @Override
  public String name() {
    return "lifecycle-contiguity";
  }

  @Override
  public AuditResult run(AuditContext ctx) throws Exception {
    Set<Object> accounts = new LinkedHashSet<>();
    for (Record r : ctx.readStaged(List.of("account_id"))) {
      accounts.add(r.getField("account_id"));
    }
    if (accounts.isEmpty()) {
      return AuditResult.of(name(), true, "no accounts changed", "contiguous segments");
    }
    Map<Long, TreeMap<Integer, Record>> byAccount = new HashMap<>();
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(ctx.table())
            .useSnapshot(ctx.staged().snapshotId())
            .where(Expressions.in("account_id", accounts.toArray()))
            .build()) {
      for (Record r : rows) {
        byAccount
            .computeIfAbsent((Long) r.getField("account_id"), k -> new TreeMap<>())
            .put((Integer) r.getField("segment_no"), r.copy());
      }
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

  private static String check(TreeMap<Integer, Record> segments) {
    int expected = 1;
    Record previous = null;
    int current = 0;
    for (Map.Entry<Integer, Record> e : segments.entrySet()) {
      if (e.getKey() != expected++) {
        return "segment numbers are not 1.." + segments.size();
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
