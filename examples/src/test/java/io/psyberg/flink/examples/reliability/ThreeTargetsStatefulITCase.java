package io.psyberg.flink.examples.reliability;

import static io.psyberg.flink.examples.reliability.ActivityJob.ANOMALIES_TARGET;
import static io.psyberg.flink.examples.reliability.ActivityJob.COUNTS_TARGET;
import static io.psyberg.flink.examples.reliability.ActivityJob.EVENTS_TARGET;
import static io.psyberg.flink.examples.reliability.ActivityJob.TARGETS;
import static io.psyberg.flink.examples.reliability.EventBatches.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.stateful.sequence.EventSequences;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.annotation.Nullable;
import org.apache.flink.api.common.restartstrategy.RestartStrategies;
import org.apache.flink.api.common.time.Time;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A stateful process with three targets (a user's own keyed logic, {@link AccountActivity}, built
 * on the bounded building block), stopped twice between publishes so that its three targets stand
 * at three different high watermarks, then run to the end after late events that change what every
 * target holds: each target must equal the full recompute over the events its own high watermark
 * covers after every stop, and over all events at the end. Each stop is injected right after the
 * armed target's publish (the others are held until then), not timed. A continuous job of the same
 * logic, failed between its targets' publishes and restored from its checkpoint, converges too.
 */
class ThreeTargetsStatefulITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER = StopAfterFirstPublish.miniCluster();

  static final String EVENTS = "membership.events";
  static final String PROCESS = "activity";
  private static final AccountActivity MACHINE = new AccountActivity();

  @TempDir Path dir;
  private Warehouse wh;
  private PublishChecks checks;

  @BeforeEach
  void open() {
    wh = new Warehouse(dir);
    for (String target : TARGETS) {
      wh.createTable(
          target,
          target.equals(EVENTS_TARGET)
              ? ActivityJob.EVENT_ROWS
              : target.equals(COUNTS_TARGET) ? ActivityJob.COUNT_ROWS : ActivityJob.ANOMALY_ROWS);
    }
    checks = new PublishChecks(wh.catalog(), PROCESS);
  }

  @AfterEach
  void close() throws Exception {
    StopAfterFirstPublish.disarm();
    wh.close();
  }

  @ParameterizedTest(name = "stopped after {0}, then after {1}")
  @CsvSource({
    ANOMALIES_TARGET + "," + EVENTS_TARGET,
    EVENTS_TARGET + "," + COUNTS_TARGET,
    COUNTS_TARGET + "," + ANOMALIES_TARGET,
  })
  void threeTargetsAtThreeHighWatermarksConverge(String first, String second) throws Exception {
    EventBatches batches = new EventBatches(wh, EVENTS, 7, "r", true).create();
    // Account 100 holds before it signs up: an anomaly that a late signup will retract.
    batches.land(40);
    batches.land(event("c-hold", 100, "PAYMENT_HOLD", null, "2026-01-03T10:00"));
    run();
    assertExactAtHead();
    long s1 = head();

    batches.land(30);
    batches.land(event("c-plan", 100, "PLAN_CHANGE", "premium", "2026-01-04T10:00"));
    runStoppedAfter(first);
    long s2 = head();

    // The late signup retracts both of account 100's anomalies and shifts its later ordinals.
    batches.land(30);
    batches.land(event("c-signup", 100, "SIGNUP", "basic", "2026-01-03T09:00"));
    runStoppedAfter(second);
    long s3 = head();
    String third =
        TARGETS.stream().filter(t -> !t.equals(first) && !t.equals(second)).findFirst().get();
    assertThat(checks.highWatermark(first, EVENTS)).as("HWM of %s", first).isEqualTo(s2);
    assertThat(checks.highWatermark(second, EVENTS)).as("HWM of %s", second).isEqualTo(s3);
    assertThat(checks.highWatermark(third, EVENTS)).as("HWM of %s", third).isEqualTo(s1);

    // Earlier than everything of account 100: a new anomaly, and every ordinal moves by one.
    batches.land(30);
    batches.land(event("c-early", 100, "PLAN_CHANGE", null, "2026-01-01T08:00"));
    run();
    assertExactAtHead();
  }

  /**
   * A continuous job fails right after the armed target's publish of a session while the other two
   * are held; Flink restores it from its last checkpoint, where the held targets publish as their
   * committers start. After late events that change what every target holds, all three equal the
   * full recompute.
   */
  @ParameterizedTest(name = "continuous, stopped after {0}")
  @ValueSource(strings = {EVENTS_TARGET, COUNTS_TARGET, ANOMALIES_TARGET})
  void continuousJobStoppedBetweenPublishesConverges(String first) throws Exception {
    EventBatches batches = new EventBatches(wh, EVENTS, 11, "r", true).create();
    batches.land(40);
    batches.land(event("c-hold", 100, "PAYMENT_HOLD", null, "2026-01-03T10:00"));
    JobClient client = startContinuous();
    try {
      awaitExactAtHead(client);
      StopAfterFirstPublish.armContinuous(first, false);
      batches.land(30);
      batches.land(event("c-plan", 100, "PLAN_CHANGE", "premium", "2026-01-04T10:00"));
      StopAfterFirstPublish.awaitStop(client);
      batches.land(30);
      batches.land(
          event("c-signup", 100, "SIGNUP", "basic", "2026-01-03T09:00"),
          event("c-early", 100, "PLAN_CHANGE", null, "2026-01-01T08:00"));
      awaitExactAtHead(client);
    } finally {
      StopAfterFirstPublish.cancel(client);
    }
  }

  /** Restarts are the stop's way back (and a held target's, see {@link StopAfterFirstPublish}). */
  private JobClient startContinuous() throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.enableCheckpointing(200);
    env.setRestartStrategy(RestartStrategies.fixedDelayRestart(10, Time.milliseconds(100)));
    new ActivityJob(wh.spec(), PROCESS, EVENTS, new StopAfterFirstPublish())
        .continuous(env, Duration.ofMillis(200));
    return env.executeAsync("activity continuous");
  }

  /**
   * Waits until every target equals the full recompute at the source's head, while the job runs.
   */
  private void awaitExactAtHead(JobClient client) throws Exception {
    StopAfterFirstPublish.awaitWhileRunning(client, this::assertExactAtHead);
  }

  private void runStoppedAfter(String target) {
    StopAfterFirstPublish.arm(target, false);
    assertThatThrownBy(this::run)
        .satisfies(
            e -> assertThat(FaultInjectionITCase.messages(e)).contains("stopped right after"));
    assertThat(StopAfterFirstPublish.fired()).isTrue();
    StopAfterFirstPublish.disarm();
    assertAtHighWatermarks();
  }

  private void run() throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    new ActivityJob(wh.spec(), PROCESS, EVENTS, new StopAfterFirstPublish()).bounded(env);
    env.execute("activity bounded");
  }

  /** Every target equals the full recompute over the events its own high watermark covers. */
  private void assertAtHighWatermarks() {
    for (String target : TARGETS) {
      checks.publishedSessions(target);
      Long hwm = checks.highWatermark(target, EVENTS);
      SameRows.assertSame(
          target + " published with high watermark " + hwm,
          published(target),
          expected(target, hwm));
    }
  }

  private void assertExactAtHead() {
    for (String target : TARGETS) {
      SameRows.assertSame(target, published(target), expected(target, head()));
    }
    checks.assertAtHead(TARGETS, EVENTS);
    checks.assertConsistent(TARGETS, List.of(EVENTS));
  }

  private long head() {
    return wh.load(EVENTS).currentSnapshot().snapshotId();
  }

  /**
   * The target's rows rendered as its columns joined by '|', sorted (a read that applies position
   * deletes also returns their {@code _pos}, which is not rendered).
   */
  private List<String> published(String target) {
    List<String> columns = new ArrayList<>();
    wh.load(target).schema().columns().forEach(c -> columns.add(c.name()));
    return Expected.published(wh.catalog(), target, columns);
  }

  /** The target's rows of a full recompute over the source as of {@code snapshotId}. */
  private List<String> expected(String target, @Nullable Long snapshotId) {
    Map<Long, List<Tuple4<String, Long, String, Long>>> byAccount = new TreeMap<>();
    for (Record r : Expected.rows(wh.catalog(), EVENTS, snapshotId)) {
      LocalDateTime ts = (LocalDateTime) r.getField("event_ts");
      long account = (Long) r.getField("account_id");
      byAccount
          .computeIfAbsent(account, a -> new ArrayList<>())
          .add(
              AccountActivity.event(
                  (String) r.getField("event_id"),
                  account,
                  (String) r.getField("event_type"),
                  ts.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + ts.getNano() / 1000));
    }
    List<String> out = new ArrayList<>();
    for (List<Tuple4<String, Long, String, Long>> events : byAccount.values()) {
      var all = EventSequences.recompute(MACHINE, events);
      if (target.equals(ANOMALIES_TARGET)) {
        all.anomalies().forEach(a -> out.add(a.f0 + "|" + a.f1 + "|" + a.f2 + "|"));
        continue;
      }
      for (Tuple4<Long, String, Integer, String> row : all.outputs()) {
        if (target.equals(COUNTS_TARGET) && AccountActivity.isCount(row)) {
          out.add(row.f0 + "|" + row.f2 + "|" + row.f3 + "|");
        } else if (target.equals(EVENTS_TARGET) && !AccountActivity.isCount(row)) {
          out.add(row.f0 + "|" + row.f1 + "|" + row.f2 + "|" + row.f3 + "|");
        }
      }
    }
    out.sort(null);
    assertThat(new HashSet<>(out))
        .as("expected rows of %s are distinct", target)
        .hasSize(out.size());
    return out;
  }
}
