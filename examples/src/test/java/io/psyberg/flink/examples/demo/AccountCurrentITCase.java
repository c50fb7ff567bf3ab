package io.psyberg.flink.examples.demo;

import static io.psyberg.flink.examples.testutils.CliRun.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.examples.testutils.CliRun;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.testutils.Warehouse;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.StreamSupport;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The second stage (account_current.sql through the {@code sql} command) catches up on the
 * lifecycle process's corrections: after several lifecycle sessions with late events it equals a
 * full recompute from {@code account_lifecycle}, and stays equal over one more round.
 */
class AccountCurrentITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final String EVENTS = "membership.events";
  private static final String LIFECYCLE = "membership.account_lifecycle";
  private static final String CURRENT = "membership.account_current";

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
  void secondStageCatchesUpOnLifecycleCorrections() throws Exception {
    ok(generate(1, "0"));
    ok(lifecycle());
    ok(generate(2, "0.4"));
    ok(lifecycle());
    ok(generate(3, "0.4"));
    ok(lifecycle());
    assertThat(rewritingSnapshots())
        .as("late events made the lifecycle process rewrite published segments")
        .isPositive();

    ok(secondStage());
    assertThat(current()).isNotEmpty().isEqualTo(recomputed());

    ok(generate(4, "0.4"));
    ok(lifecycle());
    ok(secondStage());
    assertThat(current()).isEqualTo(recomputed());

    List<Session> sessions =
        new SessionLog(wh.catalog(), "psyberg").sessions("account_current_load");
    assertThat(sessions).extracting(Session::status).containsOnly(SessionStatus.PUBLISHED);
    assertThat(sessions).hasSize(2);
  }

  private CliRun generate(long seed, String lateFraction) {
    return CliRun.of(
        "generate",
        "--warehouse",
        wh.dir(),
        "--table",
        EVENTS,
        "--accounts",
        "60",
        "--events",
        "600",
        "--late-fraction",
        lateFraction,
        "--seed",
        Long.toString(seed));
  }

  private CliRun lifecycle() {
    return CliRun.of(
        "lifecycle",
        "--warehouse",
        wh.dir(),
        "--process",
        "lifecycle_load",
        "--source",
        EVENTS,
        "--target",
        LIFECYCLE);
  }

  private CliRun secondStage() throws Exception {
    URL script = AccountCurrentITCase.class.getResource("account_current.sql");
    assertThat(script).as("account_current.sql on the class path").isNotNull();
    return CliRun.of("sql", "--warehouse", wh.dir(), "--file", Path.of(script.toURI()).toString());
  }

  /** Snapshots of account_lifecycle that removed rows: the changes stage 2 must retract. */
  private long rewritingSnapshots() {
    Iterable<Snapshot> snapshots = wh.load(LIFECYCLE).snapshots();
    return StreamSupport.stream(snapshots.spliterator(), false)
        .filter(
            s ->
                !DataOperations.APPEND.equals(s.operation())
                    && (Long.parseLong(s.summary().getOrDefault("added-delete-files", "0")) > 0
                        || Long.parseLong(s.summary().getOrDefault("deleted-data-files", "0")) > 0))
        .count();
  }

  /** The stage 2 target, account id to its row. */
  private Map<Long, String> current() {
    Map<Long, String> rows = new TreeMap<>();
    for (Record r : wh.rows(CURRENT)) {
      String previous =
          rows.put(
              (Long) r.getField("account_id"),
              describe(r.getField("segment_no"), r, r.getField("since")));
      assertThat(previous).as("one row per account").isNull();
    }
    return rows;
  }

  /** The full recompute: each account's open segment in account_lifecycle as it is now. */
  private Map<Long, String> recomputed() {
    Map<Long, String> rows = new TreeMap<>();
    for (Record r : wh.rows(LIFECYCLE)) {
      if (r.getField("valid_to") == null) {
        String previous =
            rows.put(
                (Long) r.getField("account_id"),
                describe(r.getField("segment_no"), r, r.getField("valid_from")));
        assertThat(previous).as("one open segment per account").isNull();
      }
    }
    return rows;
  }

  private static String describe(Object segmentNo, Record r, Object since) {
    return segmentNo + "|" + r.getField("state") + "|" + r.getField("plan") + "|" + since;
  }
}
