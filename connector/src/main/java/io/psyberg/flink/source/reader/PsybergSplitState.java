package io.psyberg.flink.source.reader;

import io.psyberg.flink.source.split.PsybergSplit;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

/**
 * Mutable read position of a split on the reader, plus the split's metadata row for emitted
 * records.
 */
final class PsybergSplitState {
  private final PsybergSplit split;
  private final RowData metadata;
  private int fileOffset;
  private long recordOffset;

  PsybergSplitState(PsybergSplit split) {
    this.split = split;
    this.fileOffset = split.icebergSplit().fileOffset();
    this.recordOffset = split.icebergSplit().recordOffset();
    this.metadata =
        GenericRowData.of(
            StringData.fromString(split.table()),
            split.snapshotId(),
            StringData.fromString(split.sessionId()),
            TimestampData.fromEpochMillis(split.committedAtMillis()));
  }

  /** The split as it was assigned (or restored). */
  PsybergSplit assigned() {
    return split;
  }

  /** Whether every row of this split is a removed row. */
  boolean removes() {
    return split.kind() == PsybergSplit.Kind.REMOVED;
  }

  /** Whether the row read at this position was emitted before a restore (see the split). */
  boolean replays(int file, long record) {
    return split.replays(file, record);
  }

  void updatePosition(int file, long record) {
    this.fileOffset = file;
    this.recordOffset = record;
  }

  RowData metadata() {
    return metadata;
  }

  PsybergSplit toSplit() {
    return split.withPosition(fileOffset, recordOffset);
  }
}
