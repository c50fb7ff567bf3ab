package io.psyberg.flink.examples.signups;

import static io.psyberg.flink.examples.testutils.CliRun.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.examples.testutils.CliRun;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code signups} job (row-count audit over SIGNUP source rows) over a source whose snapshots
 * are expired down to the newest one, with the HWM snapshot among them, between runs.
 */
class SignupsUnderMaintenanceITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final String EVENTS = "membership.events";
  private static final String FACTS = "facts.signups";

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

  private CliRun generate(long seed) {
    return ok(
        CliRun.of(
            "generate",
            "--warehouse",
            wh.dir(),
            "--table",
            EVENTS,
            "--accounts",
            "30",
            "--events",
            "120",
            "--late-fraction",
            "0.1",
            "--seed",
            Long.toString(seed)));
  }

  private CliRun signups() {
    return ok(
        CliRun.of(
            "signups",
            "--warehouse",
            wh.dir(),
            "--process",
            "p1",
            "--source",
            EVENTS,
            "--target",
            FACTS));
  }

  private static void retainLastOne(Table table) {
    table.expireSnapshots().expireOlderThan(Long.MAX_VALUE).retainLast(1).commit();
  }

  @Test
  void eachSignupIsPublishedOnceAfterTheSourceKeepsOnlyItsNewestSnapshot() {
    generate(1);
    signups();
    generate(2);
    generate(3);
    retainLastOne(wh.load(EVENTS));
    CliRun second = signups();
    assertThat(second.out()).containsPattern("\\| row-count \\| passed \\|");
    assertThat(factIds()).isEqualTo(signupIds());

    // Once more, with the HWM snapshot the second run left expired too.
    generate(4);
    retainLastOne(wh.load(EVENTS));
    signups();
    assertThat(factIds()).isEqualTo(signupIds()).doesNotHaveDuplicates();
  }

  private List<String> factIds() {
    return wh.rows(FACTS).stream()
        .map(r -> (String) r.getField("event_id"))
        .sorted()
        .collect(Collectors.toList());
  }

  private List<String> signupIds() {
    return wh.rows(EVENTS).stream()
        .filter(r -> "SIGNUP".equals(r.getField("event_type")))
        .map(r -> (String) r.getField("event_id"))
        .sorted()
        .collect(Collectors.toList());
  }
}
