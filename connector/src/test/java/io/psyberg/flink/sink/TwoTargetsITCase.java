package io.psyberg.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.metadata.PublishedHighWatermark;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.sink.audit.Audit;
import io.psyberg.flink.sink.audit.AuditContext;
import io.psyberg.flink.sink.audit.AuditResult;
import io.psyberg.flink.sink.commit.PublishHook;
import io.psyberg.flink.source.PsybergSource;
import io.psyberg.flink.source.PsybergSourceBuilder;
import io.psyberg.flink.testutils.Failures;
import io.psyberg.flink.testutils.Pipelines;
import io.psyberg.flink.testutils.Waits;
import io.psyberg.flink.testutils.Warehouse;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import javax.annotation.Nullable;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Schema;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One process, two upsert targets: a crash between the two publishes is repaired by the next run.
 */
class TwoTargetsITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  private static final LocalDateTime DAY1 = LocalDateTime.of(2026, 1, 1, 8, 0);
  private static final String SRC = "membership.events";
  private static final Schema LATEST =
      new Schema(
          List.of(
              Types.NestedField.required(1, "account_id", Types.LongType.get()),
              Types.NestedField.optional(2, "event_id", Types.StringType.get())),
          Set.of(1));

  @TempDir Path dir;
  private Warehouse wh;

  @BeforeEach
  void setUp() {
    wh = new Warehouse(dir);
    wh.createEventsTable(SRC);
    wh.createTable("facts.primary", LATEST);
    wh.createTable("facts.secondary", LATEST);
  }

  @AfterEach
  void tearDown() throws Exception {
    FailAfterPrimaryPublished.ARMED.set(false);
    RecordAfterSecondaryFailed.ARMED.set(false);
    CrashAfterPublishOf.ARMED.clear();
    wh.close();
  }

  /**
   * Fails the secondary's audit of a session once the primary has published it, so that the session
   * ends published in one target and refused by the audit of the other.
   */
  static final class FailAfterPrimaryPublished implements Audit {
    static final AtomicBoolean ARMED = new AtomicBoolean();
    private final String warehouse;

    FailAfterPrimaryPublished(String warehouse) {
      this.warehouse = warehouse;
    }

    @Override
    public String name() {
      return "fail_after_primary";
    }

    @Override
    public AuditResult run(AuditContext context) throws Exception {
      if (!ARMED.compareAndSet(true, false)) {
        return AuditResult.of(name(), true, "disarmed", "disarmed");
      }
      Long to = context.session().ranges().get(0).toSnapshotId();
      try (Warehouse wh = new Warehouse(Path.of(URI.create(warehouse)))) {
        Waits.await(
            "the primary to publish up to snapshot " + to,
            Duration.ofMinutes(2),
            () -> to.equals(highWatermark(wh, "facts.primary")),
            () -> "at " + highWatermark(wh, "facts.primary"));
      }
      return AuditResult.of(name(), false, "refused", "accepted");
    }
  }

  /**
   * Holds the primary's metadata rows after its publish until the session's row says the
   * secondary's audit failed, so that the primary's PUBLISHED comes second (when the job's failure
   * lets it run at all).
   */
  static final class RecordAfterSecondaryFailed implements PublishHook {
    static final AtomicBoolean ARMED = new AtomicBoolean();
    private final String warehouse;

    RecordAfterSecondaryFailed(String warehouse) {
      this.warehouse = warehouse;
    }

    @Override
    public void afterPublish(Session session, long publishedSnapshotId) {
      if (!ARMED.compareAndSet(true, false)) {
        return;
      }
      try (Warehouse wh = new Warehouse(Path.of(URI.create(warehouse)))) {
        SessionLog log = new SessionLog(wh.catalog(), "psyberg");
        Waits.holdsWithin(
            Duration.ofMinutes(1),
            () ->
                log.find("two", session.sessionId())
                    .map(s -> s.status() == SessionStatus.AUDIT_FAILED)
                    .orElse(false));
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    }
  }

  /**
   * Fails a target's publish once, after another target has published the same session, so that the
   * run stops with the other one ahead. Armed per target.
   */
  static final class CrashAfterPublishOf implements PublishHook {
    static final Set<String> ARMED = ConcurrentHashMap.newKeySet();
    private final String warehouse;
    private final String ahead;

    CrashAfterPublishOf(String warehouse, String ahead) {
      this.warehouse = warehouse;
      this.ahead = ahead;
    }

    @Override
    public void afterStage(Session session, long staged) {
      if (!ARMED.remove(session.targetTable())) {
        return;
      }
      Long to = session.ranges().get(0).toSnapshotId();
      try (Warehouse wh = new Warehouse(Path.of(URI.create(warehouse)))) {
        Waits.await(
            ahead + " to publish up to snapshot " + to,
            Duration.ofMinutes(2),
            () -> to.equals(highWatermark(wh, ahead)),
            () -> "at " + highWatermark(wh, ahead));
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
      throw new IllegalStateException(
          "injected crash of " + session.targetTable() + " after " + ahead + " published");
    }
  }

  @Nullable
  private static Long highWatermark(Warehouse wh, String target) {
    return PublishedHighWatermark.find(wh.load(target), "two")
        .map(h -> h.positions().get(SRC))
        .orElse(null);
  }

  /** One bounded run of process "two" into {@code targets}, each with its publish hook. */
  private void runTargets(Map<String, PublishHook> targets) throws Exception {
    runTargets(targets, Map.of());
  }

  /** As {@link #runTargets(Map)}, with an extra audit on some targets. */
  private void runTargets(Map<String, PublishHook> targets, Map<String, Audit> audits)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    PsybergSourceBuilder source =
        PsybergSource.builder().catalog(wh.spec()).processName("two").tables(SRC);
    targets.keySet().forEach(source::targetTable);
    DataStream<RowData> rows =
        env.fromSource(source.build(), WatermarkStrategy.noWatermarks(), "src")
            .map(r -> (RowData) GenericRowData.of(r.getLong(1), r.getString(0)))
            .returns(InternalTypeInfo.of(FlinkSchemaUtil.convert(LATEST)));
    targets.forEach(
        (table, hook) -> {
          PsybergSinkBuilder sink =
              PsybergSink.builder()
                  .catalog(wh.spec())
                  .processName("two")
                  .table(table)
                  .writeMode(WriteMode.UPSERT)
                  .publishHook(hook);
          if (audits.containsKey(table)) {
            sink.audit(audits.get(table));
          }
          sink.build().append(rows);
        });
    env.execute("targets " + targets.keySet());
  }

  /** The primary and the secondary, the secondary with {@code secondaryHook}. */
  private void run(PublishHook secondaryHook) throws Exception {
    runTargets(twoTargets(PublishHook.NONE, secondaryHook));
  }

  private static Map<String, PublishHook> twoTargets(PublishHook primary, PublishHook secondary) {
    Map<String, PublishHook> targets = new LinkedHashMap<>();
    targets.put("facts.primary", primary);
    targets.put("facts.secondary", secondary);
    return targets;
  }

  /** Arms a crash of the secondary's publish once the primary has published the session. */
  private PublishHook crashSecondaryAfterPrimary() {
    CrashAfterPublishOf.ARMED.add("facts.secondary");
    return new CrashAfterPublishOf(wh.spec().warehouse(), "facts.primary");
  }

  private List<String> ids(String table) throws Exception {
    return Pipelines.rows(wh.load(table)).stream()
        .map(r -> r.getField("account_id") + ":" + r.getField("event_id"))
        .sorted()
        .collect(Collectors.toList());
  }

  @Test
  void crashBetweenTheFirstPublishesIsRepairedByTheNextRun() throws Exception {
    wh.append(SRC, Warehouse.events("a", 3, DAY1));
    PublishHook crash = crashSecondaryAfterPrimary();
    assertThatThrownBy(() -> run(crash))
        .satisfies(e -> assertThat(Failures.messages(e)).contains("injected crash"));
    assertThat(PublishedHighWatermark.find(wh.load("facts.secondary"), "two"))
        .as("the secondary never published")
        .isEmpty();

    run(PublishHook.NONE);
    List<String> expected = List.of("0:a-0", "1:a-1", "2:a-2");
    assertThat(ids("facts.primary")).containsExactlyElementsOf(expected);
    assertThat(ids("facts.secondary"))
        .as("the secondary gets the rows the first run published only to the primary")
        .containsExactlyElementsOf(expected);
    long head = wh.load(SRC).currentSnapshot().snapshotId();
    assertThat(
            PublishedHighWatermark.find(wh.load("facts.secondary"), "two")
                .get()
                .positions()
                .get(SRC))
        .isEqualTo(head);
  }

  @Test
  void crashBetweenThePublishesIsRepairedByTheNextRun() throws Exception {
    wh.append(SRC, Warehouse.events("a", 3, DAY1));
    run(PublishHook.NONE);
    wh.append(SRC, List.of(Warehouse.event("b", 1, "PLAN_CHANGE", "premium", DAY1.plusDays(1))));

    PublishHook crash = crashSecondaryAfterPrimary();
    assertThatThrownBy(() -> run(crash))
        .satisfies(e -> assertThat(Failures.messages(e)).contains("injected crash"));
    long head = wh.load(SRC).currentSnapshot().snapshotId();
    assertThat(
            PublishedHighWatermark.find(wh.load("facts.primary"), "two").get().positions().get(SRC))
        .as("the primary published before the crash")
        .isEqualTo(head);
    assertThat(
            PublishedHighWatermark.find(wh.load("facts.secondary"), "two")
                .get()
                .positions()
                .get(SRC))
        .as("the secondary did not")
        .isNotEqualTo(head);
    run(PublishHook.NONE);

    List<String> expected = List.of("0:a-0", "1:b", "2:a-2");
    assertThat(ids("facts.primary")).containsExactlyElementsOf(expected);
    assertThat(ids("facts.secondary")).containsExactlyElementsOf(expected);
    assertThat(
            PublishedHighWatermark.find(wh.load("facts.primary"), "two").get().positions().get(SRC))
        .isEqualTo(head);
    assertThat(
            PublishedHighWatermark.find(wh.load("facts.secondary"), "two")
                .get()
                .positions()
                .get(SRC))
        .isEqualTo(head);
  }

  /**
   * A session published to the primary whose audit failed on the secondary: its row in the session
   * log says AUDIT_FAILED for the secondary, whichever committer recorded last and after the next
   * run's repair of the primary's metadata; the next run's session brings the secondary up to date.
   */
  @Test
  void aFailedAuditOfOneTargetIsNotHiddenByTheOthersPublish() throws Exception {
    wh.append(SRC, Warehouse.events("a", 3, DAY1));
    FailAfterPrimaryPublished.ARMED.set(true);
    RecordAfterSecondaryFailed.ARMED.set(true);
    String warehouse = wh.spec().warehouse();
    assertThatThrownBy(
            () ->
                runTargets(
                    twoTargets(new RecordAfterSecondaryFailed(warehouse), PublishHook.NONE),
                    Map.of("facts.secondary", new FailAfterPrimaryPublished(warehouse))))
        .satisfies(e -> assertThat(Failures.messages(e)).contains("fail_after_primary"));
    SessionLog log = new SessionLog(wh.catalog(), "psyberg");
    Session failed = log.sessions("two").get(0);
    assertThat(failed.status()).isEqualTo(SessionStatus.AUDIT_FAILED);
    assertThat(failed.targetTable()).isEqualTo("facts.secondary");
    assertThat(failed.auditResults()).contains("fail_after_primary");

    run(PublishHook.NONE);
    List<Session> sessions = log.sessions("two");
    assertThat(sessions).hasSize(2);
    assertThat(sessions.get(0))
        .as("the first session, after the next run repaired the primary's metadata")
        .satisfies(
            s -> {
              assertThat(s.sessionId()).isEqualTo(failed.sessionId());
              assertThat(s.status()).isEqualTo(SessionStatus.AUDIT_FAILED);
              assertThat(s.targetTable()).isEqualTo("facts.secondary");
            });
    assertThat(sessions.get(1).status()).isEqualTo(SessionStatus.PUBLISHED);
    List<String> expected = List.of("0:a-0", "1:a-1", "2:a-2");
    assertThat(ids("facts.primary")).containsExactlyElementsOf(expected);
    assertThat(ids("facts.secondary")).containsExactlyElementsOf(expected);
  }

  /**
   * Three targets of one process, runs stopped with one target ahead of two, then with two ahead of
   * one: each run starts at the target furthest behind, and all three end with every row and the
   * head as high watermark.
   */
  @Test
  void threeTargetsLeftApartByStoppedRunsConverge() throws Exception {
    String tertiary = "facts.tertiary";
    wh.createTable(tertiary, LATEST);
    String warehouse = wh.spec().warehouse();
    Map<String, PublishHook> plain = new LinkedHashMap<>();
    for (String t : List.of("facts.primary", "facts.secondary", tertiary)) {
      plain.put(t, PublishHook.NONE);
    }
    wh.append(SRC, Warehouse.events("a", 3, DAY1));
    runTargets(plain);

    long second = wh.append(SRC, List.of(Warehouse.event("b", 1, "PLAN_CHANGE", "premium", DAY1)));
    CrashAfterPublishOf.ARMED.addAll(List.of("facts.secondary", tertiary));
    Map<String, PublishHook> primaryAhead = new LinkedHashMap<>(plain);
    primaryAhead.put("facts.secondary", new CrashAfterPublishOf(warehouse, "facts.primary"));
    primaryAhead.put(tertiary, new CrashAfterPublishOf(warehouse, "facts.primary"));
    assertThatThrownBy(() -> runTargets(primaryAhead))
        .satisfies(e -> assertThat(Failures.messages(e)).contains("injected crash"));
    assertThat(highWatermark(wh, "facts.primary")).isEqualTo(second);
    assertThat(highWatermark(wh, "facts.secondary")).isNotEqualTo(second);
    assertThat(highWatermark(wh, tertiary)).isNotEqualTo(second);

    long third = wh.append(SRC, List.of(Warehouse.event("c", 2, "CANCEL", null, DAY1)));
    CrashAfterPublishOf.ARMED.add(tertiary);
    Map<String, PublishHook> tertiaryBehind = new LinkedHashMap<>(plain);
    tertiaryBehind.put(tertiary, new CrashAfterPublishOf(warehouse, "facts.secondary"));
    assertThatThrownBy(() -> runTargets(tertiaryBehind))
        .satisfies(e -> assertThat(Failures.messages(e)).contains("injected crash"));
    assertThat(highWatermark(wh, "facts.primary")).isEqualTo(third);
    assertThat(highWatermark(wh, "facts.secondary")).isEqualTo(third);
    assertThat(highWatermark(wh, tertiary)).isNotEqualTo(third);

    runTargets(plain);
    List<String> expected = List.of("0:a-0", "1:b", "2:c");
    for (String t : plain.keySet()) {
      assertThat(ids(t)).as(t).containsExactlyElementsOf(expected);
      assertThat(highWatermark(wh, t)).as(t).isEqualTo(third);
    }
  }
}
