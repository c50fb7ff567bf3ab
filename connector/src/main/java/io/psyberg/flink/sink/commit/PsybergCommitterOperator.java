package io.psyberg.flink.sink.commit;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.metrics.CommitterMetrics;
import io.psyberg.flink.session.Processing;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.sink.WriteMode;
import io.psyberg.flink.sink.audit.AuditSpec;
import io.psyberg.flink.sink.compaction.TargetCompaction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single committer of a psyberg sink (parallelism 1). It keeps the writers' committables in
 * state until their session is complete — end of input in bounded mode; in continuous mode a
 * session read through a completed checkpoint — then hands them to {@link SessionPublisher}.
 * Sessions are matched to this job through the session log; a job without a psyberg source
 * publishes each checkpoint on its own.
 */
@Internal
public final class PsybergCommitterOperator extends AbstractStreamOperator<Void>
    implements OneInputStreamOperator<byte[], Void>, BoundedOneInput {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(PsybergCommitterOperator.class);

  private final CatalogSpec catalogSpec;
  private final String targetTable;
  private final String processName;
  private final WriteMode writeMode;
  private final List<AuditSpec> audits;
  @Nullable private final String overwriteColumn;
  private final TargetCompaction compaction;
  private final PublishHook hook;
  private final boolean continuousInput;

  private transient ListState<byte[]> state;
  private transient TreeMap<Long, List<PsybergCommittable>> pending;
  private transient Set<String> done;
  private transient Catalog catalog;
  private transient SessionPublisher publisher;
  private transient SessionLog sessionLog;
  private transient String jobId;
  private transient CommitterMetrics metrics;
  // Read-through marks that a failed attempt recorded for checkpoints after the one this job
  // restored from: those checkpoints never completed, so the marks say nothing about what was
  // committed. The source re-records or aborts such sessions after the restore; until their mark
  // changes they are not ready, whatever checkpoint completes meanwhile.
  private transient Map<String, Long> staleMarks;

  /**
   * @param continuousInput the input has an unbounded source: sessions can only be published at
   *     checkpoints
   */
  public PsybergCommitterOperator(
      CatalogSpec catalogSpec,
      String targetTable,
      String processName,
      WriteMode writeMode,
      List<AuditSpec> audits,
      @Nullable String overwriteColumn,
      TargetCompaction compaction,
      PublishHook hook,
      boolean continuousInput) {
    this.continuousInput = continuousInput;
    this.catalogSpec = catalogSpec;
    this.targetTable = targetTable;
    this.processName = processName;
    this.writeMode = writeMode;
    this.audits = List.copyOf(audits);
    this.overwriteColumn = overwriteColumn;
    this.compaction = compaction;
    this.hook = hook;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    if (continuousInput && !getOperatorConfig().isCheckpointingEnabled()) {
      throw new PsybergException(
          String.format(
              "Process %s: the sink of %s is fed by a continuous source and publishes at"
                  + " checkpoints, but checkpointing is off, so nothing would ever be published."
                  + " Enable it, e.g. env.enableCheckpointing(10_000) or SET"
                  + " 'execution.checkpointing.interval' = '10s'.",
              processName, targetTable));
    }
    pending = new TreeMap<>();
    done = new HashSet<>();
    staleMarks = new HashMap<>();
    jobId = getRuntimeContext().getJobId().toString();
    catalog = catalogSpec.open();
    sessionLog = new SessionLog(catalog, catalogSpec.metadataNamespace());
    publisher =
        new SessionPublisher(
            catalog,
            catalogSpec.metadataNamespace(),
            TableIdentifier.parse(targetTable),
            processName,
            writeMode,
            audits,
            overwriteColumn,
            hook);
    metrics = new CommitterMetrics(getMetricGroup(), processName);
    publisher.measuredBy(metrics);
    publisher.compactWith(compaction);
    metrics.countCompactions(() -> publisher.metadataCompactions() + sessionLog.compactions());
    state =
        context
            .getOperatorStateStore()
            .getListState(
                new ListStateDescriptor<>(
                    "psyberg-committables", BytePrimitiveArraySerializer.INSTANCE));
    if (context.isRestored()) {
      for (byte[] bytes : state.get()) {
        PsybergCommittable c = CommittableState.read(bytes);
        // Committables of an earlier job (restored from a savepoint) now belong to this job.
        pending.computeIfAbsent(c.checkpointId(), k -> new ArrayList<>()).add(c);
      }
      long restored = context.getRestoredCheckpointId().orElse(-1L);
      rememberStaleMarks(restored);
      LOG.info(
          "Process {}: committer restored {} pending checkpoints at checkpoint {}",
          processName,
          pending.size(),
          restored);
      publishReady(restored);
    }
  }

  private void rememberStaleMarks(long restoredCheckpoint) {
    if (!continuousInput || restoredCheckpoint < 0) {
      return;
    }
    for (Session s : sessionsOfThisJob()) {
      Long mark = s.readThroughCheckpoint();
      if (mark != null && mark > restoredCheckpoint && s.status().isOpen()) {
        LOG.info(
            "Process {}: session {} was marked read through checkpoint {}, after checkpoint {} this"
                + " job restored from; it waits for the source to read it again.",
            processName,
            s.sessionId(),
            mark,
            restoredCheckpoint);
        staleMarks.put(s.sessionId(), mark);
      }
    }
  }

  @Override
  public void processElement(StreamRecord<byte[]> element) throws Exception {
    PsybergCommittable c = CommittableState.read(element.getValue());
    pending.computeIfAbsent(c.checkpointId(), k -> new ArrayList<>()).add(c);
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    List<byte[]> bytes = new ArrayList<>();
    for (List<PsybergCommittable> list : pending.values()) {
      for (PsybergCommittable c : list) {
        bytes.add(CommittableState.write(c));
      }
    }
    state.update(bytes);
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) throws Exception {
    super.notifyCheckpointComplete(checkpointId);
    publishReady(checkpointId);
  }

  /** Continuous: publishes every session of this job read through a completed checkpoint. */
  private void publishReady(long completedCheckpoint) {
    if (completedCheckpoint < 0) {
      return;
    }
    List<Session> mine = sessionsOfThisJob();
    List<Session> ready =
        mine.stream()
            .filter(
                s ->
                    s.readThroughCheckpoint() != null
                        && s.readThroughCheckpoint() <= completedCheckpoint)
            .filter(s -> !done.contains(s.sessionId()))
            .filter(s -> s.status().isPublishable())
            .filter(s -> !s.readThroughCheckpoint().equals(staleMarks.get(s.sessionId())))
            .sorted(Comparator.comparing(Session::readThroughCheckpoint))
            .collect(Collectors.toList());
    for (Session session : ready) {
      publishUpTo(session, session.readThroughCheckpoint());
    }
    if (mine.isEmpty() && !pending.headMap(completedCheckpoint, true).isEmpty()) {
      publishUpTo(
          standalone(standalonePrefix() + completedCheckpoint, Instant.now()), completedCheckpoint);
    }
  }

  @Override
  public void endInput() {
    Instant began = Instant.now();
    List<Session> mine = sessionsOfThisJob();
    List<Session> candidates =
        mine.stream()
            .filter(s -> !done.contains(s.sessionId()))
            .filter(s -> s.status().isOpen())
            .sorted(Comparator.comparing(Session::startedAt))
            .collect(Collectors.toList());
    if (!candidates.isEmpty()) {
      // After a restart without a checkpoint the source planned afresh: the newest session is this
      // attempt's; older ones of this job were never published and are superseded.
      Session current = candidates.get(candidates.size() - 1);
      for (Session old : candidates.subList(0, candidates.size() - 1)) {
        LOG.info(
            "Process {}: session {} was superseded by {} after a restart; marking it ABORTED.",
            processName,
            old.sessionId(),
            current.sessionId());
        sessionLog.record(
            old.finished(SessionStatus.ABORTED, targetTable, null, old.auditResults()));
      }
      publishUpTo(current, Long.MAX_VALUE);
    } else if (!pending.isEmpty() && mine.isEmpty()) {
      publishUpTo(standalone(standalonePrefix() + "end", began), Long.MAX_VALUE);
    }
  }

  private void publishUpTo(Session session, long checkpointId) {
    List<PsybergCommittable> committables = new ArrayList<>();
    pending.headMap(checkpointId, true).values().forEach(committables::addAll);
    try {
      publisher.publish(session, committables, jobId, checkpointId);
    } catch (RuntimeException e) {
      metrics.failed();
      throw e;
    }
    pending.headMap(checkpointId, true).clear();
    done.add(session.sessionId());
  }

  /**
   * The sessions a psyberg source of this job planned. The committer's own sessions (see {@link
   * #standalone}) are left out: they do not make the job one with a psyberg source.
   */
  private List<Session> sessionsOfThisJob() {
    String own = standalonePrefix();
    return sessionLog.sessionsOfJob(processName, jobId).stream()
        .filter(s -> !s.sessionId().startsWith(own))
        .collect(Collectors.toList());
  }

  private String standalonePrefix() {
    return "sink-" + jobId + "-";
  }

  /**
   * A session for a sink fed by something other than a psyberg source: no source ranges, no HWM. It
   * starts when the committer began looking for its job's sessions.
   */
  private Session standalone(String id, Instant startedAt) {
    return Session.builder()
        .sessionId(id)
        .processName(processName)
        .mode("bounded")
        .processing(Processing.STATELESS)
        .jobId(jobId)
        .targetTable(targetTable)
        .status(SessionStatus.PLANNED)
        .startedAt(startedAt)
        .build();
  }

  @Override
  public void close() throws Exception {
    if (publisher != null) {
      publisher.close();
    }
    CatalogSpec.close(catalog);
    super.close();
  }
}
