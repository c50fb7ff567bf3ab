package io.psyberg.flink.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.examples.testutils.CliRun;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PsybergCliTest {

  @TempDir Path warehouse;

  @Test
  void noCommandPrintsTheCommandListAndExits2() {
    CliRun run = CliRun.of();
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    assertThat(run.err()).contains("missing command").contains("Commands:").contains("generate");
  }

  @Test
  void helpListsEveryCommand() {
    CliRun run = CliRun.of("--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("demo", "sql", "generate", "signups", "lifecycle", "sessions", "--warehouse");
  }

  @Test
  void unknownCommandExits2() {
    CliRun run = CliRun.of("frobnicate");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("unknown command 'frobnicate'").contains("Usage:");
  }

  @Test
  void commandHelpShowsItsOptionsAndTheCommonOnes() {
    CliRun run = CliRun.of("sql", "--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("Usage: java -jar psyberg-examples.jar sql (--file F | --execute STMTS)")
        .contains("--format table|csv")
        .contains("--warehouse DIR|URI")
        .contains("(default ./psyberg-warehouse)")
        .contains("--catalog-type hadoop|jdbc|rest|hive")
        .contains("--catalog-option KEY=VALUE ...")
        .contains("--catalog-conf FILE");
    assertThat(run.err()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"demo", "lifecycle", "signups", "generate", "sessions"})
  void everyCommandHasHelp(String command) {
    CliRun run = CliRun.of(command, "--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("Usage: java -jar psyberg-examples.jar " + command)
        .contains("--warehouse DIR");
  }

  @Test
  void lifecycleWithoutSourceNamesTheMissingArgument() {
    CliRun run =
        CliRun.of(
            "lifecycle", "--process", "p", "--target", "m.t", "--warehouse", warehouse.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--source");
  }

  @Test
  void sqlWithoutStatementsNamesTheMissingArgument() {
    CliRun run = CliRun.of("sql", "--warehouse", warehouse.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--file F or --execute STMTS").contains("Usage:");
  }

  @Test
  void sqlWithBothFileAndExecuteIsRejected() {
    CliRun run = CliRun.of("sql", "--file", "x.sql", "--execute", "SELECT 1");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("either --file or --execute, not both");
  }

  @Test
  void sqlWithAnUnknownFormatNamesTheOption() {
    CliRun run = CliRun.of("sql", "--execute", "SELECT 1", "--format", "xml");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("'--format' must be 'table' or 'csv', got 'xml'");
  }

  @Test
  void sqlWithAMissingFileNamesIt() {
    CliRun run = CliRun.of("sql", "--file", warehouse.resolve("nope.sql").toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("'--file': no such file").contains("nope.sql");
  }

  @Test
  void sqlWithOnlyCommentsIsRejected() {
    CliRun run = CliRun.of("sql", "--execute", "-- nothing; /* here */ ;");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--execute holds no SQL statement");
  }

  @Test
  void unknownOptionIsNamed() {
    CliRun run = CliRun.of("generate", "--tabel", "a.b");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("unknown option '--tabel'").contains("Usage:");
  }

  @Test
  void generateChecksItsNumbers() {
    assertThat(generate("--table", "a.b", "--accounts", "ten", "--events", "5").err())
        .contains("'--accounts' must be a whole number, got 'ten'");
    assertThat(generate("--table", "a.b", "--accounts", "0", "--events", "5").err())
        .contains("'--accounts' must be at least 1");
    assertThat(generate("--table", "a.b", "--accounts", "3").err())
        .contains("missing required option '--events'");
    assertThat(
            generate("--table", "a.b", "--accounts", "3", "--events", "5", "--late-fraction", "2")
                .err())
        .contains("'--late-fraction' must be a number between 0 and 1, got '2'");
    assertThat(
            generate(
                    "--table",
                    "a.b",
                    "--accounts",
                    "3",
                    "--events",
                    "5",
                    "--late-fraction",
                    "0.6",
                    "--bad-fraction",
                    "0.6")
                .err())
        .contains("add up to more than 1");
    assertThat(generate("--table", "events", "--accounts", "3", "--events", "5").err())
        .contains("'--table' must be NAMESPACE.TABLE");
    assertThat(generate("--table", "a.b", "--accounts", "3", "--events").err())
        .contains("option '--events' needs a value");
  }

  private CliRun generate(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "generate";
    all[1] = "--warehouse";
    all[2] = warehouse.toString();
    System.arraycopy(args, 0, all, 3, args.length);
    CliRun run = CliRun.of(all);
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    assertThat(run.err()).contains("Usage: java -jar psyberg-examples.jar generate");
    return run;
  }
}
