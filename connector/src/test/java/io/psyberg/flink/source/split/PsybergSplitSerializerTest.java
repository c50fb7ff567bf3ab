package io.psyberg.flink.source.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.planning.NonAppendSnapshots;
import io.psyberg.flink.planning.PlannedSnapshot;
import io.psyberg.flink.planning.SessionPlanner;
import io.psyberg.flink.planning.SessionSettings;
import io.psyberg.flink.source.enumerator.PsybergEnumeratorState;
import io.psyberg.flink.source.enumerator.PsybergEnumeratorStateSerializer;
import io.psyberg.flink.testutils.RandomHistory;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.flink.source.split.IcebergSourceSplitSerializer;
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
    assertThatThrownBy(
            () ->
                PsybergSplitSerializer.INSTANCE.deserialize(
                    PsybergSplitSerializer.INSTANCE.getVersion(), longer))
        .hasMessageContaining("trailing");
  }

  /** Splits of a changelog session: added, removed and changed files (with their deletes). */
  private List<PsybergSplit> changeSplits() throws Exception {
    try (Warehouse wh = new Warehouse(dir.resolve("changes"))) {
      Table table = RandomHistory.createTable(wh.catalog(), "ns.c", false, false);
      RandomHistory history = new RandomHistory(table, 5);
      long first = history.append();
      history.upsert(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0));
      table.refresh();
      table
          .newDelete()
          .deleteFile(table.snapshot(first).addedDataFiles(table.io()).iterator().next())
          .commit();
      SessionSettings settings =
          SessionSettings.builder("p")
              .sourceTables(List.of("ns.c"))
              .nonAppendSnapshots(NonAppendSnapshots.CHANGELOG)
              .build();
      List<PsybergSplit> out = new ArrayList<>();
      for (PlannedSnapshot s :
          new SessionPlanner(wh.catalog(), settings)
              .plan("s-2", "j", Map.of("ns.c", first))
              .snapshots()) {
        out.addAll(PsybergSplitFactory.splits("s-2", s, 1L << 27));
      }
      return out;
    }
  }

  @Test
  void changeSplitsKeepTheirKindAndBothTasksWithDeletes() throws Exception {
    List<PsybergSplit> splits = changeSplits();
    assertThat(splits)
        .extracting(PsybergSplit::kind)
        .contains(PsybergSplit.Kind.ADDED, PsybergSplit.Kind.REMOVED, PsybergSplit.Kind.CHANGED);
    for (PsybergSplit split : splits) {
      PsybergSplit moved = split.withPosition(0, 3);
      PsybergSplit back =
          PsybergSplitSerializer.INSTANCE.deserialize(
              PsybergSplitSerializer.INSTANCE.getVersion(),
              PsybergSplitSerializer.INSTANCE.serialize(moved));
      assertThat(back.kind()).isEqualTo(split.kind());
      assertThat(back.icebergSplit().recordOffset()).isEqualTo(3);
      List<FileScanTask> before = new ArrayList<>(moved.icebergSplit().task().files());
      List<FileScanTask> after = new ArrayList<>(back.icebergSplit().task().files());
      assertThat(after).hasSameSizeAs(before);
      for (int i = 0; i < before.size(); i++) {
        assertThat(after.get(i).deletes())
            .extracting(d -> d.path().toString())
            .containsExactlyElementsOf(
                before.get(i).deletes().stream().map(d -> d.path().toString()).toList());
      }
    }
  }

  /** A split in the v1 layout (no kind), as a job of the previous version checkpointed it. */
  @Test
  void versionOneSplitsAreReadAsAddedRows() throws Exception {
    PsybergSplit split = splits().get(0);
    PsybergSplit back = PsybergSplitSerializer.INSTANCE.deserialize(1, oldLayout(split, false));
    assertThat(back.splitId()).isEqualTo(split.splitId());
    assertThat(back.kind()).isEqualTo(PsybergSplit.Kind.ADDED);
  }

  /** Layout v3: the last-of-session mark and the replay position survive a round trip. */
  @Test
  void lastOfSessionAndReplayPositionRoundTrip() throws Exception {
    PsybergSplit first = changeSplits().get(0);
    PsybergSplit split = first.asLastOfSession().withPosition(0, 5);
    PsybergSplit replayed = split.replayedThrough(0, 5);
    assertThat(replayed.icebergSplit().recordOffset()).isZero();
    assertThat(replayed.replays(0, 5)).isTrue();
    assertThat(replayed.replays(0, 6)).isFalse();
    // A replay position already further wins.
    assertThat(replayed.replayedThrough(0, 2).replayThroughRecord()).isEqualTo(5);
    PsybergSplit back =
        PsybergSplitSerializer.INSTANCE.deserialize(
            PsybergSplitSerializer.INSTANCE.getVersion(),
            PsybergSplitSerializer.INSTANCE.serialize(replayed));
    assertThat(back.lastOfSession()).isTrue();
    assertThat(back.replayThroughFile()).isZero();
    assertThat(back.replayThroughRecord()).isEqualTo(5);
    assertThat(back.kind()).isEqualTo(split.kind());
    assertThat(back.splitId()).isEqualTo(split.splitId());
    PsybergSplit plain =
        PsybergSplitSerializer.INSTANCE.deserialize(
            PsybergSplitSerializer.INSTANCE.getVersion(),
            PsybergSplitSerializer.INSTANCE.serialize(first));
    assertThat(plain.lastOfSession()).isFalse();
    assertThat(plain.replays(0, 1)).isFalse();
  }

  /**
   * A split in the v2 layout (kind, no session mark), as a job of the previous version wrote it.
   */
  @Test
  void versionTwoSplitsKeepTheirKindAndReplayNothing() throws Exception {
    PsybergSplit split = changeSplits().get(0);
    PsybergSplit back = PsybergSplitSerializer.INSTANCE.deserialize(2, oldLayout(split, true));
    assertThat(back.kind()).isEqualTo(split.kind());
    assertThat(back.lastOfSession()).isFalse();
    assertThat(back.replays(0, 1)).isFalse();
  }

  /** The v1 layout, or with {@code kind} the v2 one, as jobs of earlier versions wrote splits. */
  private static byte[] oldLayout(PsybergSplit split, boolean kind) throws Exception {
    IcebergSourceSplitSerializer iceberg = new IcebergSourceSplitSerializer(true);
    byte[] inner = iceberg.serialize(split.icebergSplit());
    DataOutputSerializer out = new DataOutputSerializer(256);
    out.writeUTF(split.sessionId());
    out.writeUTF(split.table());
    out.writeLong(split.snapshotId());
    out.writeLong(split.committedAtMillis());
    out.writeInt(split.index());
    if (kind) {
      out.writeByte(split.kind().ordinal());
    }
    out.writeInt(iceberg.getVersion());
    out.writeInt(inner.length);
    out.write(inner);
    return out.getCopyOfBuffer();
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
