package io.psyberg.flink.metrics;

import io.psyberg.flink.sink.audit.AuditResult;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.exceptions.CommitFailedException;

/**
 * The sink committer's metrics: sessions by outcome, rows and files per session, stage, audit and
 * publish latency, audit results per audit, retries and restages. Used from the committer's task
 * thread only; reporters read the counters, gauges and histograms from their own threads.
 */
@Internal
public final class CommitterMetrics {
  private final MetricGroup group;
  private final Counter published;
  private final Counter empty;
  private final Counter failed;
  private final Histogram sessionRecords;
  private final Histogram sessionDataFiles;
  private final Histogram stageTime;
  private final Histogram auditTime;
  private final Histogram publishTime;
  private final Counter retries;
  private final Counter restages;
  private final Map<String, AuditCounters> audits = new HashMap<>();
  private volatile long lastRecords;
  private volatile long lastDataFiles;
  private long auditsEndedNanos;

  public CommitterMetrics(MetricGroup operatorGroup, String processName) {
    group = MetricGroups.processGroup(operatorGroup, processName);
    published = MetricGroups.counter(group, PsybergMetric.SESSIONS_PUBLISHED);
    empty = MetricGroups.counter(group, PsybergMetric.SESSIONS_EMPTY);
    failed = MetricGroups.counter(group, PsybergMetric.SESSIONS_FAILED);
    sessionRecords = MetricGroups.histogram(group, PsybergMetric.SESSION_RECORDS);
    sessionDataFiles = MetricGroups.histogram(group, PsybergMetric.SESSION_DATA_FILES);
    group.gauge(PsybergMetric.LAST_SESSION_RECORDS.metricName(), (Gauge<Long>) () -> lastRecords);
    group.gauge(
        PsybergMetric.LAST_SESSION_DATA_FILES.metricName(), (Gauge<Long>) () -> lastDataFiles);
    stageTime = MetricGroups.histogram(group, PsybergMetric.STAGE_TIME);
    auditTime = MetricGroups.histogram(group, PsybergMetric.AUDIT_TIME);
    publishTime = MetricGroups.histogram(group, PsybergMetric.PUBLISH_TIME);
    retries = MetricGroups.counter(group, PsybergMetric.PUBLISH_RETRIES);
    restages = MetricGroups.counter(group, PsybergMetric.RESTAGES);
  }

  /** Metrics that go nowhere, for a publisher used outside a Flink operator. */
  public static CommitterMetrics unregistered() {
    return new CommitterMetrics(new UnregisteredMetricsGroup(), "unregistered");
  }

  /** The session was staged; {@code startNanos} is when staging began ({@link System#nanoTime}). */
  public void staged(long startNanos) {
    stageTime.update(millisSince(startNanos));
  }

  /** The audits ran from {@code startNanos} with these results. */
  public void audited(List<AuditResult> results, long startNanos) {
    auditsEndedNanos = System.nanoTime();
    auditTime.update(millisSince(startNanos));
    for (AuditResult r : results) {
      AuditCounters c = audits.computeIfAbsent(r.name(), n -> new AuditCounters(group, n));
      (r.passed() ? c.passed : r.blocks() ? c.failed : c.warned).inc();
    }
  }

  /** The session reached main with these data files, after the audits {@link #audited} last. */
  public void published(List<DataFile> dataFiles) {
    publishTime.update(millisSince(auditsEndedNanos));
    long records = dataFiles.stream().mapToLong(DataFile::recordCount).sum();
    lastRecords = records;
    lastDataFiles = dataFiles.size();
    sessionRecords.update(records);
    sessionDataFiles.update(dataFiles.size());
    published.inc();
  }

  public void empty() {
    empty.inc();
  }

  public void failed() {
    failed.inc();
  }

  /**
   * The publish is attempted again. A commit that kept failing against a busy catalog is a retry;
   * anything else (main moved past the stage, the audit branch changed) means another writer, and
   * the session is staged and audited again.
   */
  public void retrying(@Nullable Exception cause) {
    (cause instanceof CommitFailedException ? retries : restages).inc();
  }

  /** Reports the metadata-table compactions the committer's writes did, as counted by them. */
  public void countCompactions(Supplier<Long> compactions) {
    group.gauge(PsybergMetric.METADATA_COMPACTIONS.metricName(), compactions::get);
  }

  private static long millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private static final class AuditCounters {
    final Counter passed;
    final Counter failed;
    final Counter warned;

    AuditCounters(MetricGroup parent, String audit) {
      MetricGroup g = parent.addGroup(PsybergMetric.AUDIT, audit);
      passed = MetricGroups.counter(g, PsybergMetric.AUDITS_PASSED);
      failed = MetricGroups.counter(g, PsybergMetric.AUDITS_FAILED);
      warned = MetricGroups.counter(g, PsybergMetric.AUDITS_WARNED);
    }
  }
}
