package io.psyberg.flink.source.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.planning.NonAppendSnapshots;
import io.psyberg.flink.planning.PlannedSnapshot;
import io.psyberg.flink.planning.SessionPlanner;
import io.psyberg.flink.planning.SessionSettings;
import io.psyberg.flink.source.split.PsybergSplit;
import io.psyberg.flink.source.split.PsybergSplitFactory;
import io.psyberg.flink.testutils.RandomHistory;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.Table;
import org.apache.iceberg.flink.source.reader.RecordAndPosition;
import org.apache.iceberg.io.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A changed-file split read from a checkpointed position emits exactly the rest of its rows. */
class ChangedFileReaderTest {
  @TempDir Path dir;

  @Test
  void readingFromARecordedPositionEmitsExactlyTheRest() throws Exception {
    try (Warehouse wh = new Warehouse(dir)) {
      Table table = RandomHistory.createTable(wh.catalog(), "ns.t", true, false);
      RandomHistory history = RandomHistory.keyed(table, 9);
      List<Integer> keys = new ArrayList<>();
      for (int k = 0; k < 12; k++) {
        keys.add(k);
      }
      long from = history.upsert(keys);
      // Removes keys 1, 4, 7, 10 from the first file (an equality delete) and adds them anew.
      history.upsert(List.of(1, 4, 7, 10));
      SessionSettings settings =
          SessionSettings.builder("p")
              .sourceTables(List.of("ns.t"))
              .nonAppendSnapshots(NonAppendSnapshots.CHANGELOG)
              .build();
      PlannedSnapshot snapshot =
          new SessionPlanner(wh.catalog(), settings)
              .plan("s", "j", Map.of("ns.t", from))
              .snapshots()
              .get(0);
      PsybergSplit changed =
          PsybergSplitFactory.splits("s", snapshot, 1L << 27).stream()
              .filter(s -> s.kind() == PsybergSplit.Kind.CHANGED)
              .findFirst()
              .orElseThrow();
      table.refresh();
      List<RecordAndPosition<RowData>> all = read(changed, table);
      assertThat(all).hasSize(4);
      assertThat(all)
          .allSatisfy(r -> assertThat(r.record().getRowKind().shortString()).isEqualTo("-D"));
      for (int i = 0; i < all.size(); i++) {
        List<RecordAndPosition<RowData>> rest =
            read(changed.withPosition(0, all.get(i).recordOffset()), table);
        assertThat(rest)
            .extracting(r -> r.record().getLong(0))
            .containsExactlyElementsOf(
                all.subList(i + 1, all.size()).stream().map(r -> r.record().getLong(0)).toList());
      }
    }
  }

  private static List<RecordAndPosition<RowData>> read(PsybergSplit split, Table table)
      throws Exception {
    List<RecordAndPosition<RowData>> out = new ArrayList<>();
    try (CloseableIterator<RecordsWithSplitIds<RecordAndPosition<RowData>>> batches =
        ChangedFileReader.open(split, table, table.schema(), List.of())) {
      while (batches.hasNext()) {
        RecordsWithSplitIds<RecordAndPosition<RowData>> batch = batches.next();
        while (batch.nextSplit() != null) {
          RecordAndPosition<RowData> r;
          while ((r = batch.nextRecordFromSplit()) != null) {
            out.add(new RecordAndPosition<>(r.record(), r.fileOffset(), r.recordOffset()));
          }
        }
      }
    }
    return out;
  }
}
