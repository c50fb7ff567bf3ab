package io.psyberg.flink.examples.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.examples.testutils.CliRun;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.ChangeRange;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.session.SourceRange;
import io.psyberg.flink.sink.audit.AuditResult;
import io.psyberg.flink.sink.audit.AuditRunner;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sessions} over session logs written directly with {@link SessionLog}. */
class SessionsCommandTest {
  private static final Instant T0 = Instant.parse("2026-02-27T08:00:00Z");

  @TempDir Path dir;

  @Test
  void aWarehouseWithoutALogGetsAFriendlyLineAndIsNotChanged() throws Exception {
    Path warehouse = dir.resolve("w");
    CliRun run = CliRun.of("sessions", "--warehouse", warehouse.toString());
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out())
        .isEqualTo(
            "No sessions yet: warehouse "
                + warehouse
                + " has no session log (psyberg.sessions)."
                + " Run a job first, e.g. signups.\n");
    assertThat(run.err()).isEmpty();
    try (Warehouse wh = new Warehouse(warehouse)) {
      assertThat(wh.catalog().tableExists(TableIdentifier.of("psyberg", "sessions"))).isFalse();
    }
    assertThat(Files.exists(warehouse.resolve("psyberg"))).isFalse();
  }

  @Test
  void printsOneRowPerSessionAndSourceOldestFirst() throws Exception {
    try (Warehouse wh = new Warehouse(dir)) {
      SessionLog log = new SessionLog(wh.catalog(), "psyberg");
      String passed =
          AuditRunner.toJson(
              List.of(
                  AuditResult.of("not-null", true, "0", "0"),
                  AuditResult.of("row-count", true, "3", "3")));
      String failed =
          AuditRunner.toJson(
              List.of(
                  AuditResult.of("not-null", true, "0", "0"),
                  AuditResult.of("row-count", false, "1", "2")));
      // Recorded out of order: the table sorts by start time.
      log.record(
          session(
              "s-3",
              "p1",
              SessionStatus.AUDIT_FAILED,
              T0.plusSeconds(120),
              null,
              failed,
              range("membership.events", 20L, 30L, 1, 7)));
      log.record(
          session(
              "s-1",
              "p1",
              SessionStatus.PUBLISHED,
              T0,
              111L,
              passed,
              range("membership.events", null, 10L, 2, 5),
              range("membership.events_us", null, 11L, 1, 4)));
      log.record(
          session(
              "s-2",
              "p2",
              SessionStatus.EMPTY,
              T0.plusSeconds(60),
              null,
              null,
              new SourceRange(
                  "membership.events", 10L, 10L, 0, 0, 0, 0, null, null, "a note on the read")));

      CliRun all = CliRun.of("sessions", "--warehouse", wh.dir());
      assertThat(all.exitCode()).as(all.toString()).isZero();
      List<String> lines = all.out().lines().toList();
      assertThat(lines.get(1))
          .startsWith(
              "| session_id | process | mode    | status       | source_table         |"
                  + " range (from, to] | snapshots | records | change_range ")
          .endsWith(
              "| target        | published_snapshot | started_utc         | finished_utc  "
                  + "      | audits                        | notes              |");
      assertThat(lines.get(3))
          .isEqualTo(
              "| s-1        | p1      | bounded | PUBLISHED    | membership.events    | (start, 10]"
                  + "      |         2 |       5 | event_ts 2026-01-01 08:00:00 .. 2026-01-01"
                  + " 09:00:00 | facts.signups | 111                | 2026-02-27 08:00:00 |"
                  + " 2026-02-27 08:00:05 | 2/2 passed                    | -                  |");
      assertThat(lines.get(4))
          .startsWith("| s-1 ")
          .contains("| membership.events_us | (start, 11]");
      assertThat(lines.get(5))
          .startsWith(
              "| s-2        | p2      | bounded | EMPTY        | membership.events    | (10, 10]")
          .contains("| -                  |")
          .endsWith("| -                             | a note on the read |");
      assertThat(lines.get(6))
          .startsWith("| s-3        | p1      | bounded | AUDIT_FAILED |")
          .endsWith("| 1/2 passed, failed: row-count | -                  |");
      assertThat(lines).hasSize(9);
      assertThat(lines.get(8)).isEqualTo("3 sessions");

      CliRun p1 = CliRun.of("sessions", "--warehouse", wh.dir(), "--process", "p1");
      assertThat(p1.out())
          .contains("| s-1 ", "| s-3 ")
          .doesNotContain("| s-2 ")
          .endsWith("2 sessions\n");
      CliRun none = CliRun.of("sessions", "--warehouse", wh.dir(), "--process", "p9");
      assertThat(none.exitCode()).isZero();
      assertThat(none.out())
          .isEqualTo("No sessions of process 'p9' (processes in the log: p1, p2).\n");
    }
  }

  @Test
  void unknownOptionsAreUsageErrors() {
    CliRun run = CliRun.of("sessions", "--proces", "p");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("unknown option '--proces'").contains("Usage:");
    assertThat(CliRun.of("sessions", "--help").out())
        .startsWith(
            "Usage: java -jar psyberg-examples.jar sessions [--process P] [--stale [--idle-days N]]"
                + " [catalog options]");
  }

  private static Session session(
      String id,
      String process,
      SessionStatus status,
      Instant started,
      Long published,
      String audits,
      SourceRange... ranges) {
    return Session.builder()
        .sessionId(id)
        .processName(process)
        .mode("bounded")
        .ranges(List.of(ranges))
        .targetTable(status == SessionStatus.EMPTY ? null : "facts.signups")
        .publishedSnapshotId(published)
        .status(status)
        .auditResults(audits)
        .startedAt(started)
        .finishedAt(started.plusSeconds(5))
        .build();
  }

  private static SourceRange range(String table, Long from, Long to, int snapshots, long records) {
    return new SourceRange(
        table,
        from,
        to,
        snapshots,
        0,
        snapshots,
        records,
        new ChangeRange("event_ts", "2026-01-01T08:00:00.000000", "2026-01-01T09:00:00.000000"),
        null);
  }
}
