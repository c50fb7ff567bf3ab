package io.psyberg.flink.examples.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlScriptTest {

  @Test
  void splitsOnSemicolonsAndDropsEmptyStatements() throws Exception {
    List<SqlStatement> s = SqlScript.split("CREATE DATABASE a;; \n SELECT 1 ;\n\n  SELECT 2");
    assertThat(s)
        .extracting(SqlStatement::text)
        .containsExactly("CREATE DATABASE a", "SELECT 1", "SELECT 2");
    assertThat(s).extracting(SqlStatement::line).containsExactly(1, 2, 4);
  }

  @Test
  void semicolonsInQuotesAndCommentsDoNotSplit() throws Exception {
    String script =
        "-- first; a comment\n"
            + "INSERT INTO t VALUES ('a;b', 'it''s; fine'); /* block; comment */\n"
            + "SELECT `odd;name`, \"x;y\" FROM t -- trailing; comment\n"
            + ";";
    List<SqlStatement> s = SqlScript.split(script);
    assertThat(s).hasSize(2);
    assertThat(s.get(0).code()).isEqualTo("INSERT INTO t VALUES ('a;b', 'it''s; fine')");
    assertThat(s.get(0).line()).isEqualTo(2);
    assertThat(s.get(1).code()).isEqualTo("SELECT `odd;name`, \"x;y\" FROM t");
    assertThat(s.get(1).text()).endsWith("-- trailing; comment");
  }

  @Test
  void hintsStayInTheStatement() throws Exception {
    List<SqlStatement> s =
        SqlScript.split("SELECT * FROM t /*+ OPTIONS('start-snapshot-id'='1;2') */; SELECT 2");
    assertThat(s).hasSize(2);
    assertThat(s.get(0).code()).contains("/*+ OPTIONS('start-snapshot-id'='1;2') */");
  }

  @Test
  void commentOnlyScriptsHaveNoStatements() throws Exception {
    assertThat(SqlScript.split("-- nothing\n/* at all */ ;  ;\n")).isEmpty();
  }

  @Test
  void executeStatementSetStaysOneStatement() throws Exception {
    List<SqlStatement> s =
        SqlScript.split(
            "EXECUTE STATEMENT SET BEGIN\nINSERT INTO a SELECT 1;\nINSERT INTO b SELECT 2;\nEND;"
                + "SELECT 3");
    assertThat(s).hasSize(2);
    assertThat(s.get(0).text())
        .isEqualTo(
            "EXECUTE STATEMENT SET BEGIN\nINSERT INTO a SELECT 1;\nINSERT INTO b SELECT 2;\nEND");
    assertThat(s.get(1).text()).isEqualTo("SELECT 3");
  }

  @Test
  void unclosedQuotesAndCommentsAreErrors() {
    assertThatThrownBy(() -> SqlScript.split("SELECT 1;\nSELECT 'abc"))
        .isInstanceOf(SqlScriptException.class)
        .hasMessageContaining("opened on line 2 is not closed");
    assertThatThrownBy(() -> SqlScript.split("SELECT 1 /* oops"))
        .hasMessageContaining("/* on line 1 is not closed");
    assertThatThrownBy(() -> SqlScript.split("EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1;"))
        .hasMessageContaining("has no matching END");
  }
}
