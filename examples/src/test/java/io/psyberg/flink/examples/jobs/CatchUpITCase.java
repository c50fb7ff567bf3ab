package io.psyberg.flink.examples.jobs;

import static io.psyberg.flink.examples.testutils.CliRun.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.examples.reliability.Expected;
import io.psyberg.flink.examples.testutils.CliRun;
import io.psyberg.flink.metadata.PublishedHighWatermark;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.metadata.SummaryKeys;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.session.SourceRange;
import io.psyberg.flink.stateful.lifecycle.LifecycleResult;
import io.psyberg.flink.testutils.Waits;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --max-snapshots-per-session} on {@code signups} and {@code lifecycle}: a bounded run over
 * a backlog of 7 snapshots with late events, capped at 3, publishes 3 consecutive sessions (3 + 3 +
 * 1 snapshots) and ends with what a full recompute and an uncapped run give; a failed session stops
 * the run, and the next run resumes from the published high watermark.
 */
class CatchUpITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  private static final String EVENTS = "membership.events";

  @TempDir Path dir;
  private Warehouse wh;

  @BeforeEach
  void open() {
    wh = new Warehouse(dir);
  }

  @AfterEach
  void close() throws Exception {
    wh.close();
  }

  @Test
  void signupsCatchesUpInCappedSessionsAndEqualsAnUncappedRun() {
    List<Long> backlog = generate(7);

    CliRun run = ok(capped("signups", "facts.capped"));
    assertThat(run.out())
        .contains("catching up in sessions of at most 3 new snapshots per source table")
        .contains(
            "more of the backlog is left (--max-snapshots-per-session 3): running the next"
                + " session ...");
    assertThat(count(run.out(), "more of the backlog is left")).isEqualTo(2);
    assertCappedSessions("capped", backlog, List.of("facts.capped"));

    List<String> expected = Expected.signupFacts(wh.catalog(), EVENTS, backlog.get(6));
    assertThat(expected).isNotEmpty();
    assertThat(Expected.published(wh.catalog(), "facts.capped", Expected.FACT_COLUMNS))
        .isEqualTo(expected);
    ok(CliRun.of(cli("signups", "whole", "--target", "facts.whole")));
    assertThat(sessions("whole")).hasSize(1);
    assertThat(Expected.published(wh.catalog(), "facts.whole", Expected.FACT_COLUMNS))
        .isEqualTo(expected);

    // Caught up: the next capped run finds nothing new and runs one EMPTY session.
    CliRun again = ok(capped("signups", "facts.capped"));
    assertThat(again.out()).contains(": EMPTY").doesNotContain("more of the backlog is left");
    assertThat(sessions("capped").get(3).status()).isEqualTo(SessionStatus.EMPTY);
  }

  @Test
  void lifecycleCatchesUpInCappedSessionsAndEqualsAFullRecomputeAndAnUncappedRun() {
    List<Long> backlog = generate(7);

    CliRun run = ok(capped("lifecycle", "capped.account_lifecycle"));
    assertThat(count(run.out(), "more of the backlog is left")).isEqualTo(2);
    assertCappedSessions(
        "capped", backlog, List.of("capped.account_lifecycle", "capped.lifecycle_anomalies"));

    LifecycleResult recompute = Expected.lifecycle(wh.catalog(), EVENTS, backlog.get(6));
    List<String> segments = Expected.segments(recompute);
    List<String> anomalies = Expected.anomalies(recompute);
    assertThat(anomalies).as("the backlog has anomalies to correct").isNotEmpty();
    assertLifecycle("capped", segments, anomalies);

    CliRun whole = ok(CliRun.of(cli("lifecycle", "whole", "--target", "whole.account_lifecycle")));
    assertThat(sessions("whole")).hasSize(1);
    // the run's report names each target's publish of the session
    assertThat(whole.out())
        .containsPattern(
            "published: whole\\.account_lifecycle snapshot \\d+ \\(\\d+ rows added\\),"
                + " whole\\.lifecycle_anomalies snapshot \\d+ \\(\\d+ rows added\\);");
    assertLifecycle("whole", segments, anomalies);

    // Two more snapshots: the next capped run corrects from the published end in one session.
    List<Long> more = generate(2);
    ok(capped("lifecycle", "capped.account_lifecycle"));
    Session fourth = sessions("capped").get(3);
    assertThat(fourth.status()).isEqualTo(SessionStatus.PUBLISHED);
    assertThat(fourth.ranges().get(0).fromSnapshotId()).isEqualTo(backlog.get(6));
    assertThat(fourth.ranges().get(0).toSnapshotId()).isEqualTo(more.get(1));
    LifecycleResult after = Expected.lifecycle(wh.catalog(), EVENTS, more.get(1));
    assertLifecycle("capped", Expected.segments(after), Expected.anomalies(after));
  }

  @Test
  void continuousSignupsCapEachSession() throws Exception {
    List<Long> backlog = generate(5);
    List<String> targets = List.of("facts.continuous");
    runContinuouslyUntilPublished("signups", targets, backlog.get(4));
    assertContinuousPublishes(targets, backlog);
    assertThat(Expected.published(wh.catalog(), "facts.continuous", Expected.FACT_COLUMNS))
        .isEqualTo(Expected.signupFacts(wh.catalog(), EVENTS, backlog.get(4)));
  }

  @Test
  void continuousLifecycleCapsEachSession() throws Exception {
    List<Long> backlog = generate(5);
    List<String> targets = List.of("cont.account_lifecycle", "cont.lifecycle_anomalies");
    runContinuouslyUntilPublished("lifecycle", targets, backlog.get(4));
    assertContinuousPublishes(targets, backlog);
    LifecycleResult recompute = Expected.lifecycle(wh.catalog(), EVENTS, backlog.get(4));
    assertLifecycle("cont", Expected.segments(recompute), Expected.anomalies(recompute));
  }

  /**
   * A landing table whose second snapshot holds a SIGNUP without account_id: the first session is
   * published, the second fails its audit and stops the run (exit 1, the third is not run), and a
   * re-run starts again after the first.
   */
  @Test
  void aFailedSessionStopsTheRunAndTheNextRunResumesFromThePublishedEnd() {
    Schema raw =
        new Schema(
            Types.NestedField.optional(1, "event_id", Types.StringType.get()),
            Types.NestedField.optional(2, "account_id", Types.LongType.get()),
            Types.NestedField.optional(3, "event_type", Types.StringType.get()),
            Types.NestedField.optional(4, "plan", Types.StringType.get()),
            Types.NestedField.optional(5, "event_ts", Types.TimestampType.withoutZone()));
    wh.createTable("landing.events", raw);
    LocalDateTime t = LocalDateTime.of(2026, 1, 1, 8, 0);
    long first = wh.append("landing.events", List.of(event(raw, "e1", 1L, t)));
    wh.append("landing.events", List.of(event(raw, "e2", null, t.plusHours(1))));
    wh.append("landing.events", List.of(event(raw, "e3", 3L, t.plusHours(2))));
    String[] args = {
      "signups",
      "--warehouse",
      wh.dir(),
      "--process",
      "landing",
      "--source",
      "landing.events",
      "--target",
      "facts.landing",
      "--max-snapshots-per-session",
      "1"
    };

    CliRun run = CliRun.of(args);
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.err())
        .startsWith("ERROR: Process landing: session s-")
        .contains("failed its audits; nothing was published to facts.landing");
    assertThat(count(run.out(), "more of the backlog is left")).isEqualTo(1);
    List<Session> log = sessions("landing");
    assertThat(log)
        .extracting(Session::status)
        .containsExactly(SessionStatus.PUBLISHED, SessionStatus.AUDIT_FAILED);
    assertThat(Expected.published(wh.catalog(), "facts.landing", List.of("event_id")))
        .containsExactly("e1|");
    assertThat(hwm("facts.landing", "landing")).isEqualTo(Map.of("landing.events", first));

    CliRun again = CliRun.of(args);
    assertThat(again.exitCode()).as(again.toString()).isEqualTo(1);
    List<Session> resumed = sessions("landing");
    assertThat(resumed).hasSize(3);
    assertThat(resumed.get(2).status()).isEqualTo(SessionStatus.AUDIT_FAILED);
    assertThat(resumed.get(2).ranges().get(0).fromSnapshotId())
        .as("the re-run starts after the published session")
        .isEqualTo(first);
    assertThat(hwm("facts.landing", "landing")).isEqualTo(Map.of("landing.events", first));
  }

  // ---- helpers

  /**
   * The process's sessions: 3 published ones over snapshots (start, 3], (3, 6], (6, 7] of the
   * backlog, each published to every target with its range's end as high watermark.
   */
  private void assertCappedSessions(String process, List<Long> backlog, List<String> targets) {
    List<Session> log = sessions(process);
    assertThat(log)
        .extracting(Session::status)
        .containsExactly(SessionStatus.PUBLISHED, SessionStatus.PUBLISHED, SessionStatus.PUBLISHED);
    Long[][] ranges = {
      {null, backlog.get(2)}, {backlog.get(2), backlog.get(5)}, {backlog.get(5), backlog.get(6)}
    };
    int[] counts = {3, 3, 1};
    for (int i = 0; i < 3; i++) {
      SourceRange r = log.get(i).ranges().get(0);
      assertThat(r.fromSnapshotId()).as("session %d from", i + 1).isEqualTo(ranges[i][0]);
      assertThat(r.toSnapshotId()).as("session %d to", i + 1).isEqualTo(ranges[i][1]);
      assertThat(r.snapshotCount()).as("session %d snapshots", i + 1).isEqualTo(counts[i]);
    }
    for (String target : targets) {
      assertThat(publishedHighWatermarks(target))
          .as("the high watermarks published to %s, one per session", target)
          .containsExactly(backlog.get(2), backlog.get(5), backlog.get(6));
    }
  }

  /**
   * Runs {@code command} continuously as process "cont" into {@code targets} (the first one named
   * by --target), capped at 2 snapshots per session, until every target has published through
   * snapshot {@code end}.
   */
  private void runContinuouslyUntilPublished(String command, List<String> targets, long end)
      throws Exception {
    CliRun.Running runner =
        CliRun.start(
            command + "-continuous",
            cli(
                command,
                "cont",
                "--target",
                targets.get(0),
                "--mode",
                "continuous",
                "--interval",
                "1",
                "--max-snapshots-per-session",
                "2"));
    CliRun run;
    try {
      Waits.await(
          "the continuous " + command + " job publishes through snapshot " + end,
          Duration.ofSeconds(180),
          () -> {
            if (!runner.isAlive()) {
              throw new AssertionError("the command ended: " + runner.result().get());
            }
            return targets.stream()
                .allMatch(t -> Long.valueOf(end).equals(hwm(t, "cont").get(EVENTS)));
          },
          () -> sessions("cont").toString());
    } finally {
      run = runner.stop();
    }
    assertThat(run).as("the command returned").isNotNull();
    assertThat(run.exitCode()).as(run.toString()).isZero();
  }

  /**
   * Sessions of 2 + 2 + 1 snapshots over a backlog of 5 that was there when the job started, as the
   * targets' publishes record them (the session log's rows may trail the publishes of a job that
   * was stopped right after them).
   */
  private void assertContinuousPublishes(List<String> targets, List<Long> backlog) {
    for (String target : targets) {
      assertThat(publishedHighWatermarks(target))
          .as("the high watermarks published to %s, one per session", target)
          .containsExactly(backlog.get(1), backlog.get(3), backlog.get(4));
    }
  }

  /** The source position of each publish to {@code target}, oldest first. */
  private List<Long> publishedHighWatermarks(String target) {
    List<Long> published = new ArrayList<>();
    for (Snapshot s : lineage(wh.load(target))) {
      if (s.summary().get(SummaryKeys.SESSION_IDS) != null) {
        published.add(Long.parseLong(s.summary().get(SummaryKeys.HWM_PREFIX + EVENTS)));
      }
    }
    return published;
  }

  private void assertLifecycle(String namespace, List<String> segments, List<String> anomalies) {
    assertThat(
            Expected.published(
                wh.catalog(), namespace + ".account_lifecycle", Expected.SEGMENT_COLUMNS))
        .isEqualTo(segments);
    assertThat(
            Expected.published(
                wh.catalog(), namespace + ".lifecycle_anomalies", Expected.ANOMALY_COLUMNS))
        .isEqualTo(anomalies);
  }

  /** Appends {@code n} generated batches with late events; returns their snapshot ids in order. */
  private List<Long> generate(int n) {
    int existing =
        wh.catalog().tableExists(TableIdentifier.parse(EVENTS))
            ? lineage(wh.load(EVENTS)).size()
            : 0;
    for (int i = 0; i < n; i++) {
      ok(
          CliRun.of(
              "generate",
              "--warehouse",
              wh.dir(),
              "--table",
              EVENTS,
              "--accounts",
              "30",
              "--events",
              "120",
              "--late-fraction",
              "0.3",
              "--bad-fraction",
              "0.05",
              "--seed",
              Integer.toString(existing + i + 1)));
    }
    List<Long> ids = new ArrayList<>();
    lineage(wh.load(EVENTS)).forEach(s -> ids.add(s.snapshotId()));
    assertThat(ids).hasSize(existing + n);
    return ids.subList(existing, ids.size());
  }

  /** The main branch's snapshots, oldest first. */
  private static List<Snapshot> lineage(Table table) {
    table.refresh();
    List<Snapshot> out = new ArrayList<>();
    for (Snapshot s = table.currentSnapshot();
        s != null;
        s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
      out.add(s);
    }
    Collections.reverse(out);
    return out;
  }

  /** {@code command} as process "capped" into {@code target}, 3 snapshots per session at most. */
  private CliRun capped(String command, String target) {
    return CliRun.of(
        cli(command, "capped", "--target", target, "--max-snapshots-per-session", "3"));
  }

  private String[] cli(String command, String process, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(command, "--warehouse", wh.dir(), "--process", process, "--source", EVENTS));
    args.addAll(Arrays.asList(more));
    return args.toArray(String[]::new);
  }

  private List<Session> sessions(String process) {
    return new SessionLog(wh.catalog(), "psyberg").sessions(process);
  }

  /** The positions {@code process} published to {@code target}; empty while it does not exist. */
  private Map<String, Long> hwm(String target, String process) {
    if (!wh.catalog().tableExists(TableIdentifier.parse(target))) {
      return Map.of();
    }
    return PublishedHighWatermark.find(wh.load(target), process)
        .map(PublishedHighWatermark::positions)
        .orElse(Map.of());
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  private static Record event(Schema schema, String id, Long account, LocalDateTime ts) {
    Record r = GenericRecord.create(schema);
    r.setField("event_id", id);
    r.setField("account_id", account);
    r.setField("event_type", "SIGNUP");
    r.setField("plan", "basic");
    r.setField("event_ts", ts);
    return r;
  }
}
