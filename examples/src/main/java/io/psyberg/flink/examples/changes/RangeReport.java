package io.psyberg.flink.examples.changes;

import io.psyberg.flink.session.ChangeRange;
import io.psyberg.flink.session.SourceRange;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the change commands print: named fields, as aligned {@code name value} lines or as one JSON
 * object. A source range adds {@code ranges} (one entry per source table) and {@code change_range}.
 */
final class RangeReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ObjectNode json = JSON.createObjectNode();
  private final Map<String, String> lines = new LinkedHashMap<>();

  RangeReport put(String name, Object value) {
    json.putPOJO(name, value);
    lines.put(name, String.valueOf(value));
    return this;
  }

  RangeReport range(SourceRange r) {
    ObjectNode range = json.putArray("ranges").addObject();
    range.put("source_table", r.table());
    range.putPOJO("from_snapshot_id", r.fromSnapshotId());
    range.putPOJO("to_snapshot_id", r.toSnapshotId());
    range.put("snapshot_count", r.snapshotCount());
    range.put("skipped_snapshot_count", r.skippedSnapshotCount());
    range.put("data_file_count", r.dataFileCount());
    range.put("record_count", r.recordCount());
    lines.put("source_table", r.table());
    String from = r.fromSnapshotId() == null ? "start" : r.fromSnapshotId().toString();
    lines.put("source_range", "(" + from + ", " + r.toSnapshotId() + "]");
    lines.put("snapshots", Integer.toString(r.snapshotCount()));
    lines.put("data_files", Long.toString(r.dataFileCount()));
    lines.put("records", Long.toString(r.recordCount()));
    ChangeRange c = r.changeRange();
    if (c == null) {
      json.putNull("change_range");
    } else {
      ObjectNode change = json.putObject("change_range");
      change.put("column", c.column());
      change.put("min", c.min());
      change.put("max", c.max());
      lines.put("change_range", c.column() + " in [" + c.min() + ", " + c.max() + "]");
    }
    return this;
  }

  void print(PrintStream out, boolean asJson) throws JsonProcessingException {
    if (asJson) {
      out.println(JSON.writeValueAsString(json));
      return;
    }
    int width = lines.keySet().stream().mapToInt(String::length).max().orElse(0);
    lines.forEach((k, v) -> out.println(String.format("%-" + width + "s  %s", k, v)));
  }
}
