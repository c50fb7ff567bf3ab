package io.psyberg.flink.source.reader;

import javax.annotation.Nullable;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.utils.JoinedRowData;
import org.apache.flink.types.RowKind;
import org.apache.iceberg.flink.source.reader.RecordAndPosition;

/**
 * Emits a record and moves its split's position past it; rows of a split of removed rows are
 * emitted as deletes. With metadata columns on, the row is followed by {@code source_table,
 * snapshot_id, session_id, snapshot_committed_at}. With a pairing (continuous changelog reads with
 * a key) rows go through it, and rows a restored split had emitted before only rebuild its state.
 */
final class PsybergRecordEmitter
    implements RecordEmitter<RecordAndPosition<RowData>, RowData, PsybergSplitState> {
  private final boolean withMetadata;
  @Nullable private final UpdatePairing pairing;

  PsybergRecordEmitter(boolean withMetadata, @Nullable UpdatePairing pairing) {
    this.withMetadata = withMetadata;
    this.pairing = pairing;
  }

  @Override
  public void emitRecord(
      RecordAndPosition<RowData> element, SourceOutput<RowData> output, PsybergSplitState state) {
    RowData row = element.record();
    if (state.removes()) {
      row.setRowKind(RowKind.DELETE);
    }
    if (pairing != null) {
      boolean replay = state.replays(element.fileOffset(), element.recordOffset());
      pairing.accept(row, withMetadata ? state.metadata() : null, replay ? null : output::collect);
    } else {
      output.collect(
          withMetadata ? new JoinedRowData(row.getRowKind(), row, state.metadata()) : row);
    }
    state.updatePosition(element.fileOffset(), element.recordOffset());
  }
}
