package io.psyberg.flink.examples.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.examples.testutils.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The psyberg connector through the {@code sql} command: DDL names only 'table' and 'process-name'
 * (the command sets the catalog defaults), two sessions with late rows, an audit failure, and clear
 * errors.
 */
class PsybergSqlScriptITCase {
  @TempDir Path dir;

  private static final String TABLES =
      "CREATE TEMPORARY TABLE src (event_id STRING, account_id BIGINT, event_type STRING, plan"
          + " STRING, event_ts TIMESTAMP(6), snap BIGINT METADATA FROM 'snapshot-id' VIRTUAL) WITH"
          + " ('connector' = 'psyberg', 'table' = 'membership.events', 'process-name' ="
          + " 'signups_sql', 'change-range-column' = 'event_ts');\n"
          + "CREATE TEMPORARY TABLE dst (event_id STRING NOT NULL, account_id BIGINT NOT NULL, plan"
          + " STRING, event_ts TIMESTAMP(6) NOT NULL) WITH ('connector' = 'psyberg', 'table' ="
          + " 'facts.signups', 'process-name' = 'signups_sql', 'audit.not-null' ="
          + " 'account_id,event_ts', 'audit.row-count' = 'match-source',"
          + " 'audit.row-count.source-filter' = 'event_type = ''SIGNUP''');\n";

  private static final String INSERT =
      "INSERT INTO dst SELECT event_id, account_id, plan, event_ts FROM src WHERE event_type ="
          + " 'SIGNUP';\n";

  @Test
  void twoSessionsThroughTheSqlCommand() throws Exception {
    String w = dir.resolve("wh").toString();
    CliRun setup =
        CliRun.of(
            "sql",
            "--warehouse",
            w,
            "--execute",
            "CREATE DATABASE lake.membership; CREATE DATABASE lake.facts; CREATE TABLE"
                + " lake.membership.events (event_id STRING NOT NULL, account_id BIGINT NOT NULL,"
                + " event_type STRING NOT NULL, plan STRING, event_ts TIMESTAMP(6) NOT NULL) WITH"
                + " ('format-version' = '2'); CREATE TABLE lake.facts.signups (event_id STRING NOT"
                + " NULL, account_id BIGINT NOT NULL, plan STRING, event_ts TIMESTAMP(6) NOT NULL)"
                + " WITH ('format-version' = '2'); INSERT INTO lake.membership.events VALUES ('e1',"
                + " 1, 'SIGNUP', 'basic', TIMESTAMP '2026-01-02 08:00:00'), ('e2', 2, 'SIGNUP',"
                + " 'premium', TIMESTAMP '2026-01-02 09:00:00'), ('e3', 1, 'CANCEL', 'basic',"
                + " TIMESTAMP '2026-01-02 10:00:00')");
    assertThat(setup.exitCode()).as(setup.toString()).isZero();

    Path script = dir.resolve("signups.sql");
    Files.writeString(script, TABLES + INSERT);
    CliRun first = CliRun.of("sql", "--warehouse", w, "--file", script.toString());
    assertThat(first.exitCode()).as(first.toString()).isZero();

    CliRun late =
        CliRun.of(
            "sql",
            "--warehouse",
            w,
            "--execute",
            "INSERT INTO lake.membership.events VALUES ('e4', 3, 'SIGNUP', 'basic', TIMESTAMP"
                + " '2025-12-30 07:00:00')");
    assertThat(late.exitCode()).as(late.toString()).isZero();
    CliRun second = CliRun.of("sql", "--warehouse", w, "--file", script.toString());
    assertThat(second.exitCode()).as(second.toString()).isZero();

    CliRun check =
        CliRun.of(
            "sql",
            "--warehouse",
            w,
            "--format",
            "csv",
            "--execute",
            "SET 'execution.runtime-mode' = 'batch';"
                + " SELECT event_id FROM lake.facts.signups ORDER BY event_id;"
                + " SELECT status, record_count, change_range_min FROM lake.psyberg.sessions"
                + " WHERE process_name = 'signups_sql' ORDER BY started_at");
    assertThat(check.exitCode()).as(check.toString()).isZero();
    assertThat(check.out()).contains("event_id\ne1\ne2\ne4\n");
    assertThat(check.out())
        .contains("PUBLISHED,3,2026-01-02T08:00:00.000000")
        .contains("PUBLISHED,1,2025-12-30T07:00:00.000000");
  }

  @Test
  void failedAuditAndBadOptionsExitNonZeroWithClearMessages() throws Exception {
    String w = dir.resolve("wh2").toString();
    CliRun setup =
        CliRun.of(
            "sql",
            "--warehouse",
            w,
            "--execute",
            "CREATE DATABASE lake.membership; CREATE DATABASE lake.facts; CREATE TABLE"
                + " lake.membership.events (event_id STRING NOT NULL, account_id BIGINT NOT NULL,"
                + " event_type STRING NOT NULL, plan STRING, event_ts TIMESTAMP(6) NOT NULL) WITH"
                + " ('format-version' = '2'); CREATE TABLE lake.facts.signups (event_id STRING NOT"
                + " NULL, account_id BIGINT NOT NULL, plan STRING, event_ts TIMESTAMP(6) NOT NULL)"
                + " WITH ('format-version' = '2'); INSERT INTO lake.membership.events VALUES ('e1',"
                + " 1, 'SIGNUP', 'basic', TIMESTAMP '2026-01-02 08:00:00')");
    assertThat(setup.exitCode()).as(setup.toString()).isZero();

    CliRun failing =
        CliRun.of(
            "sql",
            "--warehouse",
            w,
            "--execute",
            TABLES.replace("'audit.not-null'", "'audit.max-rows' = '0', 'audit.not-null'")
                + INSERT);
    assertThat(failing.exitCode()).isNotZero();
    assertThat(failing.err()).contains("signups_sql", "failed its audits", "max-rows");
    CliRun nothing =
        CliRun.of(
            "sql",
            "--warehouse",
            w,
            "--format",
            "csv",
            "--execute",
            "SET 'execution.runtime-mode' = 'batch'; SELECT COUNT(*) AS n FROM lake.facts.signups");
    assertThat(nothing.out()).contains("n\n0\n");

    CliRun unknown =
        CliRun.of(
            "sql",
            "--warehouse",
            w,
            "--execute",
            "CREATE TEMPORARY TABLE t (a STRING) WITH ('connector' = 'psyberg', 'table' ="
                + " 'membership.events', 'process-name' = 'p', 'startfrom' = 'latest'); SELECT *"
                + " FROM t");
    assertThat(unknown.exitCode()).isNotZero();
    assertThat(unknown.err()).contains("startfrom").contains("start-from");
  }
}
