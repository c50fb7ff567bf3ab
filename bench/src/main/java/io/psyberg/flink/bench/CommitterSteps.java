package io.psyberg.flink.bench;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.metrics.PsybergMetric;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import javax.annotation.Nullable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;

/**
 * The steps of one psyberg publish, read from what the sink shows in public: the committer's
 * metrics ({@code stageTimeMs}, {@code auditTimeMs}, {@code publishTimeMs}, through a metric
 * reporter the MiniCluster loads) and the session's row in the session log (its start, taken by the
 * committer when every writer has finished, and its finish, taken just before the PUBLISHED row is
 * written), with the commit time of that row in the log table.
 */
final class CommitterSteps {
  final double committerMillis;
  final double stageMillis;
  final double auditAndPublishMillis;
  final double metadataMillis;

  private CommitterSteps(
      double committerMillis,
      double stageMillis,
      double auditAndPublishMillis,
      double metadataMillis) {
    this.committerMillis = committerMillis;
    this.stageMillis = stageMillis;
    this.auditAndPublishMillis = auditAndPublishMillis;
    this.metadataMillis = metadataMillis;
  }

  /** Adds the reporter that keeps the committer's histograms to a MiniCluster configuration. */
  static void report(Configuration conf) {
    conf.setString(
        "metrics.reporter.psyberg-bench.factory.class", Reporter.Factory.class.getName());
  }

  /**
   * The steps of the one session a finished bounded run of {@code process} published, or null when
   * the log or the metrics do not show them.
   *
   * <p>committer = end of input to the PUBLISHED row committed; audits + publish = the audit and
   * publish histograms; metadata = the session's finish to the log's commit of its row (and any
   * compaction of the log that commit started); stage = the rest (look up the job's sessions, read
   * back the written manifests, stage the files on the audit branch).
   */
  @Nullable
  static CommitterSteps of(CatalogSpec spec, Catalog catalog, String process) {
    List<Session> sessions = new SessionLog(catalog, spec.metadataNamespace()).sessions(process);
    Double audit = Reporter.last(process, PsybergMetric.AUDIT_TIME);
    Double publish = Reporter.last(process, PsybergMetric.PUBLISH_TIME);
    if (sessions.size() != 1
        || sessions.get(0).status() != SessionStatus.PUBLISHED
        || sessions.get(0).finishedAt() == null
        || audit == null
        || publish == null) {
      return null;
    }
    Session s = sessions.get(0);
    long started = s.startedAt().toEpochMilli();
    long finished = s.finishedAt().toEpochMilli();
    Table log = catalog.loadTable(SessionLog.tableIdentifier(spec.metadataNamespace()));
    long logged = finished;
    for (Snapshot snapshot : log.snapshots()) {
      logged = Math.max(logged, snapshot.timestampMillis());
    }
    double committer = logged - started;
    double auditAndPublish = audit + publish;
    double metadata = logged - finished;
    return new CommitterSteps(
        committer, committer - auditAndPublish - metadata, auditAndPublish, metadata);
  }

  /**
   * Keeps the committer histograms of every process, also after the job ended (a bounded job's
   * metrics are removed when it finishes); the MiniCluster runs in this JVM.
   */
  public static final class Reporter implements MetricReporter {
    private static final Map<String, Histogram> HISTOGRAMS = new ConcurrentHashMap<>();

    /** Named in the configuration by {@link CommitterSteps#report}. */
    public static final class Factory implements MetricReporterFactory {
      @Override
      public MetricReporter createMetricReporter(Properties properties) {
        return new Reporter();
      }
    }

    @Nullable
    static Double last(String process, PsybergMetric metric) {
      Histogram h = HISTOGRAMS.get(process + "/" + metric.metricName());
      return h == null || h.getCount() == 0 ? null : (double) h.getStatistics().getMax();
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
      String process = group.getAllVariables().get("<" + PsybergMetric.PROCESS + ">");
      if (process != null && metric instanceof Histogram h) {
        HISTOGRAMS.put(process + "/" + name, h);
      }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {}
  }
}
