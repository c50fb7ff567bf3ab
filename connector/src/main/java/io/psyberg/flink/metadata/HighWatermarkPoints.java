package io.psyberg.flink.metadata;

import io.psyberg.flink.catalog.ReadOnlyTables;
import io.psyberg.flink.session.SourceRange;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;

/**
 * The summary entries a publish writes next to its high watermark: the {@link SnapshotPoint} of
 * every position, read from the source tables while those snapshots are still there, and carried
 * over from the previous publish for source tables the session did not move.
 */
@Internal
public final class HighWatermarkPoints {
  private HighWatermarkPoints() {}

  public static Map<String, String> summary(
      Catalog catalog, List<SourceRange> ranges, @Nullable PublishedHighWatermark published) {
    Map<String, String> out = new LinkedHashMap<>();
    if (published != null) {
      published.points().forEach((t, p) -> out.put(SummaryKeys.hwmPointKey(t), p.encode()));
    }
    for (SourceRange r : ranges) {
      String key = SummaryKeys.hwmPointKey(r.table());
      SnapshotPoint carried = published == null ? null : published.points().get(r.table());
      out.remove(key);
      if (r.toSnapshotId() == null) {
        continue;
      }
      if (carried != null && carried.snapshotId() == r.toSnapshotId()) {
        out.put(key, carried.encode());
        continue;
      }
      pointOf(catalog, r.table(), r.toSnapshotId()).ifPresent(p -> out.put(key, p.encode()));
    }
    return out;
  }

  private static Optional<SnapshotPoint> pointOf(Catalog catalog, String name, long snapshotId) {
    try {
      Table table = ReadOnlyTables.load(catalog, TableIdentifier.parse(name));
      return SnapshotPoint.lookup(table, name, snapshotId);
    } catch (NoSuchTableException e) {
      return Optional.empty();
    }
  }
}
