package io.psyberg.flink.examples.changes;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.examples.cli.ExitCodes;
import io.psyberg.flink.examples.testutils.CliRun;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad arguments of the change commands fail before anything runs, naming the option. */
class ChangeCommandsTest {
  @TempDir Path dir;

  private CliRun run(String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--warehouse";
    all[args.length + 1] = dir.toString();
    return CliRun.of(all);
  }

  private static void usageError(CliRun run, String... messages) {
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains(messages);
  }

  @Test
  void badOptionsNameTheOptionAndWhatIsValid() {
    usageError(
        run("capture", "--process", "p", "--source", "raw.events", "--format", "xml"),
        "Invalid value for option '--format': got 'xml', valid values are table, json");
    usageError(run("capture", "--process", "p", "--source", "events"), "--source");
    usageError(
        run(
            "capture",
            "--process",
            "p",
            "--source",
            "raw.events",
            "--non-append-snapshots",
            "changelog"),
        "Invalid value for option '--non-append-snapshots': got 'changelog', valid values are"
            + " fail, skip");
    // Any other bad value lists the same valid values (not changelog, which it then refuses).
    for (String command : new String[] {"capture", "pending"}) {
      CliRun bad =
          run(command, "--process", "p", "--source", "raw.events", "--non-append-snapshots", "foo");
      usageError(
          bad,
          "Invalid value for option '--non-append-snapshots': got 'foo', valid values are"
              + " fail, skip");
      assertThat(bad.err()).doesNotContain("changelog");
    }
    usageError(
        run(
            "commit",
            "--process",
            "p",
            "--session",
            "s",
            "--target",
            "t.x",
            "--audit-row-count",
            "yes"),
        "--audit-row-count takes match-source");
    usageError(
        run("commit", "--process", "p", "--session", "s", "--target", "t.x", "--audit-unique", ","),
        "--audit-unique names no column");
    usageError(
        run("pending", "--process", "p", "--source", "raw.events", "--timeout", "soon"),
        "--timeout must be a duration");
    usageError(
        run("commit", "--process", "p", "--target", "t.x"), "missing required option '--session'");
    usageError(
        run(
            "capture",
            "--process",
            "p",
            "--source",
            "raw.events",
            "--max-snapshots-per-session",
            "-1"),
        "option '--max-snapshots-per-session' must be 0 or more, got -1");
  }

  @Test
  void helpListsTheContractsOptions() {
    assertThat(CliRun.of("capture", "--help").out())
        .contains("--process P", "--source NS.T", "--change-table NS.NAME", "--format table|json");
    assertThat(CliRun.of("commit", "--help").out())
        .contains(
            "--session S",
            "--target NS.T",
            "--audit-not-null COLS",
            "--audit-unique COLS",
            "--audit-row-count match-source",
            "--audit-min-rows N",
            "--audit-max-rows N");
    assertThat(CliRun.of("pending", "--help").out()).contains("--wait", "--timeout DURATION");
  }
}
