package io.psyberg.flink.source.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.planning.PlannedSnapshot;
import io.psyberg.flink.planning.SessionPlanner;
import io.psyberg.flink.planning.SessionSettings;
import io.psyberg.flink.source.enumerator.PsybergEnumeratorState;
import io.psyberg.flink.source.enumerator.PsybergEnumeratorStateSerializer;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PsybergSplitSerializerTest {
  @TempDir Path dir;

  private List<PsybergSplit> splits() throws Exception {
    try (Warehouse wh = new Warehouse(dir)) {
      wh.createEventsTable("ns.t");
      wh.append("ns.t", Warehouse.events("a", 3, LocalDateTime.of(2026, 1, 1, 0, 0)));
      wh.append("ns.t", Warehouse.events("b", 3, LocalDateTime.of(2026, 1, 2, 0, 0)));
      SessionSettings settings = SessionSettings.builder("p").sourceTables(List.of("ns.t")).build();
      List<PsybergSplit> out = new ArrayList<>();
      for (PlannedSnapshot s :
          new SessionPlanner(wh.catalog(), settings).plan("s-1", "j", Map.of()).snapshots()) {
        out.addAll(PsybergSplitFactory.splits("s-1", s, 1L << 27));
      }
      return out;
    }
  }

  @Test
  void splitRoundTripKeepsIdentityPositionAndTasks() throws Exception {
    for (PsybergSplit split : splits()) {
      PsybergSplit moved = split.withPosition(0, 2);
      byte[] bytes = PsybergSplitSerializer.INSTANCE.serialize(moved);
      PsybergSplit back =
          PsybergSplitSerializer.INSTANCE.deserialize(
              PsybergSplitSerializer.INSTANCE.getVersion(), bytes);
      assertThat(back.splitId()).isEqualTo(moved.splitId());
      assertThat(back.sessionId()).isEqualTo("s-1");
      assertThat(back.table()).isEqualTo("ns.t");
      assertThat(back.snapshotId()).isEqualTo(moved.snapshotId());
      assertThat(back.committedAtMillis()).isEqualTo(moved.committedAtMillis());
      assertThat(back.icebergSplit().recordOffset()).isEqualTo(2);
      assertThat(back.icebergSplit().task().files().iterator().next().file().path().toString())
          .isEqualTo(
              moved.icebergSplit().task().files().iterator().next().file().path().toString());
    }
  }

  @Test
  void unknownVersionAndTrailingBytesAreRejected() throws Exception {
    PsybergSplit split = splits().get(0);
    byte[] bytes = PsybergSplitSerializer.INSTANCE.serialize(split);
    assertThatThrownBy(() -> PsybergSplitSerializer.INSTANCE.deserialize(99, bytes))
        .hasMessageContaining("Unknown psyberg split version 99");
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
    assertThatThrownBy(() -> PsybergSplitSerializer.INSTANCE.deserialize(1, longer))
        .hasMessageContaining("trailing");
  }

  @Test
  void enumeratorStateRoundTrip() throws Exception {
    List<PsybergSplit> splits = splits();
    Map<String, Long> positions = new LinkedHashMap<>();
    positions.put("ns.t", 42L);
    positions.put("ns.empty", null);
    PsybergEnumeratorState state =
        new PsybergEnumeratorState(
            positions, splits, "s-1", Set.of(splits.get(0).splitId()), 7L, true, 6L);
    PsybergEnumeratorStateSerializer ser = PsybergEnumeratorStateSerializer.INSTANCE;
    PsybergEnumeratorState back = ser.deserialize(ser.getVersion(), ser.serialize(state));
    assertThat(back.positions()).isEqualTo(positions);
    assertThat(back.unassigned())
        .extracting(PsybergSplit::splitId)
        .containsExactlyElementsOf(splits.stream().map(PsybergSplit::splitId).toList());
    assertThat(back.inFlightSessionId()).isEqualTo("s-1");
    assertThat(back.unfinishedSplitIds()).containsExactly(splits.get(0).splitId());
    assertThat(back.readThroughCheckpoint()).isEqualTo(7L);
    assertThat(back.planned()).isTrue();
    assertThat(back.checkpointId()).isEqualTo(6L);

    PsybergEnumeratorState initial =
        ser.deserialize(ser.getVersion(), ser.serialize(PsybergEnumeratorState.initial()));
    assertThat(initial.positions()).isNull();
    assertThat(initial.inFlightSessionId()).isNull();
    assertThatThrownBy(() -> ser.deserialize(2, ser.serialize(state)))
        .hasMessageContaining("version 2");
  }
}
