package io.psyberg.flink.source.planned;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.source.split.PsybergSplit;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The planned-files source keeps its splits through serialization and its enumerator's checkpoint,
 * and reads them without the snapshot they were planned at (expired after planning).
 */
class PlannedFilesSourceTest {
  @TempDir Path dir;

  @Test
  void splitsSurviveExpiryOfTheirSnapshotAndTheEnumeratorCheckpointRoundTrips() throws Exception {
    try (Warehouse wh = new Warehouse(dir)) {
      Table t = wh.createEventsTable("ns.t");
      wh.append("ns.t", Warehouse.events("a", 3, LocalDateTime.of(2026, 1, 1, 0, 0)));
      wh.append("ns.t", Warehouse.events("b", 3, LocalDateTime.of(2026, 1, 2, 0, 0)));
      t.refresh();
      long planned = t.currentSnapshot().snapshotId();
      List<FileScanTask> tasks = new ArrayList<>();
      try (CloseableIterable<FileScanTask> files = t.newScan().useSnapshot(planned).planFiles()) {
        files.forEach(tasks::add);
      }
      PlannedFilesSource source =
          PlannedFilesSource.of(
              wh.spec(), "ns.t", planned, t.schema(), List.of("event_id", "event_ts"), tasks);
      wh.append("ns.t", Warehouse.events("c", 3, LocalDateTime.of(2026, 1, 3, 0, 0)));
      t.refresh();
      t.expireSnapshots().expireOlderThan(Long.MAX_VALUE).retainLast(1).commit();
      assertThat(wh.load("ns.t").snapshot(planned)).isNull();

      MockSplitEnumeratorContext<PsybergSplit> context = new MockSplitEnumeratorContext<>(1);
      context.registerReader(new ReaderInfo(0, "localhost"));
      SplitEnumerator<PsybergSplit, PlannedSplits> enumerator = source.createEnumerator(context);
      enumerator.handleSplitRequest(0, "localhost");
      PlannedSplits checkpoint = enumerator.snapshotState(1);
      assertThat(checkpoint.splits()).hasSize(1);

      byte[] bytes = PlannedSplitsSerializer.INSTANCE.serialize(checkpoint);
      PlannedSplits back =
          PlannedSplitsSerializer.INSTANCE.deserialize(
              PlannedSplitsSerializer.INSTANCE.getVersion(), bytes);
      assertThat(back.splits())
          .extracting(PsybergSplit::splitId)
          .containsExactlyElementsOf(
              checkpoint.splits().stream().map(PsybergSplit::splitId).toList());
      assertThat(path(back.splits().get(0))).isEqualTo(path(checkpoint.splits().get(0)));
      assertThat(context.getSplitsAssignmentSequence()).hasSize(1);
      assertThatThrownBy(() -> PlannedSplitsSerializer.INSTANCE.deserialize(9, bytes))
          .hasMessageContaining("Unknown version 9");
    }
  }

  private static String path(PsybergSplit split) {
    return split.icebergSplit().task().files().iterator().next().file().path().toString();
  }
}
