package io.psyberg.flink.examples.signups;

import static io.psyberg.flink.examples.testutils.CliRun.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.examples.testutils.CliRun;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.testutils.Waits;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code generate}, {@code signups} and {@code sessions} in-process against real warehouse
 * folders; the jobs run on a shared MiniCluster.
 */
class SignupsCommandITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final String EVENTS = "membership.events";
  private static final String FACTS = "facts.signups";

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
  void publishesEachSignupEventOnceAcrossRunsIncludingLateOnes() {
    ok(generate(EVENTS, 400, "0.1", 1));
    CliRun first = ok(signups("p1", EVENTS, FACTS));
    assertThat(first.out())
        .contains(
            "target facts.signups: created (format v2, unpartitioned, identifier field event_id)")
        .contains("source membership.events: nothing published yet")
        .containsPattern("session s-\\S+: PUBLISHED")
        .containsPattern(
            "\\| membership\\.events \\| \\(start, \\d+] +\\| +1 \\| +1 \\| +400 \\| event_ts ")
        .containsPattern("rows: 400 events read, (\\d+) SIGNUP events, \\1 facts written")
        .containsPattern("\\| not-null +\\| passed \\|")
        .containsPattern(
            "\\| row-count \\| passed \\| (\\d+) rows staged +\\| \\1 \\(source rows where"
                + " event_type = 'SIGNUP'\\)")
        .containsPattern("published: facts\\.signups snapshot \\d+ \\(\\d+ rows added\\)");
    assertThat(facts()).isNotEmpty().isEqualTo(signupEvents());
    Table target = wh.load(FACTS);
    assertThat(target.schema().identifierFieldNames()).containsExactly("event_id");
    long published = target.currentSnapshot().snapshotId();
    assertThat(sessions("p1"))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.status()).isEqualTo(SessionStatus.PUBLISHED);
              assertThat(s.publishedSnapshotId()).isEqualTo(published);
            });

    // Nothing new: an EMPTY session, a successful exit, nothing published.
    CliRun again = ok(signups("p1", EVENTS, FACTS));
    assertThat(again.out())
        .contains("target facts.signups: exists with the signup fact shape")
        .containsPattern(
            "session s-\\S+: EMPTY - nothing new since the high watermark"
                + " \\(membership\\.events at snapshot \\d+\\); nothing published\\.");
    assertThat(wh.load(FACTS).currentSnapshot().snapshotId()).isEqualTo(published);
    assertThat(facts()).isEqualTo(signupEvents());

    // A new batch with many late events: exactly its SIGNUP events are added.
    List<Fact> before = facts();
    ok(generate(EVENTS, 300, "0.4", 2));
    CliRun third = ok(signups("p1", EVENTS, FACTS));
    assertThat(third.out()).contains("PUBLISHED").contains("+-").doesNotContain("EMPTY");
    List<Fact> after = facts();
    assertThat(after).isEqualTo(signupEvents()).hasSizeGreaterThan(before.size());
    assertThat(after.stream().map(Fact::eventId).distinct()).hasSize(after.size());
    List<Session> log = sessions("p1");
    assertThat(log)
        .extracting(Session::status)
        .containsExactly(SessionStatus.PUBLISHED, SessionStatus.EMPTY, SessionStatus.PUBLISHED);
    assertThat(log.get(2).ranges().get(0).fromSnapshotId())
        .isEqualTo(log.get(0).ranges().get(0).toSnapshotId());

    CliRun listed = ok(CliRun.of("sessions", "--warehouse", wh.dir()));
    assertThat(listed.out())
        .contains("| session_id", "| status", "| range (from, to]", "| audits")
        .contains("| p1 ", "| membership.events |", "| facts.signups ", "2/2 passed")
        .endsWith("3 sessions\n");
    List<String> order = new ArrayList<>();
    for (Session s : log) {
      order.add(s.sessionId());
      assertThat(listed.out())
          .containsPattern(s.sessionId() + " +\\| p1 +\\| bounded \\| " + s.status());
    }
    assertThat(listed.out().indexOf(order.get(0))).isLessThan(listed.out().indexOf(order.get(1)));
    assertThat(listed.out().indexOf(order.get(1))).isLessThan(listed.out().indexOf(order.get(2)));
    assertThat(CliRun.of("sessions", "--warehouse", wh.dir(), "--process", "other").out())
        .isEqualTo("No sessions of process 'other' (processes in the log: p1).\n");
  }

  /**
   * A raw landing table with nullable columns holds a SIGNUP without account_id: it cannot become a
   * fact, the row-count audit catches the gap, and nothing is published.
   */
  @Test
  void aSessionThatFailsItsAuditPublishesNothingAndSaysWhy() {
    Schema raw =
        new Schema(
            Types.NestedField.optional(1, "event_id", Types.StringType.get()),
            Types.NestedField.optional(2, "account_id", Types.LongType.get()),
            Types.NestedField.optional(3, "event_type", Types.StringType.get()),
            Types.NestedField.optional(4, "plan", Types.StringType.get()),
            Types.NestedField.optional(5, "event_ts", Types.TimestampType.withoutZone()),
            Types.NestedField.optional(6, "source_system", Types.StringType.get()));
    wh.createTable("landing.events", raw);
    LocalDateTime t = LocalDateTime.of(2026, 1, 1, 8, 0);
    wh.append(
        "landing.events",
        List.of(
            event(raw, "e1", 1L, "SIGNUP", "basic", t),
            event(raw, "e2", null, "SIGNUP", "premium", t.plusHours(1)),
            event(raw, "e3", 1L, "CANCEL", "basic", t.plusHours(2))));

    CliRun run = signups("landing_load", "landing.events", "facts.landing_signups");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.err())
        .startsWith("ERROR: Process landing_load: session s-")
        .contains(
            "failed its audits; nothing was published to facts.landing_signups and the high"
                + " watermark did not move. Failed audits:")
        .contains(
            "- row-count: observed 1 rows staged, expected 2 (source rows where event_type ="
                + " 'SIGNUP')")
        .doesNotContain("not-null:")
        .doesNotContain("Exception");
    assertThat(run.out())
        .containsPattern("session s-\\S+: AUDIT_FAILED")
        .containsPattern("\\| row-count \\| FAILED \\| 1 rows staged")
        .contains("nothing published; the high watermark did not move.")
        .contains(
            "hint: signups leaves out SIGNUP events without event_id, account_id or event_ts");
    assertThat(wh.load("facts.landing_signups").currentSnapshot()).isNull();
    assertThat(sessions("landing_load"))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.status()).isEqualTo(SessionStatus.AUDIT_FAILED);
              assertThat(s.publishedSnapshotId()).isNull();
            });
    assertThat(CliRun.of("sessions", "--warehouse", wh.dir(), "--process", "landing_load").out())
        .contains("| AUDIT_FAILED |")
        .contains("| 1/2 passed, failed: row-count |");
  }

  @Test
  void twoSourceTablesFeedOneSession() {
    ok(generate("membership.events_eu", 200, "0", 5));
    ok(generate("membership.events_us", 150, "0", 6));
    CliRun run = ok(signups("p2", "membership.events_eu,membership.events_us", FACTS));
    assertThat(run.out())
        .containsPattern(
            "\\| membership\\.events_eu \\| \\(start, \\d+] +\\| +1 \\| +1 \\| +200 \\|")
        .containsPattern(
            "\\| membership\\.events_us \\| \\(start, \\d+] +\\| +1 \\| +1 \\| +150 \\|")
        .containsPattern("rows: 350 events read");
    List<Fact> expected = new ArrayList<>(signupEvents("membership.events_eu"));
    expected.addAll(signupEvents("membership.events_us"));
    expected.sort(null);
    assertThat(facts()).isEqualTo(expected);
    assertThat(sessions("p2")).singleElement().satisfies(s -> assertThat(s.ranges()).hasSize(2));
  }

  @Test
  void continuousModePublishesEachNewSnapshotUntilStopped() throws Exception {
    ok(generate(EVENTS, 200, "0", 7));
    CliRun.Running runner =
        CliRun.start(
            "signups-continuous",
            "signups",
            "--warehouse",
            wh.dir(),
            "--process",
            "c1",
            "--source",
            EVENTS,
            "--target",
            FACTS,
            "--mode",
            "continuous",
            "--interval",
            "1");
    CliRun run;
    try {
      awaitFacts(signupEvents().size(), runner);
      ok(generate(EVENTS, 100, "0.5", 8));
      awaitFacts(signupEvents().size(), runner);
    } finally {
      run = runner.stop();
    }
    assertThat(run).as("the command returned").isNotNull();
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out())
        .contains("running continuously as Flink job")
        .containsPattern(
            "session s-\\S+ PUBLISHED, membership\\.events \\(start, \\d+] 200 records"
                + " -> facts\\.signups snapshot \\d+, audits 2/2 passed")
        .containsPattern("stopped: job \\S+ cancelled\\.");
    assertThat(facts()).isEqualTo(signupEvents());
    assertThat(sessions("c1"))
        .extracting(Session::status)
        .contains(SessionStatus.PUBLISHED)
        .doesNotContain(SessionStatus.AUDIT_FAILED, SessionStatus.FAILED);
  }

  private void awaitFacts(int n, CliRun.Running runner) throws Exception {
    Waits.await(
        "the target reaches " + n + " facts while the command runs",
        Duration.ofSeconds(180),
        () -> {
          if (!runner.isAlive()) {
            throw new AssertionError("the command ended with " + facts().size() + " facts");
          }
          return facts().size() >= n;
        },
        () -> facts().size() + " facts");
  }

  // ---- helpers

  private CliRun generate(String table, int events, String lateFraction, long seed) {
    return CliRun.of(
        "generate",
        "--warehouse",
        wh.dir(),
        "--table",
        table,
        "--accounts",
        "40",
        "--events",
        Integer.toString(events),
        "--late-fraction",
        lateFraction,
        "--seed",
        Long.toString(seed));
  }

  private CliRun signups(String process, String sources, String target) {
    return CliRun.of(
        "signups",
        "--warehouse",
        wh.dir(),
        "--process",
        process,
        "--source",
        sources,
        "--target",
        target);
  }

  private List<Session> sessions(String process) {
    return new SessionLog(wh.catalog(), "psyberg").sessions(process);
  }

  /** A fact row; sorted by event id. */
  record Fact(String eventId, long accountId, String plan, LocalDateTime eventTs, LocalDate date)
      implements Comparable<Fact> {
    @Override
    public int compareTo(Fact o) {
      return eventId.compareTo(o.eventId);
    }
  }

  private List<Fact> facts() {
    return wh.rows(FACTS).stream()
        .map(
            r ->
                new Fact(
                    (String) r.getField("event_id"),
                    (Long) r.getField("account_id"),
                    (String) r.getField("plan"),
                    (LocalDateTime) r.getField("event_ts"),
                    (LocalDate) r.getField("signup_date")))
        .sorted()
        .collect(Collectors.toList());
  }

  private List<Fact> signupEvents() {
    return signupEvents(EVENTS);
  }

  /** What the facts must be: every SIGNUP event of the table, dated by its event_ts. */
  private List<Fact> signupEvents(String table) {
    return wh.rows(table).stream()
        .filter(r -> "SIGNUP".equals(r.getField("event_type")))
        .map(
            r -> {
              LocalDateTime ts = (LocalDateTime) r.getField("event_ts");
              return new Fact(
                  (String) r.getField("event_id"),
                  (Long) r.getField("account_id"),
                  (String) r.getField("plan"),
                  ts,
                  ts.toLocalDate());
            })
        .sorted()
        .collect(Collectors.toList());
  }

  private static Record event(
      Schema schema, String id, Long account, String type, String plan, LocalDateTime ts) {
    Record r = GenericRecord.create(schema);
    r.setField("event_id", id);
    r.setField("account_id", account);
    r.setField("event_type", type);
    r.setField("plan", plan);
    r.setField("event_ts", ts);
    return r;
  }
}
