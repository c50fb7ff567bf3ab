package io.psyberg.flink.examples.changes;

import static io.psyberg.flink.examples.testutils.CliRun.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.examples.PsybergCli;
import io.psyberg.flink.examples.testutils.CliRun;
import io.psyberg.flink.metadata.PublishedHighWatermark;
import io.psyberg.flink.testutils.Warehouse;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code capture}, {@code commit} and {@code pending} through the CLI, with the job between them a
 * Flink SQL INSERT on the plain Iceberg catalog ({@code sql}'s {@code lake}) that reads the change
 * table and writes the target's audit branch.
 */
class ChangeCommandsITCase {
  private static final String SOURCE = "raw.events";
  private static final String TARGET = "facts.events_copy";
  private static final String PROCESS = "copy_load";
  private static final LocalDateTime DAY = LocalDateTime.of(2026, 3, 1, 8, 0);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private Warehouse wh;

  @BeforeEach
  void open() {
    wh = new Warehouse(dir);
    wh.createEventsTable(SOURCE);
    wh.createEventsTable(TARGET);
  }

  @AfterEach
  void close() throws Exception {
    wh.close();
  }

  private JsonNode capture() throws Exception {
    CliRun run =
        ok(
            CliRun.of(
                "capture",
                "--warehouse",
                wh.dir(),
                "--process",
                PROCESS,
                "--source",
                SOURCE,
                "--change-range-column",
                "event_ts",
                "--format",
                "json"));
    return JSON.readTree(run.out());
  }

  /** The user's job: Flink SQL on the plain Iceberg catalog, into the audit branch. */
  private void runJob(JsonNode captured) {
    String branch = "psyberg-audit-" + captured.get("session_id").asText();
    ok(
        CliRun.of(
            "sql",
            "--warehouse",
            wh.dir(),
            "--execute",
            "INSERT INTO lake.facts.events_copy /*+ OPTIONS('branch'='"
                + branch
                + "') */ SELECT * FROM lake.`raw`.`"
                + captured.get("change_table").asText().substring("raw.".length())
                + "`"));
  }

  private CliRun commit(String session, String... audits) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "commit",
                "--warehouse",
                wh.dir(),
                "--process",
                PROCESS,
                "--session",
                session,
                "--target",
                TARGET));
    args.addAll(List.of(audits));
    return CliRun.of(args.toArray(String[]::new));
  }

  private static List<String> ids(List<Record> rows) {
    return rows.stream().map(r -> (String) r.getField("event_id")).sorted().toList();
  }

  @Test
  void captureWriteCommitCyclesWithLateDataAndKillsPublishEveryRowOnce() throws Exception {
    wh.append(SOURCE, Warehouse.events("s1", 6, DAY));
    JsonNode s1 = capture();
    assertThat(s1.get("change_table").asText()).isEqualTo("raw.events__changes_copy_load");
    assertThat(s1.get("ranges").get(0).get("record_count").asLong()).isEqualTo(6);
    assertThat(s1.get("change_range").get("column").asText()).isEqualTo("event_ts");
    assertThat(s1.get("change_range").get("min").asText()).startsWith("2026-03-01T08:00");
    runJob(s1);
    String sid1 = s1.get("session_id").asText();
    assertThat(
            ok(commit(sid1, "--audit-row-count", "match-source", "--audit-not-null", "event_id"))
                .out())
        .contains("Published session " + sid1);
    assertThat(ids(wh.rows(TARGET))).hasSize(6);

    // Late data; the cycle is killed after the job wrote the branch, before commit.
    wh.append(SOURCE, Warehouse.events("late", 3, DAY.minusDays(2)));
    JsonNode s2 = capture();
    runJob(s2);
    wh.append(SOURCE, Warehouse.events("s3", 2, DAY.plusDays(1)));
    // The re-run captures the same session, and commits what the killed run wrote.
    JsonNode s2again = capture();
    assertThat(s2again.get("session_id")).isEqualTo(s2.get("session_id"));
    assertThat(s2again.get("repeated").asBoolean()).isTrue();
    String sid2 = s2.get("session_id").asText();
    ok(commit(sid2, "--audit-row-count", "match-source", "--audit-unique", "event_id"));

    // Killed after commit: the re-run commits again (a no-op), and captures a new session.
    assertThat(ok(commit(sid2)).out()).contains("already published");
    JsonNode s3 = capture();
    assertThat(s3.get("session_id")).isNotEqualTo(s2.get("session_id"));
    assertThat(s3.get("ranges").get(0).get("record_count").asLong()).isEqualTo(2);
    runJob(s3);
    ok(commit(s3.get("session_id").asText(), "--audit-min-rows", "2", "--audit-max-rows", "2"));

    assertThat(ids(wh.rows(TARGET))).isEqualTo(ids(wh.rows(SOURCE))).hasSize(11);
    Table target = wh.load(TARGET);
    assertThat(PublishedHighWatermark.find(target, PROCESS).orElseThrow().positions())
        .containsEntry(SOURCE, wh.load(SOURCE).currentSnapshot().snapshotId());
    assertThat(target.refs().keySet())
        .containsExactlyInAnyOrder("main", "psyberg-published-copy_load");
  }

  @Test
  void aFailedAuditPublishesNothingAndExitsNonZero() throws Exception {
    wh.append(SOURCE, Warehouse.events("a", 4, DAY));
    JsonNode captured = capture();
    runJob(captured);
    String session = captured.get("session_id").asText();

    CliRun failed = commit(session, "--audit-max-rows", "3");

    assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
    assertThat(failed.err())
        .contains("max-rows")
        .contains("nothing was published to " + TARGET)
        .contains("psyberg-audit-" + session);
    Table target = wh.load(TARGET);
    assertThat(target.currentSnapshot()).isNull();
    assertThat(target.refs()).containsKey("psyberg-audit-" + session);
    assertThat(ok(commit(session, "--audit-max-rows", "4")).out()).contains("Published");
    assertThat(wh.rows(TARGET)).hasSize(4);
  }

  @Test
  void pendingExitsZeroWithNewDataThreeWithoutAndOneOnError() throws Exception {
    String[] pending = {
      "pending", "--warehouse", wh.dir(), "--process", PROCESS, "--source", SOURCE
    };
    CliRun none = CliRun.of(pending);
    assertThat(none.exitCode()).as(none.toString()).isEqualTo(PendingCommand.NOTHING_PENDING);
    CliRun waitedNone = CliRun.of(concat(pending, "--wait", "--timeout", "0s"));
    assertThat(waitedNone.exitCode()).as(waitedNone.toString()).isEqualTo(3);

    wh.append(SOURCE, Warehouse.events("a", 3, DAY));
    CliRun some = ok(CliRun.of(concat(pending, "--format", "json")));
    JsonNode report = JSON.readTree(some.out());
    assertThat(report.get("pending").asBoolean()).isTrue();
    assertThat(report.get("ranges").get(0).get("record_count").asLong()).isEqualTo(3);
    assertThat(report.get("ranges").get(0).get("snapshot_count").asLong()).isEqualTo(1);

    CliRun missing =
        CliRun.of("pending", "--warehouse", wh.dir(), "--process", PROCESS, "--source", "raw.nope");
    assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(1);
    assertThat(missing.err()).contains("raw.nope").contains("does not exist");
  }

  @Test
  void pendingWaitReturnsOnceDataLands() throws Exception {
    CountDownLatch waiting = new CountDownLatch(1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    OutputStream err =
        new OutputStream() {
          @Override
          public synchronized void write(int b) {
            errBytes.write(b);
            if (errBytes.toString(StandardCharsets.UTF_8).contains(PendingCommand.WAITING)) {
              waiting.countDown();
            }
          }
        };
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Integer> exit =
          pool.submit(
              () ->
                  new PsybergCli()
                      .run(
                          new String[] {
                            "pending",
                            "--warehouse",
                            wh.dir(),
                            "--process",
                            PROCESS,
                            "--source",
                            SOURCE,
                            "--wait",
                            "--timeout",
                            "10min",
                            "--poll-interval",
                            "100ms"
                          },
                          new PrintStream(out, true, StandardCharsets.UTF_8),
                          new PrintStream(err, true, StandardCharsets.UTF_8)));
      assertThat(waiting.await(2, TimeUnit.MINUTES)).as("pending reports it is waiting").isTrue();
      assertThat(exit.isDone()).isFalse();
      wh.append(SOURCE, Warehouse.events("a", 2, DAY));
      assertThat(exit.get(2, TimeUnit.MINUTES)).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("records").contains("2");
    } finally {
      pool.shutdownNow();
    }
  }

  private static String[] concat(String[] a, String... b) {
    List<String> all = new ArrayList<>(List.of(a));
    all.addAll(List.of(b));
    return all.toArray(String[]::new);
  }
}
