package io.psyberg.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.metadata.PublishedHighWatermark;
import io.psyberg.flink.source.PsybergSource;
import io.psyberg.flink.testutils.Pipelines;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.RowKind;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.relocated.com.google.common.collect.Iterables;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class WriteModesITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final LocalDateTime DAY1 = LocalDateTime.of(2026, 1, 1, 8, 0);
  private static final String SRC = "membership.events";
  private static final Schema LATEST =
      new Schema(
          List.of(
              Types.NestedField.required(1, "account_id", Types.LongType.get()),
              Types.NestedField.optional(2, "plan", Types.StringType.get()),
              Types.NestedField.optional(3, "event_id", Types.StringType.get())),
          Set.of(1));

  @TempDir Path dir;
  private Warehouse wh;

  @BeforeEach
  void setUp() {
    wh = new Warehouse(dir);
    wh.createEventsTable(SRC);
  }

  @AfterEach
  void tearDown() throws Exception {
    wh.close();
  }

  private void runLatestPlan() throws Exception {
    runLatestPlan(PsybergSinkOptions.COMPACTION_DELETE_FILES.defaultValue());
  }

  private void runLatestPlan(int compactDeleteFiles) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    PsybergSource source =
        PsybergSource.builder()
            .catalog(wh.spec())
            .processName("latest")
            .tables(SRC)
            .targetTable("facts.latest")
            .build();
    DataStream<RowData> rows =
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "src")
            .map(r -> (RowData) GenericRowData.of(r.getLong(1), r.getString(3), r.getString(0)))
            .returns(InternalTypeInfo.of(FlinkSchemaUtil.convert(LATEST)))
            .keyBy(r -> r.getLong(0));
    PsybergSink.builder()
        .catalog(wh.spec())
        .processName("latest")
        .table("facts.latest")
        .writeMode(WriteMode.UPSERT)
        .auditUnique(List.of("account_id"))
        .compactDeleteFiles(compactDeleteFiles)
        .build()
        .append(rows);
    env.execute("upsert");
  }

  @Test
  void upsertTargetIsCompactedAfterAPublishOnceItHoldsEnoughDeleteFiles() throws Exception {
    wh.createTable("facts.latest", LATEST);
    Map<Long, String> expected = new TreeMap<>();
    int event = 0;
    int compactions = 0;
    for (int session = 1; session <= 5; session++) {
      List<Record> batch = new ArrayList<>();
      for (long account = 1; account <= 6; account++) {
        if (session == 1 || account % session == 0 || account == 1) {
          String id = "e" + (++event);
          batch.add(Warehouse.event(id, account, "PLAN_CHANGE", "p" + session, DAY1));
          expected.put(account, "p" + session + ":" + id);
        }
      }
      wh.append(SRC, batch);
      runLatestPlan(2);

      Table target = wh.load("facts.latest");
      Snapshot published =
          target.snapshot(
              PublishedHighWatermark.find(target, "latest").orElseThrow().targetSnapshotId());
      Snapshot current = target.currentSnapshot();
      // Staged on a new audit branch, the publish still counts the table's totals.
      assertThat(current.summary().get(SnapshotSummary.TOTAL_DATA_FILES_PROP))
          .as("total data files after session %d", session)
          .isEqualTo(String.valueOf(Iterables.size(target.newScan().planFiles())));
      if (deleteFiles(published) >= 2) {
        compactions++;
        assertThat(current.operation()).as("after session %d", session).isEqualTo("replace");
        assertThat(current.parentId()).isEqualTo(published.snapshotId());
        assertThat(deleteFiles(current)).as("delete files after session %d", session).isZero();
      } else {
        assertThat(current.snapshotId()).isEqualTo(published.snapshotId());
      }
      // Later sessions' deletes apply to the compacted files: the rows stay exact.
      assertThat(
              Pipelines.rows(target).stream()
                  .collect(
                      Collectors.toMap(
                          r -> (Long) r.getField("account_id"),
                          r -> r.getField("plan") + ":" + r.getField("event_id"))))
          .as("rows after session %d", session)
          .isEqualTo(expected);
    }
    assertThat(compactions).as("sessions followed by a compaction").isGreaterThanOrEqualTo(3);
  }

  private static long deleteFiles(Snapshot snapshot) {
    return Long.parseLong(snapshot.summary().get(SnapshotSummary.TOTAL_DELETE_FILES_PROP));
  }

  @Test
  void upsertReplacesRowsWithTheSameKey() throws Exception {
    wh.createTable("facts.latest", LATEST);
    wh.append(
        SRC,
        List.of(
            Warehouse.event("e1", 1, "SIGNUP", "basic", DAY1),
            Warehouse.event("e2", 2, "SIGNUP", "basic", DAY1),
            Warehouse.event("e3", 3, "SIGNUP", "premium", DAY1)));
    runLatestPlan();
    wh.append(
        SRC,
        List.of(
            Warehouse.event("e4", 2, "PLAN_CHANGE", "premium", DAY1.plusDays(1)),
            Warehouse.event("e5", 4, "SIGNUP", "standard", DAY1.plusDays(1))));
    runLatestPlan();

    List<String> rows =
        Pipelines.rows(wh.load("facts.latest")).stream()
            .map(
                r ->
                    r.getField("account_id")
                        + ":"
                        + r.getField("plan")
                        + ":"
                        + r.getField("event_id"))
            .collect(Collectors.toList());
    assertThat(rows)
        .containsExactlyInAnyOrder("1:basic:e1", "2:premium:e4", "3:premium:e3", "4:standard:e5");
  }

  @Test
  void overwriteRangeReplacesTargetRowsInsideTheSessionsChangeRange() throws Exception {
    wh.createEventsTable("facts.daily");
    wh.append(SRC, Warehouse.events("d1", 3, DAY1));
    wh.append(SRC, Warehouse.events("d2", 3, DAY1.plusDays(1)));
    wh.append(SRC, Warehouse.events("d3", 3, DAY1.plusDays(2)));
    PsybergSink sink =
        PsybergSink.builder()
            .catalog(wh.spec())
            .processName("daily")
            .table("facts.daily")
            .writeMode(WriteMode.OVERWRITE_RANGE)
            .overwriteRangeColumn("event_ts")
            .build();
    PsybergSource.builder();
    Pipelines.run(
        PsybergSource.builder()
            .catalog(wh.spec())
            .processName("daily")
            .tables(SRC)
            .changeRangeColumn("event_ts")
            .targetTable("facts.daily")
            .build(),
        sink,
        1);
    assertThat(Pipelines.ids(wh.load("facts.daily"))).hasSize(9);

    // A recomputed day 2 arrives: its change range covers day 2 08:00..08:01, whose rows it
    // replaces.
    wh.append(SRC, Warehouse.events("redo", 2, DAY1.plusDays(1)));
    Pipelines.run(
        PsybergSource.builder()
            .catalog(wh.spec())
            .processName("daily")
            .tables(SRC)
            .changeRangeColumn("event_ts")
            .targetTable("facts.daily")
            .build(),
        sink,
        1);
    assertThat(Pipelines.ids(wh.load("facts.daily")))
        .containsExactlyInAnyOrder(
            "d1-0", "d1-1", "d1-2", "redo-0", "redo-1", "d2-2", "d3-0", "d3-1", "d3-2");
    assertThat(wh.load("facts.daily").currentSnapshot().operation()).isEqualTo("overwrite");
  }

  /**
   * A changelog with before-images: SIGNUP inserts (account, plan), PLAN_CHANGE and CANCEL carry
   * the plan the account had in their event id ("e4:basic"), sent as UPDATE_BEFORE/DELETE of that
   * row.
   */
  private void runRetract(String target, WriteMode mode) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    PsybergSource source =
        PsybergSource.builder()
            .catalog(wh.spec())
            .processName("by_plan")
            .tables(SRC)
            .targetTable(target)
            .build();
    DataStream<RowData> rows =
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "src")
            .<RowData>flatMap(
                (r, out) -> {
                  String id = r.getString(0).toString();
                  long account = r.getLong(1);
                  String type = r.getString(2).toString();
                  StringData plan = r.getString(3);
                  StringData was = StringData.fromString(id.substring(id.indexOf(':') + 1));
                  StringData eventId = StringData.fromString(id);
                  switch (type) {
                    case "SIGNUP":
                      out.collect(GenericRowData.ofKind(RowKind.INSERT, account, plan, eventId));
                      break;
                    case "PLAN_CHANGE":
                      out.collect(GenericRowData.ofKind(RowKind.UPDATE_BEFORE, account, was, null));
                      out.collect(
                          GenericRowData.ofKind(RowKind.UPDATE_AFTER, account, plan, eventId));
                      break;
                    default:
                      out.collect(GenericRowData.ofKind(RowKind.DELETE, account, was, null));
                  }
                })
            .returns(InternalTypeInfo.of(FlinkSchemaUtil.convert(LATEST)))
            .keyBy(r -> r.getLong(0));
    PsybergSink.builder()
        .catalog(wh.spec())
        .processName("by_plan")
        .table(target)
        .writeMode(mode)
        .build()
        .append(rows);
    env.execute("retract");
  }

  @Test
  void retractMovesARowToItsNewPartitionAndDeletesItFromTheOldOne() throws Exception {
    wh.catalog()
        .createTable(
            TableIdentifier.parse("facts.by_plan"),
            LATEST,
            PartitionSpec.builderFor(LATEST).identity("plan").build(),
            Map.of(TableProperties.FORMAT_VERSION, "2"));
    wh.append(
        SRC,
        List.of(
            Warehouse.event("e1", 1, "SIGNUP", "basic", DAY1),
            Warehouse.event("e2", 2, "SIGNUP", "basic", DAY1),
            Warehouse.event("e3", 3, "SIGNUP", "premium", DAY1)));
    runRetract("facts.by_plan", WriteMode.RETRACT);
    // Inserts only: no delete file (an upsert writes one per row).
    assertThat(wh.load("facts.by_plan").currentSnapshot().summary())
        .doesNotContainKey("added-delete-files")
        .containsEntry("added-records", "3");

    wh.append(
        SRC,
        List.of(
            Warehouse.event("e4:basic", 2, "PLAN_CHANGE", "premium", DAY1.plusDays(1)),
            Warehouse.event("e5:premium", 3, "CANCEL", null, DAY1.plusDays(1)),
            Warehouse.event("e6", 4, "SIGNUP", "standard", DAY1.plusDays(1))));
    runRetract("facts.by_plan", WriteMode.RETRACT);

    List<String> rows =
        Pipelines.rows(wh.load("facts.by_plan")).stream()
            .map(r -> r.getField("account_id") + ":" + r.getField("plan"))
            .collect(Collectors.toList());
    assertThat(rows).containsExactlyInAnyOrder("1:basic", "2:premium", "4:standard");
    // The old row's partition holds only account 1 now.
    List<String> basic = new ArrayList<>();
    try (CloseableIterable<Record> it =
        IcebergGenerics.read(wh.load("facts.by_plan"))
            .where(Expressions.equal("plan", "basic"))
            .build()) {
      it.forEach(r -> basic.add(r.getField("account_id") + ":" + r.getField("plan")));
    }
    assertThat(basic).containsExactly("1:basic");
  }

  @Test
  void upsertIsRefusedOnATablePartitionedByANonKeyColumn() {
    wh.catalog()
        .createTable(
            TableIdentifier.parse("facts.by_plan_upsert"),
            LATEST,
            PartitionSpec.builderFor(LATEST).identity("plan").build(),
            Map.of(TableProperties.FORMAT_VERSION, "2"));
    assertThatThrownBy(() -> runRetract("facts.by_plan_upsert", WriteMode.UPSERT))
        .hasMessageContaining("Process by_plan")
        .hasMessageContaining("facts.by_plan_upsert")
        .hasMessageContaining("'plan'")
        .hasMessageContaining("write-mode 'retract'");
  }

  @Test
  void aKeyedSinkWiderThanItsInputKeepsEachKeysChangesOnOneWriter() throws Exception {
    wh.createTable("facts.wide", LATEST);
    // One session in which account 1 is inserted and deleted again: rebalanced over two writers,
    // the delete would land on the other writer, where it cannot reach a row of the same commit.
    wh.append(
        SRC,
        List.of(
            Warehouse.event("e1", 1, "SIGNUP", "basic", DAY1),
            Warehouse.event("e2:basic", 1, "CANCEL", null, DAY1.plusMinutes(1)),
            Warehouse.event("e3", 2, "SIGNUP", "premium", DAY1.plusMinutes(2))));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    PsybergSource source =
        PsybergSource.builder()
            .catalog(wh.spec())
            .processName("wide")
            .tables(SRC)
            .targetTable("facts.wide")
            .build();
    DataStream<RowData> rows =
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "src")
            .<RowData>flatMap(
                (r, out) -> {
                  StringData eventId = r.getString(0);
                  if ("CANCEL".equals(r.getString(2).toString())) {
                    out.collect(
                        GenericRowData.ofKind(
                            RowKind.DELETE, r.getLong(1), StringData.fromString("basic"), null));
                  } else {
                    out.collect(
                        GenericRowData.ofKind(
                            RowKind.INSERT, r.getLong(1), r.getString(3), eventId));
                  }
                })
            .returns(InternalTypeInfo.of(FlinkSchemaUtil.convert(LATEST)));
    PsybergSink.builder()
        .catalog(wh.spec())
        .processName("wide")
        .table("facts.wide")
        .writeMode(WriteMode.RETRACT)
        .parallelism(2)
        .build()
        .append(rows);
    env.execute("keyed sink wider than its input");

    List<String> live =
        Pipelines.rows(wh.load("facts.wide")).stream()
            .map(r -> r.getField("account_id") + ":" + r.getField("plan"))
            .collect(Collectors.toList());
    assertThat(live).containsExactly("2:premium");
  }
}
