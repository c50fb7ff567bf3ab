package io.psyberg.flink.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.examples.cli.ExitCodes;
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
    for (String help : new String[] {"--help", "-h", "help"}) {
      CliRun run = CliRun.of(help);
      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(run.out())
          .contains("demo", "sql", "generate", "signups", "lifecycle", "sessions", "--warehouse")
          .contains("drop-process", "capture", "commit", "pending", "backfill", "completion");
    }
  }

  @Test
  void unknownCommandExits2() {
    CliRun run = CliRun.of("frobnicate");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("unknown command 'frobnicate'").contains("Usage:");
  }

  @Test
  void aMistypedCommandGetsASuggestion() {
    CliRun run = CliRun.of("signup", "--process", "p");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err())
        .startsWith("psyberg: unknown command 'signup'\nDid you mean: signups")
        .contains("Commands:");
    assertThat(run.out()).isEmpty();
    assertThat(CliRun.of("backfill", "stauts").err())
        .startsWith("psyberg backfill: unknown subcommand 'stauts'\nDid you mean: ")
        .contains("status");
  }

  @Test
  void aMistypedOptionGetsASuggestionBeforeAnyMissingOption() {
    CliRun run = CliRun.of("generate", "--tabel", "a.b", "--accounts", "3", "--events", "5");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err())
        .startsWith("psyberg generate: unknown option '--tabel'\nPossible solutions: --table")
        .doesNotContain("missing required");
  }

  @Test
  void versionNamesTheProjectAndItsStack() {
    CliRun run = CliRun.of("--version");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out())
        .matches(
            "(?s)psyberg-examples \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\nFlink 1\\.18\\.\\d+, Iceberg"
                + " 1\\.6\\.\\d+, Java .*\n");
    assertThat(CliRun.of("generate", "--version").out()).isEqualTo(run.out());
  }

  @Test
  void commandHelpShowsItsOptionsAndTheCommonOnes() {
    CliRun run = CliRun.of("sql", "--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .startsWith("Usage: java -jar psyberg-examples.jar sql (--file F | --execute STMTS)")
        .contains("--format table|csv")
        .contains("--warehouse DIR|URI")
        .contains("(default: ./psyberg-warehouse)")
        .contains("--catalog-type hadoop|jdbc|rest|hive")
        .contains("--catalog-option KEY=VALUE")
        .contains("(repeatable)")
        .contains("--catalog-conf FILE")
        .contains("Exit codes:");
    assertThat(run.err()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "demo",
        "sql",
        "generate",
        "signups",
        "lifecycle",
        "sessions",
        "drop-process",
        "capture",
        "commit",
        "pending",
        "backfill",
        "backfill start",
        "backfill status",
        "backfill resume",
        "backfill validate",
        "backfill publish",
        "backfill abort"
      })
  void everyCommandHasHelp(String command) {
    String[] words = command.split(" ");
    String[] args = new String[words.length + 1];
    System.arraycopy(words, 0, args, 0, words.length);
    args[words.length] = "--help";
    CliRun run = CliRun.of(args);
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).startsWith("Usage: java -jar psyberg-examples.jar " + command);
    if (!command.equals("backfill")) {
      assertThat(run.out()).contains("--warehouse DIR");
    }
    assertThat(run.err()).isEmpty();
    if (words.length == 1) {
      CliRun viaHelp = CliRun.of("help", command);
      assertThat(viaHelp.out()).as(viaHelp.toString()).isEqualTo(run.out());
    }
  }

  @Test
  void completionPrintsABashScriptWithTheCommandsAndChoices() {
    CliRun run = CliRun.of("completion");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out())
        .startsWith("#!/usr/bin/env bash")
        .contains("complete -F _complete_psyberg")
        .contains("\"bounded\" \"continuous\"")
        .contains("\"hadoop\" \"jdbc\" \"rest\" \"hive\"")
        .contains("signups", "backfill", "validate");
    assertThat(CliRun.of("completion", "--name", "pf").out()).contains("complete -F _complete_pf");
    assertThat(CliRun.of("completion", "--name", "a;b").exitCode()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void lifecycleWithoutSourceNamesTheMissingArgument() {
    CliRun run =
        CliRun.of(
            "lifecycle", "--process", "p", "--target", "m.t", "--warehouse", warehouse.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("missing required option '--source'");
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
  void aBadChoiceNamesTheOptionTheValueAndTheValidValues() {
    CliRun run = CliRun.of("sql", "--execute", "SELECT 1", "--format", "xml");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .startsWith(
            "psyberg sql: Invalid value for option '--format': got 'xml', valid values are table,"
                + " csv\n");
    CliRun upper = CliRun.of("sql", "--execute", "SELECT 1", "--format", "XML");
    assertThat(upper.err()).contains("got 'XML', valid values are table, csv");
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
  void optionsTakeTheirValueAfterASpaceOrAnEqualsSign() {
    CliRun run =
        CliRun.of(
            "generate",
            "--warehouse=" + warehouse,
            "--table=a.b",
            "--accounts",
            "3",
            "--events=5",
            "--seed=1");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).contains("generated table=a.b", "rows=5", "seed=1");
  }

  @Test
  void generateChecksItsNumbers() {
    assertThat(generate("--table", "a.b", "--accounts", "ten", "--events", "5").err())
        .contains("Invalid value for option '--accounts': got 'ten', expected a whole number");
    assertThat(
            generate("--table", "a.b", "--accounts", "3", "--events", "5", "--late-fraction", "x")
                .err())
        .contains("Invalid value for option '--late-fraction': got 'x', expected a number");
    assertThat(generate("--table", "a.b", "--accounts", "0", "--events", "5").err())
        .contains("option '--accounts' must be between 1 and 2147483647, got 0");
    assertThat(generate("--table", "a.b", "--accounts", "3").err())
        .contains("missing required option '--events'");
    assertThat(
            generate("--table", "a.b", "--accounts", "3", "--events", "5", "--late-fraction", "2")
                .err())
        .contains("option '--late-fraction' must be a number between 0 and 1, got 2.0");
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
        .contains("Missing required parameter for option '--events' (M)");
  }

  private CliRun generate(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "generate";
    all[1] = "--warehouse";
    all[2] = warehouse.toString();
    System.arraycopy(args, 0, all, 3, args.length);
    CliRun run = CliRun.of(all);
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    assertThat(run.err())
        .startsWith("psyberg generate: ")
        .contains("Usage: java -jar psyberg-examples.jar generate");
    return run;
  }
}
