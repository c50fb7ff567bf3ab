package io.psyberg.flink.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.examples.testutils.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo tells the whole story on a fresh warehouse, and refuses a warehouse it did not make. */
class DemoCommandITCase {
  @TempDir Path dir;

  @Test
  void runsTheWholeStory() {
    CliRun run = CliRun.of("demo", "--warehouse", dir.resolve("demo").toString());
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out())
        .contains("signup_fact_load", "lifecycle_load", "premium_plan_changes")
        .contains("| EMPTY ", "| AUDIT_FAILED ", "| PUBLISHED ")
        .contains("max-rows")
        .contains("signup_copy_load", "Published session s-")
        .contains("| published_rows |", "|              0 |")
        .contains("membership.account_lifecycle", "Demo finished in")
        .contains("differing_from_recompute")
        .containsPattern("\\| +[1-9][0-9]* \\| +0 \\|")
        .contains("backfill start", ": VALIDATED - audits passed", "PUBLISHED (published to main");
  }

  @Test
  void refusesAWarehouseWithOtherData() throws Exception {
    Path other = dir.resolve("other");
    Files.createDirectories(other.resolve("sales"));
    CliRun run = CliRun.of("demo", "--warehouse", other.toString());
    assertThat(run.exitCode()).isNotZero();
    assertThat(run.err()).contains("needs an empty warehouse", "--warehouse");
    assertThat(other.resolve("sales")).exists();
  }
}
