package io.psyberg.flink.sink.audit;

import io.psyberg.flink.sink.WriteMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.annotation.Internal;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

/**
 * The key columns are unique within the staged rows and, for appends, do not already exist in the
 * published table (read with a filter on the staged keys, so only matching files are opened).
 */
@Internal
public final class UniqueKeyAudit implements Audit {
  private static final long serialVersionUID = 1L;
  private static final int SHOWN = 5;

  private final List<String> columns;

  public UniqueKeyAudit(List<String> columns) {
    this.columns = List.copyOf(columns);
  }

  @Override
  public String name() {
    return "unique";
  }

  @Override
  public AuditResult run(AuditContext ctx) throws Exception {
    Set<List<Object>> seen = new HashSet<>();
    Set<List<Object>> duplicates = new LinkedHashSet<>();
    for (Record r : ctx.readStaged(columns)) {
      List<Object> key = key(r);
      if (!seen.add(key)) {
        duplicates.add(key);
      }
    }
    Set<List<Object>> existing = new LinkedHashSet<>();
    if (ctx.writeMode() == WriteMode.APPEND && ctx.publishedParentId() != null && !seen.isEmpty()) {
      List<Object> firstValues = new ArrayList<>();
      seen.forEach(k -> firstValues.add(k.get(0)));
      Expression filter =
          firstValues.size() <= 10_000
              ? Expressions.in(columns.get(0), firstValues.toArray())
              : Expressions.alwaysTrue();
      try (CloseableIterable<Record> published =
          IcebergGenerics.read(ctx.table())
              .useSnapshot(ctx.publishedParentId())
              .where(filter)
              .select(columns.toArray(new String[0]))
              .build()) {
        for (Record r : published) {
          List<Object> key = key(r);
          if (seen.contains(key)) {
            existing.add(key);
          }
        }
      }
    }
    boolean passed = duplicates.isEmpty() && existing.isEmpty();
    String observed =
        String.format(
            "%d duplicate keys in the staged rows%s, %d keys already published%s",
            duplicates.size(), sample(duplicates), existing.size(), sample(existing));
    return AuditResult.of(name(), passed, observed, "unique " + columns);
  }

  private List<Object> key(Record r) {
    List<Object> key = new ArrayList<>(columns.size());
    for (String c : columns) {
      Object v = r.getField(c);
      key.add(v instanceof CharSequence ? v.toString() : v);
    }
    return key;
  }

  private static String sample(Set<List<Object>> keys) {
    if (keys.isEmpty()) {
      return "";
    }
    List<List<Object>> shown = new ArrayList<>(keys).subList(0, Math.min(SHOWN, keys.size()));
    return " (e.g. " + shown + ")";
  }
}
