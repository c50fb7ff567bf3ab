package io.psyberg.flink.examples.backfill;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;

/**
 * One target's validation: audits of the branch's rows (not-null columns, unique key) and their
 * comparison by key with main's rows in the same range.
 *
 * @param sample up to {@link #SAMPLE} differing rows of each kind, as text
 */
public record TargetComparison(
    String target,
    long mainRows,
    long backfillRows,
    long added,
    long removed,
    long changed,
    long nullViolations,
    long duplicateKeys,
    List<String> sample) {

  static final int SAMPLE = 5;

  /** Compares the branch's rows with main's over the range. */
  static TargetComparison of(String target, Schema schema, List<Record> main, List<Record> branch) {
    Map<List<Object>, Record> mainByKey = byKey(schema, main);
    Map<List<Object>, Record> branchByKey = byKey(schema, branch);
    List<String> added = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    branchByKey.forEach(
        (key, row) -> {
          Record old = mainByKey.get(key);
          if (old == null) {
            added.add("added   " + key + ": " + values(row));
          } else if (!values(old).equals(values(row))) {
            changed.add("changed " + key + ": main " + values(old) + " -> backfill " + values(row));
          }
        });
    mainByKey.forEach(
        (key, row) -> {
          if (!branchByKey.containsKey(key)) {
            removed.add("removed " + key + ": " + values(row));
          }
        });
    List<String> sample = new ArrayList<>();
    for (List<String> kind : List.of(added, removed, changed)) {
      sample.addAll(kind.subList(0, Math.min(SAMPLE, kind.size())));
    }
    return new TargetComparison(
        target,
        main.size(),
        branch.size(),
        added.size(),
        removed.size(),
        changed.size(),
        nullViolations(schema, branch),
        branch.size() - branchByKey.size(),
        sample);
  }

  /** Whether the audits passed (differences are for the reviewer, not failures). */
  boolean auditsPassed() {
    return nullViolations == 0 && duplicateKeys == 0;
  }

  String summary() {
    return String.format(
        "%s: main %d rows, backfill %d, +%d -%d ~%d%s",
        target,
        mainRows,
        backfillRows,
        added,
        removed,
        changed,
        auditsPassed() ? "" : " (audits failed)");
  }

  private static Map<List<Object>, Record> byKey(Schema schema, List<Record> rows) {
    Map<List<Object>, Record> out = new LinkedHashMap<>();
    for (Record r : rows) {
      List<Object> key = new ArrayList<>();
      schema.identifierFieldNames().stream().sorted().forEach(k -> key.add(r.getField(k)));
      out.put(key, r);
    }
    return out;
  }

  private static List<Object> values(Record r) {
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < r.size(); i++) {
      out.add(r.get(i, Object.class));
    }
    return out;
  }

  private static long nullViolations(Schema schema, List<Record> rows) {
    long count = 0;
    for (Types.NestedField field : schema.columns()) {
      if (field.isRequired()) {
        count += rows.stream().filter(r -> Objects.isNull(r.getField(field.name()))).count();
      }
    }
    return count;
  }
}
