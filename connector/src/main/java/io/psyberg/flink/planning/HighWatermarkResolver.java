package io.psyberg.flink.planning;

import io.psyberg.flink.catalog.ReadOnlyTables;
import io.psyberg.flink.metadata.HighWatermarkMirror;
import io.psyberg.flink.metadata.MetadataTableSchemas;
import io.psyberg.flink.metadata.PublishedHighWatermark;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.metadata.SnapshotPoint;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.annotation.Internal;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.util.SnapshotUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds where each source table of a process stands: first the high watermark published in a target
 * table's snapshot summary (targets named by the settings or known from the mirror), then the
 * mirror table {@code high_watermarks}. A table absent from the result has no high watermark yet.
 */
@Internal
public final class HighWatermarkResolver {
  private static final Logger LOG = LoggerFactory.getLogger(HighWatermarkResolver.class);

  private HighWatermarkResolver() {}

  /**
   * Source table to snapshot id; a present key with a null value means "published before its first
   * snapshot".
   */
  public static Map<String, Long> resolve(
      Catalog catalog, HighWatermarkMirror mirror, SessionSettings settings) {
    Map<String, HighWatermarkMirror.Entry> mirrored = mirror.read(settings.processName());
    Set<String> targets = new LinkedHashSet<>(settings.targetTables());
    mirrored
        .values()
        .forEach(
            e -> {
              if (e.targetTable != null) {
                targets.add(e.targetTable);
              }
            });
    Map<String, Long> positions = new LinkedHashMap<>();
    for (String target : targets) {
      Optional<PublishedHighWatermark> published =
          publishedIn(catalog, target, settings.processName());
      if (published.isPresent()) {
        // Kept for planning: the points let a session start after a position whose snapshot is
        // expired.
        published.get().points().forEach(SnapshotPoint::remember);
        // With several targets (e.g. lifecycle and anomalies) resume from the one furthest behind.
        published
            .get()
            .positions()
            .forEach(
                (table, id) -> {
                  if (!positions.containsKey(table)
                      || isBehind(catalog, table, id, positions.get(table))) {
                    positions.put(table, id);
                  }
                });
        repairMirrors(catalog, mirror, mirrored, settings, target, published.get());
      }
    }
    if (!positions.isEmpty()) {
      for (String target : settings.targetTables()) {
        if (ReadOnlyTables.exists(catalog, TableIdentifier.parse(target))
            && publishedIn(catalog, target, settings.processName()).isEmpty()) {
          // A target with nothing published is the one furthest behind: a run that died between the
          // first
          // publishes of two targets must give the second every row (re-applying them to the first
          // is
          // idempotent for upsert targets; an append target refuses a range it already holds).
          LOG.info(
              "Process {}: target {} has nothing published yet; reading from the start for it.",
              settings.processName(),
              target);
          return new LinkedHashMap<>();
        }
      }
    }
    for (Map.Entry<String, HighWatermarkMirror.Entry> e : mirrored.entrySet()) {
      if (!positions.containsKey(e.getKey())) {
        LOG.warn(
            "Process {}: no published high watermark for {} in its target; using the mirrored one"
                + " ({}).",
            settings.processName(),
            e.getKey(),
            e.getValue().snapshotId);
        positions.put(e.getKey(), e.getValue().snapshotId);
      }
    }
    return positions;
  }

  /**
   * A run that died between publishing and updating the metadata tables left them behind the
   * target: bring the session's row and the mirrored high watermark up to what was published.
   */
  private static void repairMirrors(
      Catalog catalog,
      HighWatermarkMirror mirror,
      Map<String, HighWatermarkMirror.Entry> mirrored,
      SessionSettings settings,
      String target,
      PublishedHighWatermark published) {
    SessionLog log = new SessionLog(catalog, mirror.namespace());
    Map<String, Session> sessions = log.find(settings.processName(), published.sessionIds());
    for (String sessionId : published.sessionIds()) {
      Optional<Session> session = Optional.ofNullable(sessions.get(sessionId));
      if (session.isEmpty()) {
        continue;
      }
      if (!SessionLog.accountsForPublish(session.get(), target)) {
        LOG.warn(
            "Process {}: session {} was published to {} but its metadata rows were not updated;"
                + " repairing them.",
            settings.processName(),
            sessionId,
            target);
        log.record(
            session
                .get()
                .finished(
                    SessionStatus.PUBLISHED,
                    target,
                    published.targetSnapshotId(),
                    session.get().auditResults()));
      }
      // Checked even when the session's row is complete: a run can die between the two updates.
      boolean behind =
          session.get().ranges().stream()
              .anyMatch(
                  r -> {
                    HighWatermarkMirror.Entry e = mirrored.get(r.table());
                    return e == null
                        || isBehind(catalog, r.table(), e.snapshotId, r.toSnapshotId());
                  });
      if (behind) {
        LOG.warn(
            "Process {}: {}.{} is behind what session {} published to {}; repairing it.",
            settings.processName(),
            mirror.namespace(),
            MetadataTableSchemas.HIGH_WATERMARKS,
            sessionId,
            target);
        mirror.update(settings.processName(), target, sessionId, session.get().ranges());
      }
    }
  }

  /** Whether snapshot {@code a} of a source table comes before {@code b} on its main lineage. */
  public static boolean isBehind(Catalog catalog, String sourceTable, Long a, Long b) {
    if (Objects.equals(a, b)) {
      return false;
    }
    if (a == null) {
      return true;
    }
    if (b == null) {
      return false;
    }
    try {
      Table t = ReadOnlyTables.load(catalog, TableIdentifier.parse(sourceTable));
      if (t.snapshot(a) != null && t.snapshot(b) != null) {
        return SnapshotUtil.isAncestorOf(t, b, a);
      }
      // Expired: order by sequence number where its point is known; otherwise an expired snapshot
      // comes before one still there (expiry removes the oldest).
      Optional<SnapshotPoint> pa = SnapshotPoint.lookup(t, sourceTable, a);
      Optional<SnapshotPoint> pb = SnapshotPoint.lookup(t, sourceTable, b);
      if (pa.isPresent() && pb.isPresent()) {
        return pa.get().sequenceNumber() < pb.get().sequenceNumber();
      }
      return t.snapshot(a) == null && t.snapshot(b) != null;
    } catch (NoSuchTableException e) {
      return false;
    }
  }

  private static Optional<PublishedHighWatermark> publishedIn(
      Catalog catalog, String target, String process) {
    try {
      Table table = ReadOnlyTables.load(catalog, TableIdentifier.parse(target));
      return PublishedHighWatermark.find(table, process);
    } catch (NoSuchTableException e) {
      return Optional.empty();
    }
  }
}
