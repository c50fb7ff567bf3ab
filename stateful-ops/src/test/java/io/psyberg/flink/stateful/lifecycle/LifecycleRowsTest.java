package io.psyberg.flink.stateful.lifecycle;

import static io.psyberg.flink.stateful.lifecycle.Events.micros;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.RowKind;
import org.junit.jupiter.api.Test;

/** Row shapes and conversions of {@link LifecycleRows} and {@link EventRowReader}. */
class LifecycleRowsTest {

  @Test
  void rowTypesHaveTheDesignedFieldOrder() {
    assertThat(LifecycleRows.EVENT_ROW_TYPE.getFieldNames())
        .containsExactly("event_id", "account_id", "event_type", "plan", "event_ts");
    assertThat(LifecycleRows.SEGMENT_ROW_TYPE.getFieldNames())
        .containsExactly(
            "account_id",
            "segment_no",
            "state",
            "plan",
            "valid_from",
            "valid_to",
            "opened_by_event_id");
    assertThat(LifecycleRows.ANOMALY_ROW_TYPE.getFieldNames())
        .containsExactly("event_id", "account_id", "event_type", "event_ts", "reason");
    assertThat(LifecycleRows.SEGMENT_ROW_TYPE.asSummaryString())
        .isEqualTo(
            "ROW<`account_id` BIGINT NOT NULL, `segment_no` INT NOT NULL, `state` STRING NOT NULL,"
                + " `plan` STRING, `valid_from` TIMESTAMP(6) NOT NULL, `valid_to` TIMESTAMP(6),"
                + " `opened_by_event_id` STRING NOT NULL>");
  }

  @Test
  void segmentsAndAnomaliesRoundTripThroughRowsWithTheirKind() {
    Segment open =
        new Segment(3L, 2, LifecycleStatus.ON_HOLD, "basic", micros("08:00") + 123_456, null, "e9");
    RowData row = LifecycleRows.toRow(open, RowKind.UPDATE_AFTER);
    assertThat(row.getRowKind()).isEqualTo(RowKind.UPDATE_AFTER);
    assertThat(row.isNullAt(5)).isTrue();
    assertThat(row.getTimestamp(4, 6).toLocalDateTime()).isEqualTo("2026-01-01T08:00:00.123456");
    assertThat(LifecycleRows.toSegment(row)).isEqualTo(open);
    Segment closed = open.closedAt(micros("09:00"));
    assertThat(LifecycleRows.toSegment(LifecycleRows.toRow(closed, RowKind.INSERT)))
        .isEqualTo(closed);

    Anomaly anomaly =
        new Anomaly("e1", 3L, "UPGRADE", micros("07:00"), AnomalyReason.UNKNOWN_EVENT_TYPE);
    RowData anomalyRow = LifecycleRows.toRow(anomaly, RowKind.DELETE);
    assertThat(anomalyRow.getRowKind()).isEqualTo(RowKind.DELETE);
    assertThat(anomalyRow.getString(4).toString()).isEqualTo("UNKNOWN_EVENT_TYPE");
    assertThat(LifecycleRows.toAnomaly(anomalyRow)).isEqualTo(anomaly);
  }

  @Test
  void eventsAreReadByFieldNameIgnoringOtherColumns() {
    RowType withMetadata =
        (RowType)
            DataTypes.ROW(
                    DataTypes.FIELD("src_snapshot", DataTypes.BIGINT()),
                    DataTypes.FIELD("event_ts", DataTypes.TIMESTAMP(3)),
                    DataTypes.FIELD("plan", DataTypes.STRING()),
                    DataTypes.FIELD("event_type", DataTypes.STRING()),
                    DataTypes.FIELD("account_id", DataTypes.BIGINT()),
                    DataTypes.FIELD("event_id", DataTypes.STRING()))
                .getLogicalType();
    RowData row =
        GenericRowData.of(
            42L,
            TimestampData.fromEpochMillis(1_000L),
            null,
            StringData.fromString("CANCEL"),
            5L,
            StringData.fromString("e1"));
    assertThat(new EventRowReader(withMetadata).read(row))
        .isEqualTo(new LifecycleEvent("e1", 5L, "CANCEL", null, 1_000_000L));
    LifecycleEvent event = LifecycleEvent.of("e2", 1L, "SIGNUP", "basic", Events.at("08:00"));
    assertThat(new EventRowReader(LifecycleRows.EVENT_ROW_TYPE).read(LifecycleRows.toRow(event)))
        .isEqualTo(event);
  }

  @Test
  void badInputFailsNamingTheField() {
    RowType missing =
        (RowType)
            DataTypes.ROW(
                    DataTypes.FIELD("event_id", DataTypes.STRING()),
                    DataTypes.FIELD("account_id", DataTypes.BIGINT()))
                .getLogicalType();
    assertThatThrownBy(() -> LifecycleProcessor.builder().eventRowType(missing).build())
        .hasMessageContaining("'event_type'")
        .hasMessageContaining("[event_id, account_id]");
    RowType wrongType =
        (RowType)
            DataTypes.ROW(
                    DataTypes.FIELD("event_id", DataTypes.STRING()),
                    DataTypes.FIELD("account_id", DataTypes.INT()),
                    DataTypes.FIELD("event_type", DataTypes.STRING()),
                    DataTypes.FIELD("plan", DataTypes.STRING()),
                    DataTypes.FIELD("event_ts", DataTypes.TIMESTAMP(6)))
                .getLogicalType();
    assertThatThrownBy(() -> new EventRowReader(wrongType)).hasMessageContaining("'account_id'");
    RowData nullId =
        GenericRowData.of(
            null, 1L, StringData.fromString("SIGNUP"), null, TimestampData.fromEpochMillis(0));
    assertThatThrownBy(() -> new EventRowReader(LifecycleRows.EVENT_ROW_TYPE).read(nullId))
        .hasMessageContaining("NULL event_id");
  }

  @Test
  void timestampsKeepMicrosecondsAndPreEpochValues() {
    for (long micros : new long[] {0L, 1L, -1L, 1_767_225_600_123_456L, -62_135_596_800_000_000L}) {
      assertThat(TimestampMicros.of(TimestampMicros.toTimestampData(micros))).isEqualTo(micros);
      assertThat(TimestampMicros.of(TimestampMicros.toLocalDateTime(micros))).isEqualTo(micros);
    }
    assertThat(TimestampMicros.format(micros("08:00"))).isEqualTo("2026-01-01 08:00:00.000000");
  }
}
