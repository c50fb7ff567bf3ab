package io.psyberg.flink.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.session.SourceRange;
import io.psyberg.flink.testutils.Jobs;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class PsybergSourceITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final LocalDateTime DAY1 = LocalDateTime.of(2026, 1, 1, 8, 0);

  @TempDir Path dir;
  private Warehouse wh;

  @BeforeEach
  void setUp() {
    wh = new Warehouse(dir);
    wh.createEventsTable("membership.events");
  }

  @AfterEach
  void tearDown() throws Exception {
    wh.close();
  }

  private PsybergSourceBuilder source(String process) {
    return PsybergSource.builder()
        .catalog(wh.spec())
        .processName(process)
        .tables("membership.events")
        .changeRangeColumn("event_ts");
  }

  @Test
  void boundedRunReadsExactlyTheNewSnapshotsAndRecordsTheSession() throws Exception {
    wh.append("membership.events", Warehouse.events("a", 3, DAY1));
    wh.append("membership.events", Warehouse.events("b", 2, DAY1.plusDays(1)));
    long s3 = wh.append("membership.events", Warehouse.events("c", 4, DAY1.plusDays(2)));

    List<String> ids = Jobs.readIds(source("p_bounded").build(), 2);

    assertThat(ids)
        .containsExactlyInAnyOrder("a-0", "a-1", "a-2", "b-0", "b-1", "c-0", "c-1", "c-2", "c-3");
    List<Session> sessions = new SessionLog(wh.catalog(), "psyberg").sessions("p_bounded");
    assertThat(sessions).hasSize(1);
    Session session = sessions.get(0);
    assertThat(session.status()).isEqualTo(SessionStatus.PLANNED);
    assertThat(session.mode()).isEqualTo("bounded");
    assertThat(session.jobId()).matches("[0-9a-f]{32}");
    SourceRange range = session.range("membership.events");
    assertThat(range.fromSnapshotId()).isNull();
    assertThat(range.toSnapshotId()).isEqualTo(s3);
    assertThat(range.snapshotCount()).isEqualTo(3);
    assertThat(range.recordCount()).isEqualTo(9);
    assertThat(range.changeRange().min()).isEqualTo("2026-01-01T08:00:00.000000");
  }

  @Test
  void twoSourceTablesInOneSessionWithMetadataColumns() throws Exception {
    wh.createEventsTable("membership.events_eu");
    long us = wh.append("membership.events", Warehouse.events("us", 3, DAY1));
    long eu = wh.append("membership.events_eu", Warehouse.events("eu", 2, DAY1));

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    PsybergSource src =
        source("p_two").tables("membership.events_eu").withMetadataColumns(true).build();
    assertThat(src.rowType().getFieldNames())
        .containsExactly(
            "event_id",
            "account_id",
            "event_type",
            "plan",
            "event_ts",
            "source_table",
            "snapshot_id",
            "session_id",
            "snapshot_committed_at");
    List<String> rows = new ArrayList<>();
    try (CloseableIterator<RowData> it =
        env.fromSource(src, WatermarkStrategy.noWatermarks(), "two").executeAndCollect()) {
      it.forEachRemaining(
          r ->
              rows.add(
                  r.getString(0)
                      + "|"
                      + r.getString(5)
                      + "|"
                      + r.getLong(6)
                      + "|"
                      + r.getString(7)));
    }
    Session session = new SessionLog(wh.catalog(), "psyberg").sessions("p_two").get(0);
    assertThat(session.ranges())
        .extracting(SourceRange::table)
        .containsExactly("membership.events", "membership.events_eu");
    String sid = session.sessionId();
    assertThat(rows)
        .containsExactlyInAnyOrder(
            "us-0|membership.events|" + us + "|" + sid,
            "us-1|membership.events|" + us + "|" + sid,
            "us-2|membership.events|" + us + "|" + sid,
            "eu-0|membership.events_eu|" + eu + "|" + sid,
            "eu-1|membership.events_eu|" + eu + "|" + sid);
  }

  @Test
  void boundedRunWithNothingToReadIsEmptyAndFinishes() throws Exception {
    List<String> ids = Jobs.readIds(source("p_empty").build(), 1);
    assertThat(ids).isEmpty();
    List<Session> sessions = new SessionLog(wh.catalog(), "psyberg").sessions("p_empty");
    assertThat(sessions).extracting(Session::status).containsExactly(SessionStatus.EMPTY);
  }

  @Test
  void projectionReadsColumnsInTheAskedOrder() throws Exception {
    wh.append("membership.events", Warehouse.events("a", 2, DAY1));
    PsybergSource src = source("p_proj").project(List.of("plan", "event_id")).build();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    List<String> rows = new ArrayList<>();
    try (CloseableIterator<RowData> it =
        env.fromSource(src, WatermarkStrategy.noWatermarks(), "proj").executeAndCollect()) {
      it.forEachRemaining(
          r -> rows.add(r.getArity() + ":" + r.getString(0) + ":" + r.getString(1)));
    }
    assertThat(rows).containsExactlyInAnyOrder("2:basic:a-0", "2:basic:a-1");
  }

  @Test
  void manyFilesAreSpreadOverReaders() throws Exception {
    for (int i = 0; i < 6; i++) {
      wh.append("membership.events", Warehouse.events("f" + i, 5, DAY1));
    }
    List<String> ids = Jobs.readIds(source("p_many").build(), 2);
    List<String> expected =
        IntStream.range(0, 6)
            .boxed()
            .flatMap(i -> IntStream.range(0, 5).mapToObj(j -> "f" + i + "-" + j))
            .collect(Collectors.toList());
    assertThat(ids).containsExactlyInAnyOrderElementsOf(expected);
  }
}
