package io.psyberg.flink.examples.sessions;

import static io.psyberg.flink.examples.testutils.CliRun.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.examples.testutils.CliRun;
import io.psyberg.flink.metadata.HighWatermarkMirror;
import io.psyberg.flink.metadata.PublishedHighWatermark;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sessions --stale} lists the refs psyberg keeps for a process on its targets; {@code
 * drop-process} removes them and the process's high-watermark rows, keeping its data and log.
 */
class DropProcessCommandITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

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
  void staleProcessRefsAreListedAndDropped() throws Exception {
    ok(
        CliRun.of(
            "generate",
            "--warehouse",
            wh.dir(),
            "--table",
            "membership.events",
            "--accounts",
            "10",
            "--events",
            "50",
            "--seed",
            "3"));
    ok(
        CliRun.of(
            "signups",
            "--warehouse",
            wh.dir(),
            "--process",
            "old_load",
            "--source",
            "membership.events",
            "--target",
            "facts.signups"));
    String tag = PublishedHighWatermark.tagOf("old_load");
    assertThat(wh.load("facts.signups").refs()).containsKey(tag);

    // Not idle for a week yet: nothing listed.
    assertThat(ok(CliRun.of("sessions", "--warehouse", wh.dir(), "--stale")).out())
        .contains("No process has been without a session for 7 days or more.");
    CliRun stale =
        ok(CliRun.of("sessions", "--warehouse", wh.dir(), "--stale", "--idle-days", "0"));
    assertThat(stale.out())
        .contains("old_load")
        .contains("facts.signups@" + tag)
        .contains("1 stale process; drop one with: drop-process --process P");

    CliRun dropped =
        ok(CliRun.of("drop-process", "--warehouse", wh.dir(), "--process", "old_load"));
    assertThat(dropped.out())
        .contains("dropped tag facts.signups@" + tag)
        .contains("Process old_load dropped: 1 ref, 1 high-watermark row.");
    Table target = wh.load("facts.signups");
    assertThat(target.refs()).containsOnlyKeys("main");
    assertThat(wh.rows("facts.signups")).isNotEmpty();
    assertThat(new HighWatermarkMirror(wh.catalog(), "psyberg").read("old_load")).isEmpty();

    CliRun unknown = CliRun.of("drop-process", "--warehouse", wh.dir(), "--process", "nope");
    assertThat(unknown.exitCode()).isNotZero();
    assertThat(unknown.err()).contains("no process 'nope'").contains("old_load");
  }
}
