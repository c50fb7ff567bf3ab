package io.psyberg.flink.examples.signups;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.examples.testutils.CliRun;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Arguments and table checks of {@code signups}: everything that fails before a job starts. */
class SignupsCommandTest {
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
  void helpShowsTheOptions() {
    CliRun run = CliRun.of("signups", "--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out().replaceAll("\\s+", " "))
        .startsWith(
            "Usage: java -jar psyberg-examples.jar signups --process P --source NS.T[,NS.T2]"
                + " --target NS.T [--mode bounded|continuous]")
        .contains("--interval SECONDS", "--warehouse DIR", "(default: bounded)")
        .contains(
            "[--max-snapshots-per-session N]",
            "--max-snapshots-per-session N catch up in steps: at most N new snapshots per source"
                + " table in one session",
            "(default: no cap)")
        .contains("--mode bounded|continuous bounded: process what is new");
  }

  @Test
  void missingOptionsAreNamed() {
    assertThat(usageError("--source", "a.b", "--target", "c.d")).contains("'--process'");
    assertThat(usageError("--process", "p", "--target", "c.d"))
        .contains("missing required option '--source'");
    assertThat(usageError("--process", "p", "--source", "a.b"))
        .contains("missing required option '--target'");
  }

  @Test
  void badValuesAreNamed() {
    assertThat(usageError("--process", "p", "--source", "events", "--target", "c.d"))
        .contains(
            "option '--source' must be NAMESPACE.TABLE (e.g. membership.events), got 'events'");
    assertThat(usageError("--process", "p", "--source", "a.b,,a.c", "--target", "c.d"))
        .contains("option '--source' must be NAMESPACE.TABLE");
    assertThat(usageError("--process", "p", "--source", "a.b,a.b", "--target", "c.d"))
        .contains("option '--source' names table a.b twice");
    assertThat(usageError("--process", "p", "--source", "a.b", "--target", "a.b"))
        .contains("option '--target' names a.b, which is also a --source");
    assertThat(usageError("--process", "p", "--source", "a.b", "--target", "psyberg.facts"))
        .contains("table psyberg.facts is in namespace 'psyberg'");
    assertThat(usageError("--process", "my process", "--source", "a.b", "--target", "c.d"))
        .contains("option '--process' must be letters, digits");
    assertThat(
            usageError("--process", "p", "--source", "a.b", "--target", "c.d", "--mode", "batch"))
        .contains(
            "Invalid value for option '--mode': got 'batch', valid values are bounded,"
                + " continuous");
    assertThat(
            usageError("--process", "p", "--source", "a.b", "--target", "c.d", "--interval", "2"))
        .contains("option '--interval' applies to --mode continuous only");
    assertThat(
            usageError(
                "--process",
                "p",
                "--source",
                "a.b",
                "--target",
                "c.d",
                "--mode",
                "continuous",
                "--interval",
                "0"))
        .contains("option '--interval' must be between 1 and 3600 seconds, got 0");
    for (String bad : List.of("0", "-3")) {
      assertThat(
              usageError(
                  "--process",
                  "p",
                  "--source",
                  "a.b",
                  "--target",
                  "c.d",
                  "--max-snapshots-per-session",
                  bad))
          .contains(
              "option '--max-snapshots-per-session' must be 1 or more, got "
                  + bad
                  + " (leave it out for no cap)");
    }
    assertThat(
            usageError(
                "--process",
                "p",
                "--source",
                "a.b",
                "--target",
                "c.d",
                "--max-snapshots-per-session",
                "ten"))
        .contains("'--max-snapshots-per-session'")
        .contains("got 'ten', expected a whole number");
  }

  @Test
  void aMissingSourceTableIsNamedWithHowToCreateIt() {
    String err = usageError("--process", "p", "--source", "membership.events", "--target", "f.s");
    assertThat(err)
        .contains("source table membership.events does not exist in warehouse " + wh.dir())
        .contains("generate --table membership.events");
    assertThat(wh.catalog().tableExists(TableIdentifier.parse("f.s")))
        .as("nothing is created when the arguments are wrong")
        .isFalse();
  }

  @Test
  void aSourceWithoutTheEventColumnsIsRefused() {
    wh.createTable(
        "membership.events",
        new Schema(
            Types.NestedField.required(1, "event_id", Types.LongType.get()),
            Types.NestedField.required(2, "account_id", Types.LongType.get())));
    CliRun run = run("--process", "p", "--source", "membership.events", "--target", "f.s");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.err())
        .contains("source table membership.events does not have the membership event columns")
        .contains("column 'event_id' is long, should be string")
        .contains("column 'event_type' is missing")
        .contains("column 'event_ts' is missing");
  }

  @Test
  void anExistingTargetOfAnotherShapeIsRefusedNamingEachDifference() {
    CliRun generated =
        CliRun.of(
            "generate",
            "--warehouse",
            wh.dir(),
            "--table",
            "membership.events",
            "--accounts",
            "3",
            "--events",
            "10",
            "--seed",
            "1");
    assertThat(generated.exitCode()).as(generated.toString()).isZero();
    wh.createTable(
        "facts.signups",
        new Schema(
            Types.NestedField.required(1, "event_id", Types.StringType.get()),
            Types.NestedField.required(2, "account_id", Types.IntegerType.get()),
            Types.NestedField.required(3, "plan", Types.StringType.get()),
            Types.NestedField.required(4, "event_ts", Types.TimestampType.withoutZone()),
            Types.NestedField.required(5, "region", Types.StringType.get())));
    long snapshots = wh.load("facts.signups").history().size();

    CliRun run =
        run("--process", "p", "--source", "membership.events", "--target", "facts.signups");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.err())
        .startsWith(
            "ERROR: target table facts.signups exists but does not have the signup fact shape:")
        .contains("column 'account_id' is INT, should be BIGINT")
        .contains("column 'plan' is NOT NULL, should be nullable")
        .contains("column 'signup_date' (DATE NOT NULL) is missing")
        .contains("extra column 'region' (STRING NOT NULL)")
        .contains(
            "Expected columns, in this order: event_id STRING NOT NULL, account_id BIGINT NOT"
                + " NULL, plan STRING, event_ts TIMESTAMP(6) NOT NULL, signup_date DATE NOT NULL")
        .contains("Use another --target");
    assertThat(wh.load("facts.signups").history()).hasSize((int) snapshots);
  }

  private CliRun run(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "signups";
    all[1] = "--warehouse";
    all[2] = wh.dir();
    System.arraycopy(args, 0, all, 3, args.length);
    return CliRun.of(all);
  }

  /** Runs and expects a usage error; returns stderr. */
  private String usageError(String... args) {
    CliRun run = run(args);
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    assertThat(run.err()).startsWith("psyberg signups: ").contains("Usage: ");
    assertThat(run.out()).isEmpty();
    return run.err();
  }
}
