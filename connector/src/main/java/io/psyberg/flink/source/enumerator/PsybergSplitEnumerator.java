package io.psyberg.flink.source.enumerator;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.metadata.HighWatermarkMirror;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.metrics.SourceMetrics;
import io.psyberg.flink.planning.HighWatermarkResolver;
import io.psyberg.flink.planning.NonAppendSnapshots;
import io.psyberg.flink.planning.PlannedSnapshot;
import io.psyberg.flink.planning.SessionPlan;
import io.psyberg.flink.planning.SessionPlanner;
import io.psyberg.flink.planning.SessionSettings;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.session.SourceRange;
import io.psyberg.flink.source.reader.SplitsFinishedEvent;
import io.psyberg.flink.source.split.PsybergSplit;
import io.psyberg.flink.source.split.PsybergSplitFactory;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.util.FlinkRuntimeException;
import org.apache.iceberg.catalog.Catalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plans sessions and hands out their splits. Catalog access (planning, every session-log write)
 * runs in the coordinator's IO pool ({@code callAsync}), never on the coordinator thread: at start,
 * recovery (sessions rolled back by a restore are aborted, a restored in-flight session is recorded
 * as this job's) runs there first and planning is scheduled only once it is done. Every field is
 * touched only on the coordinator thread, except the catalog (IO pool only) and the two volatile
 * fields the planning call reads.
 *
 * <p>One session is in flight at a time. In continuous mode, once readers report every split of the
 * session finished, the session is marked "read through" the next checkpoint this enumerator
 * snapshots: coordinators are snapshotted before any barrier is injected into the sources, and a
 * reader reports a split only after emitting all of its rows, so every row of the session precedes
 * that checkpoint's barrier. The next session is planned only after that checkpoint, so no
 * checkpoint holds rows of two sessions and the sink can publish each session whole, with its high
 * watermark.
 *
 * <p>A process that reads changes ({@code non-append-snapshots} = {@code changelog}) has every
 * split assigned to reader subtask 0, one at a time in plan order (snapshot order), so that the
 * changes of a key reach downstream operators in the order they were committed; other readers stay
 * idle.
 *
 * <p>The mark is taken from the snapshot itself, never predicted: after a restore the next
 * checkpoint id is not the restored one plus one (checkpoints triggered before the failure used up
 * ids), and a predicted mark would leave the session's rows in later checkpoints than the sink
 * publishes it with.
 */
@Internal
public final class PsybergSplitEnumerator
    implements SplitEnumerator<PsybergSplit, PsybergEnumeratorState> {
  private static final Logger LOG = LoggerFactory.getLogger(PsybergSplitEnumerator.class);

  private final SplitEnumeratorContext<PsybergSplit> context;
  private final CatalogSpec catalogSpec;
  private final SessionSettings settings;
  private final Duration monitorInterval;
  private final long splitSizeBytes;
  private final String jobId;
  private final SourceMetrics metrics;

  private Map<String, Long> positions;
  private final SplitAssigner splits;
  private String inFlightSessionId;
  private Session inFlightSession;
  private final Set<String> unfinishedSplitIds = new LinkedHashSet<>();
  private long readThroughCheckpoint;
  private boolean readThroughRecorded;

  /** The checkpoint this enumerator was restored from; -1 for a fresh start. */
  private final long restoredCheckpoint;

  // Continuous: every split of the in-flight session was emitted; the next snapshot marks it read
  // through.
  private boolean fullyRead;
  private boolean planned;

  private volatile boolean planningOpen;
  private volatile Map<String, Long> positionsForPlanning;
  // Opened lazily in the IO pool; used only there (and closed with the enumerator).
  private Catalog catalog;

  public PsybergSplitEnumerator(
      SplitEnumeratorContext<PsybergSplit> context,
      CatalogSpec catalogSpec,
      SessionSettings settings,
      Duration monitorInterval,
      long splitSizeBytes,
      PsybergEnumeratorState state) {
    this.context = context;
    this.catalogSpec = catalogSpec;
    this.settings = settings;
    this.monitorInterval = monitorInterval;
    this.splitSizeBytes = splitSizeBytes;
    this.jobId = jobIdOf(context);
    this.metrics =
        new SourceMetrics(context.metricGroup(), settings.processName(), settings.sourceTables());
    this.positions = state.positions() == null ? null : new LinkedHashMap<>(state.positions());
    this.splits =
        new SplitAssigner(
            settings.nonAppendSnapshots() == NonAppendSnapshots.CHANGELOG,
            settings.continuous(),
            state.unassigned());
    this.inFlightSessionId = state.inFlightSessionId();
    this.unfinishedSplitIds.addAll(state.unfinishedSplitIds());
    this.readThroughCheckpoint = state.readThroughCheckpoint();
    this.restoredCheckpoint = state.checkpointId();
    this.planned = state.planned();
    this.fullyRead =
        inFlightSessionId != null && unfinishedSplitIds.isEmpty() && readThroughCheckpoint < 0;
    this.planningOpen = inFlightSessionId == null;
    this.positionsForPlanning = positions;
  }

  /** The job id from the coordinator's metric scope; the sink matches sessions to its job by it. */
  static String jobIdOf(SplitEnumeratorContext<?> context) {
    try {
      String id = context.metricGroup().getAllVariables().get("<job_id>");
      if (id != null) {
        return id;
      }
    } catch (RuntimeException e) {
      LOG.debug("No job id in the enumerator's metric scope", e);
    }
    return "unknown-" + UUID.randomUUID();
  }

  @Override
  public void start() {
    if (settings.continuous() || inFlightSessionId != null) {
      context.callAsync(this::recover, this::onRecovered);
    } else {
      schedulePlanning();
    }
  }

  /**
   * Runs in the IO pool before any planning: aborts the sessions a restore rolled back and records
   * the restored in-flight session (if any) as this job's, with the read-through mark this state
   * holds.
   */
  @Nullable
  private Session recover() {
    SessionLog log = new SessionLog(catalog(), catalogSpec.metadataNamespace());
    if (settings.continuous()) {
      RolledBackSessions.abort(
          log, settings.processName(), jobId, restoredCheckpoint, inFlightSessionId);
    }
    if (inFlightSessionId == null) {
      return null;
    }
    Session s =
        log.find(settings.processName(), inFlightSessionId)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "Session " + inFlightSessionId + " is missing from the session log"));
    Session owned = s.withJob(jobId, readThroughCheckpoint >= 0 ? readThroughCheckpoint : null);
    log.record(owned);
    return owned;
  }

  /** Runs on the coordinator thread. */
  private void onRecovered(@Nullable Session owned, @Nullable Throwable error) {
    if (error != null) {
      throw new FlinkRuntimeException(
          "Process "
              + settings.processName()
              + ": could not recover the sessions of the restored job"
              + (inFlightSessionId == null ? "" : " (re-record session " + inFlightSessionId + ")")
              + ": "
              + error.getMessage(),
          error);
    }
    if (owned != null) {
      inFlightSession = owned;
      readThroughRecorded = owned.readThroughCheckpoint() != null;
    }
    schedulePlanning();
  }

  private void schedulePlanning() {
    if (settings.continuous()) {
      context.callAsync(this::discover, this::onDiscovered, 0, monitorInterval.toMillis());
    } else if (!planned) {
      context.callAsync(this::discover, this::onDiscovered);
    }
  }

  private Catalog catalog() {
    if (catalog == null) {
      catalog = catalogSpec.open();
    }
    return catalog;
  }

  /** Runs in the IO pool. */
  @Nullable
  private Discovery discover() {
    if (!planningOpen) {
      metrics.updateLag(catalog(), positionsForPlanning);
      return null;
    }
    Map<String, Long> base = positionsForPlanning;
    if (base == null) {
      base =
          HighWatermarkResolver.resolve(
              catalog(),
              new HighWatermarkMirror(catalog(), catalogSpec.metadataNamespace()),
              settings);
    }
    metrics.updateLag(catalog(), base);
    long planningStart = System.nanoTime();
    SessionPlanner planner = new SessionPlanner(catalog(), settings);
    SessionPlan plan = planner.plan(SessionIds.next(), jobId, base);
    metrics.planningTook(planningStart);
    Session session = plan.session();
    Map<String, Long> resolved = base;
    boolean startsFresh = settings.sourceTables().stream().anyMatch(t -> !resolved.containsKey(t));
    if (!session.hasNewSnapshots() && !(startsFresh && Discovery.hasPosition(plan))) {
      if (settings.continuous()) {
        return new Discovery(base, null, List.of());
      }
      Session empty = session.withStatus(SessionStatus.EMPTY);
      new SessionLog(catalog(), catalogSpec.metadataNamespace()).recordNew(empty);
      metrics.sessionEmpty();
      LOG.info(
          "Process {}: nothing new since the high watermark; session {} is EMPTY.",
          settings.processName(),
          session.sessionId());
      return new Discovery(base, null, List.of());
    }
    // Hold further planning until the coordinator has taken (or dropped) this plan.
    planningOpen = false;
    new SessionLog(catalog(), catalogSpec.metadataNamespace()).recordNew(session);
    List<PsybergSplit> splits = new ArrayList<>();
    for (PlannedSnapshot snapshot : plan.snapshots()) {
      splits.addAll(PsybergSplitFactory.splits(session.sessionId(), snapshot, splitSizeBytes));
    }
    if (!splits.isEmpty()) {
      // A reader that pairs a session's removals and additions by key ends the session there.
      splits.set(splits.size() - 1, splits.get(splits.size() - 1).asLastOfSession());
    }
    if (plan.capped()) {
      LOG.info(
          "Process {}: session {} is capped by 'max-snapshots-per-session'; newer snapshots wait"
              + " for the next session.",
          settings.processName(),
          session.sessionId());
    }
    return new Discovery(base, plan, splits);
  }

  /** Runs on the coordinator thread. */
  private void onDiscovered(@Nullable Discovery discovery, @Nullable Throwable error) {
    if (error != null) {
      throw new FlinkRuntimeException(
          "Process "
              + settings.processName()
              + ": planning a session failed: "
              + error.getMessage(),
          error);
    }
    if (!settings.continuous()) {
      planned = true;
    }
    if (discovery == null) {
      return;
    }
    if (positions == null) {
      positions = new LinkedHashMap<>(discovery.base);
      positionsForPlanning = positions;
    }
    SessionPlan plan = discovery.plan;
    if (plan != null) {
      if (inFlightSessionId != null || !Objects.equals(positions, discovery.base)) {
        LOG.warn(
            "Process {}: dropping stale plan {}",
            settings.processName(),
            plan.session().sessionId());
        abortAsync(plan.session());
        planningOpen = inFlightSessionId == null;
      } else {
        accept(plan.session(), discovery.splits);
      }
    }
    assignPending();
  }

  private void accept(Session session, List<PsybergSplit> splits) {
    inFlightSessionId = session.sessionId();
    inFlightSession = session;
    unfinishedSplitIds.clear();
    splits.forEach(s -> unfinishedSplitIds.add(s.splitId()));
    this.splits.add(splits);
    readThroughCheckpoint = -1;
    readThroughRecorded = false;
    fullyRead = splits.isEmpty();
    Map<String, Long> next = new LinkedHashMap<>(positions);
    for (SourceRange r : session.ranges()) {
      next.put(r.table(), r.toSnapshotId());
    }
    positions = next;
    positionsForPlanning = next;
    planningOpen = false;
    metrics.sessionPlanned();
    LOG.info(
        "Process {}: session {} has {} splits: {}",
        settings.processName(),
        session.sessionId(),
        splits.size(),
        session.ranges());
  }

  private void abortAsync(Session session) {
    context.callAsync(
        () -> {
          new SessionLog(catalog(), catalogSpec.metadataNamespace())
              .record(session.withStatus(SessionStatus.ABORTED));
          return null;
        },
        (r, e) -> {
          if (e != null) {
            LOG.warn("Could not mark session {} ABORTED", session.sessionId(), e);
          }
        });
  }

  /**
   * Marks the fully read in-flight session as read through {@code checkpointId}, the one being
   * snapshotted.
   */
  private void markReadThrough(long checkpointId) {
    readThroughCheckpoint = checkpointId;
    Session marked = inFlightSession.withJob(jobId, readThroughCheckpoint);
    inFlightSession = marked;
    String id = marked.sessionId();
    context.callAsync(
        () -> {
          new SessionLog(catalog(), catalogSpec.metadataNamespace()).record(marked);
          return null;
        },
        (r, e) -> {
          if (e != null) {
            throw new FlinkRuntimeException(
                "Process "
                    + settings.processName()
                    + ": could not record that session "
                    + id
                    + " was read",
                e);
          }
          if (id.equals(inFlightSessionId)) {
            readThroughRecorded = true;
          }
        });
  }

  private void assignPending() {
    splits.assign(context, planned);
  }

  @Override
  public void handleSplitRequest(int subtaskId, @Nullable String requesterHostname) {
    this.splits.request(subtaskId);
    assignPending();
  }

  @Override
  public void handleSourceEvent(int subtaskId, SourceEvent sourceEvent) {
    if (sourceEvent instanceof SplitsFinishedEvent) {
      unfinishedSplitIds.removeAll(((SplitsFinishedEvent) sourceEvent).splitIds());
      if (inFlightSessionId != null && unfinishedSplitIds.isEmpty() && readThroughCheckpoint < 0) {
        fullyRead = true;
      }
    }
  }

  /**
   * Called when a reader subtask was reset to the last completed checkpoint while this enumerator
   * kept running (a task failover that does not restore the coordinator). In continuous mode that
   * reader will emit again rows this enumerator already counted as read, possibly after the
   * checkpoint the in-flight session was marked read through, and a session published with that
   * mark would miss them. So the task failover is turned into a global one: everything, this
   * enumerator included, restarts from the same checkpoint and the session bookkeeping matches what
   * the readers and the sink hold.
   */
  @Override
  public void addSplitsBack(List<PsybergSplit> splits, int subtaskId) {
    if (settings.continuous()) {
      throw new FlinkRuntimeException(
          String.format(
              "Process %s: source reader %d was restarted on its own; restarting the whole job from"
                  + " the last checkpoint so that sessions stay whole (a recovery step, not an"
                  + " error of the job).",
              settings.processName(), subtaskId));
    }
    this.splits.putBack(splits);
    assignPending();
  }

  @Override
  public void addReader(int subtaskId) {
    splits.readerStarted(subtaskId);
  }

  @Override
  public PsybergEnumeratorState snapshotState(long checkpointId) {
    if (settings.continuous()
        && inFlightSession != null
        && fullyRead
        && readThroughCheckpoint < 0) {
      // Recorded asynchronously: the sink publishes the session at a completed checkpoint once it
      // sees the mark.
      markReadThrough(checkpointId);
    }
    if (settings.continuous()
        && inFlightSessionId != null
        && readThroughCheckpoint >= 0
        && readThroughCheckpoint <= checkpointId
        && readThroughRecorded) {
      // Every row of the session precedes this checkpoint: the next session may start after it.
      LOG.info(
          "Process {}: session {} read through checkpoint {}",
          settings.processName(),
          inFlightSessionId,
          readThroughCheckpoint);
      inFlightSessionId = null;
      inFlightSession = null;
      unfinishedSplitIds.clear();
      readThroughCheckpoint = -1;
      readThroughRecorded = false;
      fullyRead = false;
      planningOpen = true;
    }
    return new PsybergEnumeratorState(
        positions,
        splits.unassigned(),
        inFlightSessionId,
        unfinishedSplitIds,
        readThroughCheckpoint,
        planned,
        checkpointId);
  }

  @Override
  public void close() throws IOException {
    metrics.close();
    CatalogSpec.close(catalog);
  }
}
