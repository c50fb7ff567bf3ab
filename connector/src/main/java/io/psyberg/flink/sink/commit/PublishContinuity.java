package io.psyberg.flink.sink.commit;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.metadata.HighWatermarkMirror;
import io.psyberg.flink.metadata.MetadataTableSchemas;
import io.psyberg.flink.metadata.PublishedHighWatermark;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.planning.HighWatermarkResolver;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.session.SourceRange;
import io.psyberg.flink.sink.WriteMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The check before every stage of a publish: a session must start where the target's published high
 * watermark stands, else another run published its range first and the session is aborted. When the
 * cause is a lost high-watermark mirror row, the row is put back so a re-run resumes.
 */
final class PublishContinuity {
  private static final Logger LOG = LoggerFactory.getLogger(PublishContinuity.class);

  private final Catalog catalog;
  private final String metadataNamespace;
  private final TableIdentifier target;
  private final String processName;
  private final WriteMode writeMode;
  private final SessionLog log;
  private final HighWatermarkMirror mirror;

  PublishContinuity(
      Catalog catalog,
      String metadataNamespace,
      TableIdentifier target,
      String processName,
      WriteMode writeMode,
      SessionLog log,
      HighWatermarkMirror mirror) {
    this.catalog = catalog;
    this.metadataNamespace = metadataNamespace;
    this.target = target;
    this.processName = processName;
    this.writeMode = writeMode;
    this.log = log;
    this.mirror = mirror;
  }

  /**
   * Passes when every range of the session starts at the published high watermark. An upsert or
   * overwrite-range target (e.g. the second target of a process) may also take a session that
   * starts behind it on the same lineage: re-applying the overlap is idempotent.
   *
   * @throws PsybergException after recording the session ABORTED, when another run published this
   *     range first
   */
  void check(Session session, @Nullable PublishedHighWatermark published) {
    if (published == null) {
      return;
    }
    for (SourceRange r : session.ranges()) {
      if (!published.covers(r.table())) {
        continue;
      }
      Long at = published.positions().get(r.table());
      if (Objects.equals(at, r.fromSnapshotId())) {
        continue;
      }
      if (reappliesIdempotently(r, at)) {
        LOG.info(
            "Process {}: session {} re-applies {} up to {} on {} (already at {}); upserts make it"
                + " idempotent.",
            processName,
            session.sessionId(),
            r.table(),
            r.toSnapshotId(),
            target,
            at);
        continue;
      }
      String message = publishedFirst(session, r, at, published);
      log.record(session.finished(SessionStatus.ABORTED, target.toString(), null, null));
      throw new PsybergException(message);
    }
  }

  private boolean reappliesIdempotently(SourceRange r, Long at) {
    return writeMode != WriteMode.APPEND
        && HighWatermarkResolver.isBehind(catalog, r.table(), r.fromSnapshotId(), at)
        && !HighWatermarkResolver.isBehind(catalog, r.table(), r.toSnapshotId(), at);
  }

  /** Why the session cannot be published, restoring a lost mirror row when that is the cause. */
  private String publishedFirst(
      Session session, SourceRange r, Long at, PublishedHighWatermark published) {
    // A run racing this one may have published without updating the mirror yet. Only when the
    // publishing session is complete in the session log (its mirror row is written before that) did
    // the source miss a finished publish, i.e. the mirror row it resolves the target from was lost.
    if (publishCompleted(published) && restoreLostMirror(published)) {
      return String.format(
          "Process %s: session %s read %s %s, but %s already holds this process's data up to"
              + " snapshot %s: the table %s.%s had no row for the process (dropped or emptied?), so"
              + " the source could not find where it stands. Nothing was published by this run."
              + " The row is restored from %s, so a re-run resumes from there; setting the"
              + " source's option 'target-table' = '%s' avoids depending on that table.",
          processName,
          session.sessionId(),
          r.table(),
          r.fromSnapshotId() == null
              ? "from its first snapshot"
              : "after snapshot " + r.fromSnapshotId(),
          target,
          at,
          metadataNamespace,
          MetadataTableSchemas.HIGH_WATERMARKS,
          target,
          target);
    }
    String message =
        String.format(
            "Process %s: session %s read %s after snapshot %s, but the published high watermark of"
                + " that table in %s is %s (sessions %s). Another run published this range first;"
                + " nothing was published by this run. Re-run to process what is new since the"
                + " published high watermark.",
            processName,
            session.sessionId(),
            r.table(),
            r.fromSnapshotId(),
            target,
            at,
            published.sessionIds());
    if (r.fromSnapshotId() == null && writeMode == WriteMode.APPEND) {
      // Also what a run that reprocesses every live row meets on an append target.
      message +=
          " If this run reprocesses every live row (on-lost-hwm = reprocess-by-key or earliest),"
              + " this append target would hold them twice: reprocess into a target keyed by its"
              + " primary key (write-mode upsert), or rebuild this one (e.g. with a backfill).";
    }
    return message;
  }

  /** Whether the newest session published in the target finished its metadata rows. */
  private boolean publishCompleted(PublishedHighWatermark published) {
    List<String> ids = published.sessionIds();
    return !ids.isEmpty()
        && log.find(processName, ids.get(ids.size() - 1))
            .map(s -> SessionLog.accountsForPublish(s, target.toString()))
            .orElse(false);
  }

  /**
   * The mirror is how a source without 'target-table' finds its target. When it lost the process's
   * rows, put back the positions published in this target, so that the next run resumes from them.
   * Called only once the publishing session is complete ({@link #publishCompleted}).
   */
  private boolean restoreLostMirror(PublishedHighWatermark published) {
    Map<String, HighWatermarkMirror.Entry> mirrored = mirror.read(processName);
    List<SourceRange> lost = new ArrayList<>();
    published
        .positions()
        .forEach(
            (t, id) -> {
              if (!mirrored.containsKey(t)) {
                lost.add(SourceRange.empty(t, id, null));
              }
            });
    if (lost.isEmpty() || published.sessionIds().isEmpty()) {
      return false;
    }
    String sessionId = published.sessionIds().get(published.sessionIds().size() - 1);
    LOG.warn(
        "Process {}: {}.{} had no row for {}; restoring it from the high watermark published in"
            + " {}.",
        processName,
        metadataNamespace,
        MetadataTableSchemas.HIGH_WATERMARKS,
        lost,
        target);
    mirror.update(processName, target.toString(), sessionId, lost);
    return true;
  }
}
