package io.psyberg.flink.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.changes.CapturedSession;
import io.psyberg.flink.changes.ChangeCapture;
import io.psyberg.flink.changes.ChangeSettings;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SQL table with {@code 'within-change-range' = 'true'} reads a full (non-incremental) table's
 * current rows restricted to the change range of its process's open session: the rest of a job that
 * joins a session's new rows with it reads only the affected range.
 */
class WithinChangeRangeITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final String EVENTS = "membership.events";
  private static final String HISTORY = "facts.history";
  private static final String PROCESS = "range_p";
  private static final LocalDateTime DAY1 = LocalDateTime.of(2026, 1, 1, 8, 0);

  @TempDir Path dir;
  private Warehouse wh;
  private TableEnvironment tEnv;

  @BeforeEach
  void setUp() {
    wh = new Warehouse(dir);
    wh.createEventsTable(EVENTS);
    wh.createEventsTable(HISTORY);
    tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    tEnv.getConfig()
        .getConfiguration()
        .setString("psyberg.catalog.warehouse", wh.spec().warehouse());
  }

  @AfterEach
  void tearDown() throws Exception {
    wh.close();
  }

  @Test
  void readsOnlyTheRowsInsideTheOpenSessionsChangeRange() throws Exception {
    // The full table: one row per hour over three days, in three files (one per day).
    for (int day = 0; day < 3; day++) {
      List<org.apache.iceberg.data.Record> rows = new ArrayList<>();
      for (int hour = 0; hour < 24; hour++) {
        LocalDateTime at = DAY1.plusDays(day).withHour(hour);
        rows.add(Warehouse.event("h-" + day + "-" + hour, hour % 3, "PLAN_CHANGE", "basic", at));
      }
      wh.append(HISTORY, rows);
    }
    // The session's new rows fall on day 2, 10:00 to 12:30.
    wh.append(
        EVENTS,
        List.of(
            Warehouse.event("n-1", 1, "SIGNUP", "basic", DAY1.plusDays(1).withHour(10)),
            Warehouse.event(
                "n-2", 2, "SIGNUP", "basic", DAY1.plusDays(1).withHour(12).withMinute(30))));
    CapturedSession captured = capture();
    assertThat(captured.session().ranges().get(0).changeRange().min()).startsWith("2026-01-02T10");

    ddl("'within-change-range' = 'true', 'change-range-column' = 'event_ts'");

    assertThat(ids("SELECT event_id FROM hist"))
        .containsExactlyInAnyOrder("h-1-10", "h-1-11", "h-1-12");
    assertThat(ids("SELECT event_id FROM hist WHERE account_id = 1")).containsExactly("h-1-10");
  }

  @Test
  void aProcessWithoutAnOpenSessionFailsSayingWhatToDo() {
    wh.append(HISTORY, Warehouse.events("h", 3, DAY1));
    ddl("'within-change-range' = 'true'");

    assertThatThrownBy(() -> ids("SELECT event_id FROM hist"))
        .hasMessageContaining("'within-change-range'")
        .hasMessageContaining("process " + PROCESS)
        .hasMessageContaining("capture --process " + PROCESS);
  }

  @Test
  void aBadValueNamesTheOptionAndTheValidValues() {
    ddl("'within-change-range' = 'yes'");

    assertThatThrownBy(() -> ids("SELECT event_id FROM hist"))
        .rootCause()
        .hasMessageContaining("invalid value 'yes' for option 'within-change-range'")
        .hasMessageContaining("Valid values: true, false");
  }

  private CapturedSession capture() {
    return ChangeCapture.capture(
        ChangeSettings.builder()
            .catalog(wh.spec())
            .processName(PROCESS)
            .sourceTable(EVENTS)
            .changeRangeColumn("event_ts")
            .build(),
        null);
  }

  private void ddl(String options) {
    tEnv.executeSql(
        "CREATE TEMPORARY TABLE hist (event_id STRING, account_id BIGINT, event_type STRING, plan"
            + " STRING, event_ts TIMESTAMP(6)) WITH ('connector' = 'psyberg', 'table' = '"
            + HISTORY
            + "', 'process-name' = '"
            + PROCESS
            + "', "
            + options
            + ")");
  }

  private List<String> ids(String query) throws Exception {
    List<String> out = new ArrayList<>();
    try (CloseableIterator<Row> it = tEnv.executeSql(query).collect()) {
      it.forEachRemaining(r -> out.add((String) r.getField(0)));
    }
    return out;
  }
}
