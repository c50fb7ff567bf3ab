package io.psyberg.flink.examples.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.planning.ScanFilter;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.sink.WriteMode;
import io.psyberg.flink.sink.audit.AuditContext;
import io.psyberg.flink.sink.audit.AuditResult;
import io.psyberg.flink.stateful.lifecycle.Anomaly;
import io.psyberg.flink.stateful.lifecycle.LifecycleEvent;
import io.psyberg.flink.stateful.lifecycle.LifecycleRecompute;
import io.psyberg.flink.stateful.lifecycle.LifecycleResult;
import io.psyberg.flink.stateful.lifecycle.Segment;
import io.psyberg.flink.testutils.Jobs;
import io.psyberg.flink.testutils.Waits;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounded and continuous lifecycle runs over late, out-of-order batches equal a full recompute
 * after every run.
 */
class LifecycleJobITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  private static final Schema EVENTS =
      new Schema(
          Types.NestedField.required(1, "event_id", Types.StringType.get()),
          Types.NestedField.required(2, "account_id", Types.LongType.get()),
          Types.NestedField.required(3, "event_type", Types.StringType.get()),
          Types.NestedField.optional(4, "plan", Types.StringType.get()),
          Types.NestedField.required(5, "event_ts", Types.TimestampType.withoutZone()));
  private static final String[] TYPES = {
    "SIGNUP",
    "PLAN_CHANGE",
    "PAYMENT_HOLD",
    "PAYMENT_RECOVERED",
    "CANCEL",
    "SIGNUP",
    "PLAN_CHANGE",
    "BOGUS"
  };
  private static final String[] PLANS = {"basic", "standard", "premium", null};

  @TempDir Path dir;

  private final List<LifecycleEvent> all = new ArrayList<>();
  private int ids;
  private int accounts = 40;

  private void appendBatch(Catalog catalog, Random rnd, int day, int n) throws Exception {
    Table t = catalog.loadTable(TableIdentifier.parse("membership.events"));
    List<Record> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (rnd.nextInt(30) == 0 && !all.isEmpty()) {
        // A replayed event: the same id, account and content arrives again.
        LifecycleEvent copy = all.get(rnd.nextInt(all.size()));
        Record r = GenericRecord.create(EVENTS);
        r.setField("event_id", copy.eventId());
        r.setField("account_id", copy.accountId());
        r.setField("event_type", copy.eventType());
        r.setField("plan", copy.plan());
        r.setField("event_ts", ts(copy.eventTimeMicros()));
        rows.add(r);
        all.add(copy);
        continue;
      }
      long account = rnd.nextInt(accounts);
      boolean late = rnd.nextInt(5) == 0;
      int d = late ? Math.max(0, day - 1 - rnd.nextInt(3)) : day;
      LocalDateTime ts =
          LocalDateTime.of(2026, 1, 1, 0, 0).plusDays(d).plusMinutes(rnd.nextInt(24 * 60));
      String type = TYPES[rnd.nextInt(TYPES.length)];
      String plan = PLANS[rnd.nextInt(PLANS.length)];
      String id = "e" + (ids++);
      Record r = GenericRecord.create(EVENTS);
      r.setField("event_id", id);
      r.setField("account_id", account);
      r.setField("event_type", type);
      r.setField("plan", plan);
      r.setField("event_ts", ts);
      rows.add(r);
      all.add(
          new LifecycleEvent(
              id, account, type, plan, ts.toEpochSecond(ZoneOffset.UTC) * 1_000_000L));
    }
    GenericAppenderFactory factory = new GenericAppenderFactory(t.schema(), t.spec());
    OutputFileFactory files =
        OutputFileFactory.builderFor(t, 1, day).format(FileFormat.PARQUET).build();
    DataWriter<Record> w = factory.newDataWriter(files.newOutputFile(), FileFormat.PARQUET, null);
    try (DataWriter<Record> closing = w) {
      rows.forEach(closing::write);
    }
    DataFile file = w.toDataFile();
    t.newAppend().appendFile(file).commit();
  }

  private static List<String> read(Catalog catalog, String table, List<String> columns)
      throws Exception {
    Table t = catalog.loadTable(TableIdentifier.parse(table));
    List<String> out = new ArrayList<>();
    if (t.currentSnapshot() == null) {
      return out;
    }
    try (CloseableIterable<Record> rows = IcebergGenerics.read(t).build()) {
      for (Record r : rows) {
        StringBuilder sb = new StringBuilder();
        for (String c : columns) {
          sb.append(r.getField(c)).append('|');
        }
        out.add(sb.toString());
      }
    }
    out.sort(null);
    return out;
  }

  private List<String> expectedSegments() {
    LifecycleResult result = LifecycleRecompute.recompute(all);
    List<String> out = new ArrayList<>();
    for (Segment s : result.segments()) {
      out.add(
          s.accountId()
              + "|"
              + s.segmentNo()
              + "|"
              + s.state()
              + "|"
              + s.plan()
              + "|"
              + ts(s.validFromMicros())
              + "|"
              + (s.validToMicros() == null ? null : ts(s.validToMicros()))
              + "|"
              + s.openedByEventId()
              + "|");
    }
    out.sort(null);
    return out;
  }

  private List<String> expectedAnomalies() {
    List<String> out = new ArrayList<>();
    for (Anomaly a : LifecycleRecompute.recompute(all).anomalies()) {
      out.add(
          a.eventId()
              + "|"
              + a.accountId()
              + "|"
              + a.eventType()
              + "|"
              + ts(a.eventTimeMicros())
              + "|"
              + a.reason()
              + "|");
    }
    out.sort(null);
    return out;
  }

  private static LocalDateTime ts(long micros) {
    return LocalDateTime.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L),
        (int) Math.floorMod(micros, 1_000_000L) * 1000,
        ZoneOffset.UTC);
  }

  private static final List<String> SEGMENT_COLS =
      List.of(
          "account_id",
          "segment_no",
          "state",
          "plan",
          "valid_from",
          "valid_to",
          "opened_by_event_id");
  private static final List<String> ANOMALY_COLS =
      List.of("event_id", "account_id", "event_type", "event_ts", "reason");

  private Catalog setUp(CatalogSpec spec) {
    Catalog catalog = spec.open();
    ((SupportsNamespaces) catalog).createNamespace(Namespace.of("membership"));
    catalog.createTable(
        TableIdentifier.parse("membership.events"),
        EVENTS,
        PartitionSpec.unpartitioned(),
        Map.of(TableProperties.FORMAT_VERSION, "2"));
    return catalog;
  }

  @Test
  void boundedRunsEqualAFullRecomputeAfterEverySession() throws Exception {
    CatalogSpec spec = CatalogSpec.embedded(dir.toString());
    Catalog catalog = setUp(spec);
    Random rnd = new Random(7);
    LifecycleJob job =
        jobWithTargets(
            spec, "lifecycle_b", "membership.account_lifecycle", "membership.lifecycle_anomalies");
    for (int day = 0; day < 4; day++) {
      appendBatch(catalog, rnd, day, 120);
      boundedRun(job).execute("lifecycle bounded " + day);
      assertEqualsRecompute(catalog, day);
      // Into the empty target the first run only inserts (the append writer); later runs correct
      // what is published, by retraction.
      Map<String, String> summary =
          catalog
              .loadTable(TableIdentifier.parse("membership.account_lifecycle"))
              .currentSnapshot()
              .summary();
      long deleteFiles = Long.parseLong(summary.getOrDefault("total-delete-files", "0"));
      if (day == 0) {
        assertThat(deleteFiles).as("delete files after the first run").isZero();
      } else {
        assertThat(deleteFiles).as("delete files after run " + day).isPositive();
        // The contiguity audit, run again on what this run published, reads the months it
        // changed, not from where a rewritten segment opened.
        AuditResult again = auditPublished(catalog);
        assertThat(again.passed()).as(again.observed()).isTrue();
        assertThat(again.observed())
            .contains("(read: open segments")
            .doesNotContain("where a written one opens");
      }
    }
    assertThat(new TreeSet<>(expectedAnomalies())).isNotEmpty();
  }

  /**
   * Past {@link ScanFilter#METRICS_IN_LIMIT} touched accounts the run checks the accounts on the
   * rows it reads instead of in Iceberg's planning: the result is the same.
   */
  @Test
  void boundedRunsTouchingHundredsOfAccountsFilterTheirRowsAndEqualAFullRecompute()
      throws Exception {
    accounts = 2_000;
    CatalogSpec spec = CatalogSpec.embedded(dir.toString());
    Catalog catalog = setUp(spec);
    Random rnd = new Random(11);
    LifecycleJob job =
        jobWithTargets(
            spec, "lifecycle_k", "membership.account_lifecycle", "membership.lifecycle_anomalies");
    for (int day = 0; day < 3; day++) {
      appendBatch(catalog, rnd, day, 600);
      StreamExecutionEnvironment env = boundedRun(job);
      List<String> operators = new ArrayList<>();
      env.getStreamGraph(false).getStreamNodes().forEach(n -> operators.add(n.getOperatorName()));
      assertThat(operators.stream().filter(o -> o.contains("key filter")).count())
          .as("operators of run " + day + ": " + operators)
          .isEqualTo(day == 0 ? 0 : 2); // the lookback events and the published segments
      env.execute("lifecycle bounded, many accounts " + day);
      assertEqualsRecompute(catalog, day);
    }
  }

  /** A job of {@code process} over {@code membership.events}, its two targets created. */
  private static LifecycleJob jobWithTargets(
      CatalogSpec spec, String process, String target, String anomalies) {
    LifecycleJob job =
        new LifecycleJob(spec, process, List.of("membership.events"), target, anomalies);
    job.ensureTargets();
    return job;
  }

  private static StreamExecutionEnvironment boundedRun(LifecycleJob job) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    job.bounded(env);
    return env;
  }

  private void assertEqualsRecompute(Catalog catalog, int day) throws Exception {
    assertThat(read(catalog, "membership.account_lifecycle", SEGMENT_COLS))
        .as("segments after run " + day)
        .containsExactlyElementsOf(expectedSegments());
    assertThat(read(catalog, "membership.lifecycle_anomalies", ANOMALY_COLS))
        .as("anomalies after run " + day)
        .containsExactlyElementsOf(expectedAnomalies());
  }

  /** The contiguity audit of the last publish of {@code account_lifecycle}, run again. */
  private static AuditResult auditPublished(Catalog catalog) throws Exception {
    Table table = catalog.loadTable(TableIdentifier.parse("membership.account_lifecycle"));
    Snapshot published = table.currentSnapshot();
    while (DataOperations.REPLACE.equals(published.operation())) {
      published = table.snapshot(published.parentId()); // a compaction after the publish
    }
    List<DataFile> data = new ArrayList<>();
    published.addedDataFiles(table.io()).forEach(f -> data.add(f.copy()));
    List<DeleteFile> deletes = new ArrayList<>();
    published.addedDeleteFiles(table.io()).forEach(f -> deletes.add(f.copy()));
    Session session =
        Session.builder()
            .sessionId("again")
            .processName("lifecycle_b")
            .mode("bounded")
            .jobId("j")
            .targetTable("membership.account_lifecycle")
            .status(SessionStatus.PLANNED)
            .startedAt(Instant.now())
            .build();
    return new LifecycleContiguityAudit()
        .run(
            new AuditContext(
                catalog,
                table,
                published,
                published.parentId(),
                data,
                deletes,
                session,
                WriteMode.RETRACT));
  }

  @Test
  void continuousJobEqualsAFullRecompute() throws Exception {
    CatalogSpec spec = CatalogSpec.embedded(dir.toString());
    Catalog catalog = setUp(spec);
    Random rnd = new Random(11);
    LifecycleJob job =
        jobWithTargets(spec, "lifecycle_c", "membership.lc_lifecycle", "membership.lc_anomalies");
    appendBatch(catalog, rnd, 0, 100);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.enableCheckpointing(300);
    job.continuous(env, Duration.ofMillis(200), null);
    JobClient client = env.executeAsync("lifecycle continuous");
    try {
      for (int day = 1; day < 4; day++) {
        appendBatch(catalog, rnd, day, 100);
      }
      // A hang guard only: the job converges as soon as it has read the four batches.
      Waits.holdsWithin(
          Duration.ofSeconds(180),
          () ->
              read(catalog, "membership.lc_lifecycle", SEGMENT_COLS).equals(expectedSegments())
                  && read(catalog, "membership.lc_anomalies", ANOMALY_COLS)
                      .equals(expectedAnomalies()));
      assertThat(read(catalog, "membership.lc_lifecycle", SEGMENT_COLS))
          .containsExactlyElementsOf(expectedSegments());
      assertThat(read(catalog, "membership.lc_anomalies", ANOMALY_COLS))
          .containsExactlyElementsOf(expectedAnomalies());
    } finally {
      Jobs.cancelAndWait(client);
    }
  }
}
