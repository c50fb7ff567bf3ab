package io.psyberg.flink.planning;

import io.psyberg.flink.catalog.ReadOnlyTables;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * How far the targets of a stateful process that a stopped run left ahead stand beyond the position
 * a run resumes from: a capped session must reach at least that far, or it would publish a high
 * watermark behind what such a target already holds.
 */
final class TargetsAhead {

  private TargetsAhead() {}

  /**
   * The most snapshots of one source table between {@code positions} (where the run resumes) and a
   * target's published position; 0 when every target stands there. A stretch the snapshot history
   * no longer holds counts 0 here: the plan's own check of the targets reports it.
   */
  static int snapshots(
      Catalog catalog, Map<String, Long> positions, List<Map<String, Long>> published) {
    int most = 0;
    for (Map<String, Long> target : published) {
      for (Map.Entry<String, Long> at : target.entrySet()) {
        Long from = positions.get(at.getKey());
        if (at.getValue() == null || at.getValue().equals(from)) {
          continue; // a null from: the run reads this table from its first snapshot
        }
        Table source = ReadOnlyTables.load(catalog, TableIdentifier.parse(at.getKey()));
        int count = 0;
        try {
          for (Long ignored :
              SnapshotUtil.ancestorIdsBetween(at.getValue(), from, source::snapshot)) {
            count++;
          }
        } catch (IllegalArgumentException expired) {
          count = 0;
        }
        most = Math.max(most, count);
      }
    }
    return most;
  }
}
