package io.psyberg.flink.examples.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.examples.testutils.CliRun;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Arguments of {@code lifecycle} that fail before a job starts: the same job options as {@code
 * signups}, with the same messages, plus its second target.
 */
class LifecycleCommandTest {
  @TempDir Path dir;

  @Test
  void jobOptionsAreCheckedAsForSignups() {
    assertThat(usageError("--process", "my process", "--source", "a.b", "--target", "c.d"))
        .contains("option '--process' must be letters, digits");
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
                "4000"))
        .contains("option '--interval' must be between 1 and 3600 seconds, got 4000");
    assertThat(usageError("--process", "p", "--source", "a.b", "--target", "psyberg.lc"))
        .contains("table psyberg.lc is in namespace 'psyberg'");
    for (String mode : List.of("bounded", "continuous")) {
      assertThat(
              usageError(
                  "--process",
                  "p",
                  "--source",
                  "a.b",
                  "--target",
                  "c.d",
                  "--mode",
                  mode,
                  "--max-snapshots-per-session",
                  "0"))
          .contains(
              "option '--max-snapshots-per-session' must be 1 or more, got 0 (leave it out for no"
                  + " cap)");
    }
  }

  @Test
  void helpShowsTheCatchUpOption() {
    CliRun run = CliRun.of("lifecycle", "--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out().replaceAll("\\s+", " "))
        .contains("[--max-snapshots-per-session N]")
        .contains(
            "--max-snapshots-per-session N catch up in steps: at most N new snapshots per source"
                + " table in one session");
  }

  @Test
  void everyTargetIsItsOwnTableAndNoSource() {
    assertThat(usageError("--process", "p", "--source", "a.b", "--target", "a.b"))
        .contains("option '--target' names a.b, which is also a --source");
    assertThat(
            usageError(
                "--process", "p", "--source", "a.b", "--target", "c.d", "--anomalies", "a.b"))
        .contains("option '--anomalies' names a.b, which is also a --source");
    assertThat(
            usageError(
                "--process", "p", "--source", "a.b", "--target", "c.d", "--anomalies", "c.d"))
        .contains("options '--target' and '--anomalies' both name c.d");
    assertThat(usageError("--process", "p", "--source", "a.b", "--target", "lifecycle"))
        .contains("option '--target' must be NAMESPACE.TABLE");
  }

  private String usageError(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "lifecycle";
    all[1] = "--warehouse";
    all[2] = dir.toString();
    System.arraycopy(args, 0, all, 3, args.length);
    CliRun run = CliRun.of(all);
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    assertThat(run.err()).startsWith("psyberg lifecycle: ").contains("Usage: ");
    assertThat(run.out()).isEmpty();
    return run.err();
  }
}
