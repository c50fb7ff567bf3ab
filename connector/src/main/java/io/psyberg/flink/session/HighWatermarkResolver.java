package io.psyberg.flink.session;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds where each source table of a process stands: first the high watermark published in a target
 * table's snapshot summary (targets named by the settings or known from the mirror), then the mirror
 * table {@code high_watermarks}. A table absent from the result has no high watermark yet.
 */
public final class HighWatermarkResolver {
  private static final Logger LOG = LoggerFactory.getLogger(HighWatermarkResolver.class);

  private HighWatermarkResolver() {}

  /** Source table to snapshot id; a present key with a null value means "published before its first snapshot". */
  public static Map<String, Long> resolve(
      Catalog catalog, HighWatermarkMirror mirror, SessionSettings settings) {
    Map<String, HighWatermarkMirror.Entry> mirrored = mirror.read(settings.processName());
    Set<String> targets = new LinkedHashSet<>(settings.targetTables());
    mirrored.values().forEach(e -> {
      if (e.targetTable != null) {
        targets.add(e.targetTable);
      }
    });
    Map<String, Long> positions = new LinkedHashMap<>();
    for (String target : targets) {
      Optional<PublishedHighWatermark> published = publishedIn(catalog, target, settings.processName());
      if (published.isPresent()) {
        published.get().positions().forEach(positions::putIfAbsent);
      }
    }
    for (Map.Entry<String, HighWatermarkMirror.Entry> e : mirrored.entrySet()) {
      if (!positions.containsKey(e.getKey())) {
        LOG.warn(
            "Process {}: no published high watermark for {} in its target; using the mirrored one ({}).",
            settings.processName(), e.getKey(), e.getValue().snapshotId);
        positions.put(e.getKey(), e.getValue().snapshotId);
      }
    }
    return positions;
  }

  private static Optional<PublishedHighWatermark> publishedIn(Catalog catalog, String target, String process) {
    try {
      Table table = catalog.loadTable(TableIdentifier.parse(target));
      return PublishedHighWatermark.find(table, process);
    } catch (NoSuchTableException e) {
      return Optional.empty();
    }
  }
}
