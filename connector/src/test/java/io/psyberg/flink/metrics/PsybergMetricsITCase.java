package io.psyberg.flink.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.metrics.RecordingReporter.Reported;
import io.psyberg.flink.sink.PsybergSink;
import io.psyberg.flink.sink.PsybergSinkBuilder;
import io.psyberg.flink.sink.audit.Severity;
import io.psyberg.flink.source.PsybergSource;
import io.psyberg.flink.source.PsybergSourceBuilder;
import io.psyberg.flink.testutils.Failures;
import io.psyberg.flink.testutils.Jobs;
import io.psyberg.flink.testutils.Pipelines;
import io.psyberg.flink.testutils.Waits;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * psyberg's metrics as a reporter sees them: the MiniCluster loads {@link RecordingReporter} by its
 * factory class from its configuration, like any reporter, for a bounded run, a run with nothing
 * new, a failed audit and a continuous run.
 */
class PsybergMetricsITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setConfiguration(reporterConfig())
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  private static final LocalDateTime DAY1 = LocalDateTime.of(2026, 1, 1, 8, 0);
  private static final String SRC = "membership.events";
  private static final String DST = "facts.events_copy";
  private static final Duration WAIT = Duration.ofMinutes(3);

  @TempDir Path dir;
  private Warehouse wh;

  private static Configuration reporterConfig() {
    Configuration conf = new Configuration();
    conf.setString(
        "metrics.reporter.recording.factory.class", RecordingReporter.Factory.class.getName());
    return conf;
  }

  @BeforeEach
  void setUp() {
    wh = new Warehouse(dir);
    wh.createEventsTable(SRC);
    wh.createEventsTable(DST);
  }

  @AfterEach
  void tearDown() throws Exception {
    wh.close();
  }

  private PsybergSourceBuilder source(String process) {
    return PsybergSource.builder().catalog(wh.spec()).processName(process).tables(SRC);
  }

  @Test
  void boundedRunsReportSessionsLagFilesAuditsAndAFailedAudit() throws Exception {
    wh.append(SRC, Warehouse.events("a", 3, DAY1));
    wh.append(SRC, Warehouse.events("b", 2, DAY1));
    wh.append(SRC, Warehouse.events("c", 4, DAY1));
    Table src = wh.load(SRC);
    long lagSeconds =
        (src.currentSnapshot().timestampMillis() - oldest(src).timestampMillis()) / 1000;

    String job =
        Pipelines.run(
                source("m1").build(),
                sink("m1")
                    .auditNotNull(List.of("account_id"))
                    .auditRowCountMatchesSource(null)
                    .build(),
                2)
            .getJobID()
            .toString();
    Table target = wh.load(DST);
    List<DataFile> published = addedDataFiles(target);

    Metrics m = new Metrics(job, "m1");
    assertThat(m.count("sessionsPlanned", "source")).isEqualTo(1);
    assertThat(m.histogramCount("planningTimeMs")).isEqualTo(1);
    assertThat(m.gauge("hwmLagSnapshots", "table", SRC)).isEqualTo(3L);
    assertThat(m.gauge("hwmLagSeconds", "table", SRC)).isEqualTo(lagSeconds);
    assertThat(m.count("recordsWritten", "writer")).isEqualTo(9);
    assertThat(m.count("dataFilesWritten", "writer")).isEqualTo(published.size());
    assertThat(m.count("deleteFilesWritten", "writer")).isZero();
    assertThat(m.count("sessionsPublished", "committer")).isEqualTo(1);
    assertThat(m.count("sessionsEmpty", "committer")).isZero();
    assertThat(m.count("sessionsFailed", "committer")).isZero();
    assertThat(m.gauge("lastSessionRecords")).isEqualTo(9L);
    assertThat(m.gauge("lastSessionDataFiles")).isEqualTo((long) published.size());
    assertThat(m.histogramMax("sessionRecords")).isEqualTo(9);
    for (String latency : List.of("stageTimeMs", "auditTimeMs", "publishTimeMs")) {
      assertThat(m.histogramCount(latency)).as(latency).isEqualTo(1);
    }
    assertThat(m.count("passed", "audit", "not-null")).isEqualTo(1);
    assertThat(m.count("passed", "audit", "row-count")).isEqualTo(1);
    assertThat(m.count("failed", "audit", "not-null")).isZero();
    assertThat(m.count("publishRetries", "committer")).isZero();
    assertThat(m.count("restages", "committer")).isZero();
    assertThat(m.gauge("metadataCompactions")).isEqualTo(0L);
    assertThat(m.reported())
        .as("every metric of PsybergMetric is reported")
        .containsAll(
            List.of(PsybergMetric.values()).stream()
                .map(PsybergMetric::metricName)
                .collect(Collectors.toList()));

    // Nothing new: the source counts an EMPTY session and sees no lag.
    String emptyJob =
        Pipelines.run(source("m1").build(), sink("m1").build(), 1).getJobID().toString();
    Metrics empty = new Metrics(emptyJob, "m1");
    assertThat(empty.count("sessionsEmpty", "source")).isEqualTo(1);
    assertThat(empty.count("sessionsPlanned", "source")).isZero();
    assertThat(empty.gauge("hwmLagSnapshots", "table", SRC)).isEqualTo(0L);

    // A failed audit: nothing published, the session counted failed, each audit's result counted.
    List<Record> bad = Warehouse.events("bad", 2, DAY1);
    bad.add(Warehouse.event("dup", 7, "SIGNUP", null, DAY1));
    wh.append(SRC, bad);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    sink("m1")
        .auditNotNull(List.of("plan"))
        .auditRowBounds(null, 2L)
        .severity("max-rows", Severity.WARN)
        .build()
        .append(env.fromSource(source("m1").build(), WatermarkStrategy.noWatermarks(), "src"));
    JobClient failing = env.executeAsync("failing audit");
    assertThatThrownBy(() -> failing.getJobExecutionResult().get())
        .satisfies(e -> assertThat(Failures.messages(e)).contains("failed its audits"));
    Metrics failed = new Metrics(failing.getJobID().toString(), "m1");
    assertThat(failed.count("sessionsFailed", "committer")).isEqualTo(1);
    assertThat(failed.count("sessionsPublished", "committer")).isZero();
    assertThat(failed.count("failed", "audit", "not-null")).isEqualTo(1);
    assertThat(failed.count("warned", "audit", "max-rows")).isEqualTo(1);
    assertThat(failed.count("passed", "audit", "max-rows")).isZero();
    assertThat(failed.histogramCount("publishTimeMs")).isZero();
    assertThat(failed.gauge("hwmLagSnapshots", "table", SRC)).isEqualTo(1L);
  }

  @Test
  void aContinuousRunReportsEachPublishedSessionAndCatchesUpToTheHead() throws Exception {
    wh.append(SRC, Warehouse.events("a", 5, DAY1));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.enableCheckpointing(300);
    sink("m2")
        .build()
        .append(
            env.fromSource(
                source("m2").continuous(Duration.ofMillis(200)).build(),
                WatermarkStrategy.noWatermarks(),
                "src"));
    JobClient job = env.executeAsync("continuous m2");
    try {
      Metrics m = new Metrics(job.getJobID().toString(), "m2");
      Waits.await(
          "a first session published",
          WAIT,
          () -> m.count("sessionsPublished", "committer") >= 1,
          () -> "published: " + m.count("sessionsPublished", "committer"));
      wh.append(SRC, Warehouse.events("b", 2, DAY1));
      wh.append(SRC, Warehouse.events("c", 3, DAY1));
      Waits.await(
          "10 rows in " + DST + " and 10 records written",
          WAIT,
          () ->
              Pipelines.ids(wh.load(DST)).size() == 10 && m.count("recordsWritten", "writer") == 10,
          () ->
              Pipelines.ids(wh.load(DST)).size()
                  + " rows, "
                  + m.count("recordsWritten", "writer")
                  + " written");
      Waits.await(
          "no snapshot lag on " + SRC,
          WAIT,
          () -> Long.valueOf(0).equals(m.gauge("hwmLagSnapshots", "table", SRC)),
          () -> "lag: " + m.gauge("hwmLagSnapshots", "table", SRC));
      // A publish updates the gauges and histograms a moment before the counter: read them once
      // they agree, not in between.
      Waits.await(
          "the histograms to count every published session",
          WAIT,
          () -> {
            long published = m.count("sessionsPublished", "committer");
            return m.histogramCount("sessionRecords") == published
                && m.histogramCount("stageTimeMs") == published;
          },
          () ->
              "published "
                  + m.count("sessionsPublished", "committer")
                  + ", sessionRecords "
                  + m.histogramCount("sessionRecords")
                  + ", stageTimeMs "
                  + m.histogramCount("stageTimeMs"));
      long sessions = m.count("sessionsPublished", "committer");
      assertThat(sessions).isBetween(2L, 3L);
      assertThat(m.count("sessionsPlanned", "source")).isGreaterThanOrEqualTo(sessions);
      assertThat(m.histogramCount("sessionRecords")).isEqualTo(sessions);
      assertThat(m.histogramCount("stageTimeMs")).isEqualTo(sessions);
      assertThat(m.count("sessionsFailed", "committer")).isZero();
      assertThat(m.gauge("hwmLagSeconds", "table", SRC)).isEqualTo(0L);
    } finally {
      Jobs.cancelAndWait(job);
    }
  }

  /** The README's lag query names the metric as Flink's Prometheus reporter exports it. */
  @Test
  void readmeLagQueryUsesTheExportedName() throws Exception {
    wh.append(SRC, Warehouse.events("a", 1, DAY1));
    String job = Pipelines.run(source("m3").build(), sink("m3").build(), 1).getJobID().toString();
    Reported lag = new Metrics(job, "m3").find("hwmLagSnapshots", "table", SRC);
    String prometheusName =
        "flink_" + lag.logicalScope.replaceAll("[^a-zA-Z0-9:_]", "_") + "_" + lag.name;
    assertThat(Files.readString(Path.of("..", "README.md"))).contains(prometheusName + "{");
  }

  private PsybergSinkBuilder sink(String process) {
    return PsybergSink.builder().catalog(wh.spec()).processName(process).table(DST);
  }

  private static Snapshot oldest(Table table) {
    Snapshot s = table.currentSnapshot();
    while (s.parentId() != null) {
      s = table.snapshot(s.parentId());
    }
    return s;
  }

  private static List<DataFile> addedDataFiles(Table table) {
    List<DataFile> files = new ArrayList<>();
    table.currentSnapshot().addedDataFiles(table.io()).forEach(files::add);
    return files;
  }

  /** The psyberg metrics one job of one process reported. */
  private static final class Metrics {
    private final String job;
    private final String process;

    Metrics(String job, String process) {
      this.job = job;
      this.process = process;
    }

    List<Reported> all() {
      return RecordingReporter.ofJob(job).stream()
          .filter(r -> process.equals(r.variable(PsybergMetric.PROCESS)))
          .collect(Collectors.toList());
    }

    List<String> reported() {
      return all().stream().map(r -> r.name).distinct().collect(Collectors.toList());
    }

    /**
     * The metrics of that name; {@code where} is "source", "writer" or "committer" (by the
     * operator), or a variable and its value ("table", SRC).
     */
    List<Reported> named(String name, String... where) {
      return all().stream()
          .filter(r -> r.name.equals(name))
          .filter(r -> where.length == 0 || matches(r, where))
          .collect(Collectors.toList());
    }

    private static boolean matches(Reported r, String[] where) {
      if (where.length == 2) {
        return where[1].equals(r.variable(where[0]));
      }
      boolean source = r.logicalScope.startsWith("jobmanager");
      switch (where[0]) {
        case "source":
          return source;
        case "writer":
          return !source && r.variable("operator_name").contains("writer");
        case "committer":
          return !source && r.variable("operator_name").contains("committer");
        default:
          throw new IllegalArgumentException(where[0]);
      }
    }

    Reported find(String name, String... where) {
      List<Reported> found = named(name, where);
      assertThat(found).as("%s %s in %s", name, List.of(where), all()).hasSize(1);
      return found.get(0);
    }

    /** Summed over subtasks (writers run in parallel); 0 before the metric is registered. */
    long count(String name, String... where) {
      return named(name, where).stream().mapToLong(r -> ((Counter) r.metric).getCount()).sum();
    }

    Object gauge(String name, String... where) {
      return ((Gauge<?>) find(name, where).metric).getValue();
    }

    long histogramCount(String name) {
      return ((Histogram) find(name).metric).getCount();
    }

    long histogramMax(String name) {
      return ((Histogram) find(name).metric).getStatistics().getMax();
    }
  }
}
