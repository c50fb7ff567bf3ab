package io.psyberg.flink.examples.backfill;

import io.psyberg.flink.backfill.Backfill;
import java.util.List;
import java.util.stream.Collectors;

/** The validation report of a backfill as JSON, kept in its row of {@code psyberg.backfills}. */
final class ValidationReport {
  private ValidationReport() {}

  static String json(Backfill backfill, List<TargetComparison> targets) {
    return "{\"backfill_id\":"
        + quote(backfill.backfillId())
        + ",\"process_name\":"
        + quote(backfill.processName())
        + ",\"range\":"
        + quote(new BackfillRange(backfill.rangeFrom(), backfill.rangeTo()).toString())
        + ",\"targets\":["
        + targets.stream().map(ValidationReport::target).collect(Collectors.joining(","))
        + "]}";
  }

  private static String target(TargetComparison t) {
    return "{\"target\":"
        + quote(t.target())
        + ",\"main_rows\":"
        + t.mainRows()
        + ",\"backfill_rows\":"
        + t.backfillRows()
        + ",\"keys_added\":"
        + t.added()
        + ",\"keys_removed\":"
        + t.removed()
        + ",\"keys_changed\":"
        + t.changed()
        + ",\"audits\":{\"not_null_violations\":"
        + t.nullViolations()
        + ",\"duplicate_keys\":"
        + t.duplicateKeys()
        + ",\"passed\":"
        + t.auditsPassed()
        + "},\"sample\":["
        + t.sample().stream().map(ValidationReport::quote).collect(Collectors.joining(","))
        + "]}";
  }

  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}
