package io.psyberg.flink.examples.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.testutils.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code sql} in-process on real warehouse folders. Each run starts one MiniCluster on its
 * first job, so the tests bundle several statements per run.
 */
class SqlCommandITCase {

  @TempDir static Path warehouse;

  private static CliRun sql(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "sql";
    all[1] = "--warehouse";
    all[2] = warehouse.toString();
    System.arraycopy(args, 0, all, 3, args.length);
    return CliRun.of(all);
  }

  @Test
  void createsInsertsAndSelectsPrintingTables() {
    CliRun run =
        sql(
            "--execute",
            "CREATE DATABASE lake.db1;CREATE TABLE lake.db1.members (id BIGINT, plan STRING, joined"
                + " TIMESTAMP(6));INSERT INTO lake.db1.members VALUES (1, 'basic', TIMESTAMP"
                + " '2026-02-27 08:00:00.000000'), (22, CAST(NULL AS STRING), TIMESTAMP '2026-02-27"
                + " 08:00:05.123456');SET 'execution.runtime-mode' = 'batch'; SELECT * FROM"
                + " lake.db1.members ORDER BY id;USE CATALOG lake; USE db1; SHOW TABLES; DESCRIBE"
                + " members;SELECT COUNT(*) AS n FROM members");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.err()).isEmpty();
    assertThat(run.out())
        .startsWith(
            "+----+-------+----------------------------+\n"
                + "| id | plan  | joined                     |\n"
                + "+----+-------+----------------------------+\n"
                + "|  1 | basic | 2026-02-27 08:00:00        |\n"
                + "| 22 | NULL  | 2026-02-27 08:00:05.123456 |\n"
                + "+----+-------+----------------------------+\n"
                + "2 rows\n"
                + "\n"
                + "+------------+\n"
                + "| table name |\n"
                + "+------------+\n"
                + "| members    |\n"
                + "+------------+\n"
                + "1 row\n")
        .contains("| joined | TIMESTAMP(6) | true |")
        // A streaming aggregate's changelog is folded into its final row.
        .endsWith("+---+\n| n |\n+---+\n| 2 |\n+---+\n1 row\n");
  }

  @Test
  void runsAFileAndPrintsCsv() throws Exception {
    Path file = warehouse.resolve("script.sql");
    Files.writeString(
        file,
        "-- a script; with comments\n"
            + "SET 'execution.runtime-mode' = 'batch';\n"
            + "CREATE DATABASE lake.db2;\n"
            + "CREATE TABLE lake.db2.a (id INT, note STRING);\n"
            + "CREATE TABLE lake.db2.b (id INT, note STRING);\n"
            + "BEGIN STATEMENT SET;\n"
            + "INSERT INTO lake.db2.a VALUES (2, 'x;y'), (1, 'say \"hi\", ok');\n"
            + "INSERT INTO lake.db2.b VALUES (3, '');\n"
            + "END;\n"
            + "SELECT * FROM lake.db2.a UNION ALL SELECT * FROM lake.db2.b ORDER BY id;\n");
    CliRun run = sql("--file", file.toString(), "--format", "csv");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.err()).isEmpty();
    assertThat(run.out()).isEqualTo("id,note\n1,\"say \"\"hi\"\", ok\"\n2,x;y\n3,\"\"\n");
  }

  @Test
  void setBatchModeGivesOneFinalRowAndKeepsTheSession() {
    CliRun run =
        sql(
            "--execute",
            "CREATE TABLE nums (v INT) WITH ('connector' = 'datagen', 'number-of-rows' = '250');"
                + "SET 'execution.runtime-mode' = 'batch';"
                + "SELECT COUNT(*) AS n FROM nums;"
                // Sorting on a plain column only works in batch mode.
                + "SELECT v FROM (VALUES (3), (1), (2)) AS t(v) ORDER BY v;"
                + "SET");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.err()).isEmpty();
    assertThat(run.out())
        .startsWith("+-----+\n|   n |\n+-----+\n| 250 |\n+-----+\n1 row\n\n")
        .contains("+---+\n| v |\n+---+\n| 1 |\n| 2 |\n| 3 |\n+---+\n3 rows\n")
        .contains("| execution.runtime-mode    | batch ")
        .contains("| psyberg.catalog.type      | hadoop ")
        .contains(
            "| psyberg.catalog.warehouse | "
                + CatalogSpec.embedded(warehouse.toString()).warehouse());
  }

  @Test
  void aFailingStatementStopsTheScriptWithItsCause() throws Exception {
    CliRun run =
        sql(
            "--execute",
            "CREATE DATABASE lake.db3;\nSELECT * FROM lake.db3.missing;\nCREATE DATABASE lake.db4");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .startsWith("ERROR: statement 2 of 3 (line 2) failed: SELECT * FROM lake.db3.missing\n")
        .contains("Object 'missing' not found")
        .doesNotContain("\tat ");
    assertThat(run.err().lines()).hasSizeLessThan(5);
    SupportsNamespaces catalog =
        (SupportsNamespaces) CatalogSpec.embedded(warehouse.toString()).open();
    assertThat(catalog.namespaceExists(Namespace.of("db3"))).isTrue();
    assertThat(catalog.namespaceExists(Namespace.of("db4"))).isFalse();
  }

  @Test
  void aFailingJobReportsTheRootCause() {
    CliRun run =
        sql(
            "--execute",
            "SELECT 1 AS a; SELECT CAST(x AS INT) AS n FROM (VALUES ('1'), ('abc')) AS v(x)");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.out()).contains("| a |").doesNotContain("| n |");
    assertThat(run.err())
        .startsWith("ERROR: statement 2 of 2 (line 1) failed: SELECT CAST(x AS INT)")
        .contains("NumberFormatException")
        .contains("abc")
        .doesNotContain("\tat ");
  }

  @Test
  void aBadSettingIsRejectedAtTheSet() {
    CliRun run = sql("--execute", "SET 'execution.runtime-mode' = 'fast'; SELECT 1");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .startsWith("ERROR: statement 1 of 2 (line 1) failed: SET 'execution.runtime-mode'")
        .contains("Could not parse value 'fast'");
  }

  @Test
  void aBadChoiceOfThePsybergSourceNamesTheOptionTheValueAndTheValidValues() {
    CliRun run =
        sql(
            "--execute",
            "CREATE TEMPORARY TABLE events (event_id STRING, account_id BIGINT, event_type STRING,"
                + " plan STRING, event_ts TIMESTAMP(6)) WITH ('connector' = 'psyberg', 'table' ="
                + " 'membership.events', 'process-name' = 'p', 'mode' = 'sideways');"
                + "SELECT * FROM events");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.err())
        .startsWith("ERROR: statement 2 of 2 (line 1) failed: SELECT * FROM events")
        .contains("invalid value 'sideways' for option 'mode'")
        .contains("Valid values: bounded, continuous")
        .doesNotContain("\tat ");
  }
}
