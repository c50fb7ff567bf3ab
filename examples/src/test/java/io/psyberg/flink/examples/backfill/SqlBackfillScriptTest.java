package io.psyberg.flink.examples.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.examples.sql.SqlStatement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlBackfillScriptTest {
  @TempDir Path dir;

  @Test
  void placeholdersBecomeTheChunksTimestampLiteralsAndTheIdAString() throws Exception {
    SqlBackfillScript script =
        SqlBackfillScript.read(
            write(
                "SET 'psyberg.backfill.time-column' = 'event_ts';\n"
                    + "SET 'psyberg.backfill.time-column.facts.anomalies' = 'detected_at';\n"
                    + "INSERT INTO t SELECT * FROM s -- ${backfill.id}\n"
                    + " WHERE ts >= ${backfill.from} AND ts < ${backfill.to} AND id <>"
                    + " ${backfill.id}"));
    BackfillRange day =
        new BackfillRange(
            LocalDateTime.parse("2026-01-02T00:00:00"),
            LocalDateTime.parse("2026-01-02T06:30:00.5"));
    SqlStatement insert = script.statements(day, "ab12cd34").get(2);
    assertThat(insert.code())
        .isEqualTo(
            "INSERT INTO t SELECT * FROM s WHERE ts >= TIMESTAMP '2026-01-02 00:00:00.000000' AND"
                + " ts < TIMESTAMP '2026-01-02 06:30:00.500000' AND id <> 'ab12cd34'");
    assertThat(insert.line()).isEqualTo(3);
    assertThat(script.statements(BackfillRange.ALL, "x").get(2).code())
        .contains(
            "TIMESTAMP '0001-01-01 00:00:00.000000'", "TIMESTAMP '9999-12-31 23:59:59.999999'");
    assertThat(script.timeColumn("facts.signups")).contains("event_ts");
    assertThat(script.timeColumn("facts.anomalies")).contains("detected_at");
  }

  @Test
  void rejectsUnknownPlaceholdersAndScriptsWithoutInsertNamingTheFile() throws Exception {
    Path unknown = write("INSERT INTO t SELECT * FROM s WHERE d = ${backfill.day}");
    assertThatThrownBy(() -> SqlBackfillScript.read(unknown))
        .isInstanceOf(SqlBackfillException.class)
        .hasMessageContaining(unknown.toString())
        .hasMessageContaining("line 1")
        .hasMessageContaining("unknown placeholder ${backfill.day}");
    Path noInsert = write("CREATE TEMPORARY VIEW v AS SELECT 1;\nSELECT * FROM v");
    assertThatThrownBy(() -> SqlBackfillScript.read(noInsert))
        .hasMessageContaining(noInsert.toString())
        .hasMessageContaining("has no INSERT");
    Path unclosed = write("INSERT INTO t SELECT 'x");
    assertThatThrownBy(() -> SqlBackfillScript.read(unclosed))
        .hasMessageContaining("cannot split backfill script " + unclosed);
    assertThat(SqlBackfillScript.read(write("INSERT INTO t SELECT 1")).timeColumn("t")).isEmpty();
  }

  @Test
  void chunksPerJobAndPlaceholdersAreReadFromTheScriptAndBadValuesAreRefusedNamingThem()
      throws Exception {
    SqlBackfillScript plain = SqlBackfillScript.read(write("INSERT INTO t SELECT 1"));
    assertThat(plain.chunksPerJob()).isEqualTo(SqlBackfillScript.DEFAULT_CHUNKS_PER_JOB);
    assertThat(plain.placeholdersPerJob()).isFalse();
    SqlBackfillScript set =
        SqlBackfillScript.read(
            write(
                "SET 'psyberg.backfill.chunks-per-job' = '7';\n"
                    + "SET 'psyberg.backfill.placeholders' = 'job';\n"
                    + "INSERT INTO t SELECT 1"));
    assertThat(set.chunksPerJob()).isEqualTo(7);
    assertThat(set.placeholdersPerJob()).isTrue();
    for (String bad : new String[] {"0", "-1", "many"}) {
      Path file =
          write("SET 'psyberg.backfill.chunks-per-job' = '" + bad + "';\nINSERT INTO t SELECT 1");
      assertThatThrownBy(() -> SqlBackfillScript.read(file).chunksPerJob())
          .isInstanceOf(SqlBackfillException.class)
          .hasMessageContaining(file.toString())
          .hasMessageContaining("'psyberg.backfill.chunks-per-job' to '" + bad + "'");
    }
    Path day = write("SET 'psyberg.backfill.placeholders' = 'Day';\nINSERT INTO t SELECT 1");
    assertThatThrownBy(() -> SqlBackfillScript.read(day).placeholdersPerJob())
        .hasMessageContaining(day.toString())
        .hasMessageContaining("'psyberg.backfill.placeholders' to 'Day'")
        .hasMessageContaining("'chunk'", "'job'");
  }

  @Test
  void chunksShareASessionUnlessAStatementBesideTheInsertsDependsOnTheChunk() throws Exception {
    String insert = "INSERT INTO t SELECT * FROM s WHERE ts >= ${backfill.from}";
    assertThat(
            SqlBackfillScript.read(
                    write(
                        "SET 'parallelism.default' = '2';\nCREATE TEMPORARY VIEW v AS SELECT 1;\n"
                            + insert
                            + ";\nSET 'psyberg.backfill.time-column' = 'ts'"))
                .chunksShareSession())
        .isTrue();
    assertThat(
            SqlBackfillScript.read(
                    write(
                        "CREATE TEMPORARY VIEW v AS SELECT * FROM s WHERE ts < ${backfill.to};\n"
                            + insert))
                .chunksShareSession())
        .isFalse();
    assertThat(
            SqlBackfillScript.read(write(insert + ";\nSET 'parallelism.default' = '2';\n" + insert))
                .chunksShareSession())
        .isFalse();
  }

  @Test
  void chunksAreTheCalendarDaysOfTheRange() {
    LocalDateTime from = LocalDateTime.parse("2026-01-01T18:00:00");
    LocalDateTime to = LocalDateTime.parse("2026-01-03T06:00:00");
    assertThat(SqlBackfill.days(new BackfillRange(from, to)))
        .containsExactly(
            new BackfillRange(from, LocalDateTime.parse("2026-01-02T00:00:00")),
            new BackfillRange(
                LocalDateTime.parse("2026-01-02T00:00:00"),
                LocalDateTime.parse("2026-01-03T00:00:00")),
            new BackfillRange(LocalDateTime.parse("2026-01-03T00:00:00"), to));
    assertThat(SqlBackfill.days(BackfillRange.ALL)).containsExactly(BackfillRange.ALL);
  }

  private int files;

  private Path write(String text) throws Exception {
    return Files.writeString(dir.resolve("script" + ++files + ".sql"), text);
  }
}
