package io.psyberg.flink.examples.backfill;

import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.table.data.RowData;

/**
 * Inside a SQL backfill's job, keeps the rows of a target whose time column lies in the chunk (a
 * NULL in a required column was refused before, by Flink's NOT NULL check of the converted rows).
 */
final class ChunkRows implements FilterFunction<RowData> {
  private static final long serialVersionUID = 1L;

  private final BackfillRange chunk;
  private final int timeColumn;
  private final int timePrecision;

  /**
   * @param timeColumn position of the target's time column (a TIMESTAMP or TIMESTAMP_LTZ)
   * @param timePrecision that column's precision, which says how the row stores it
   */
  ChunkRows(BackfillRange chunk, int timeColumn, int timePrecision) {
    this.chunk = chunk;
    this.timeColumn = timeColumn;
    this.timePrecision = timePrecision;
  }

  @Override
  public boolean filter(RowData row) {
    // a TIMESTAMP_LTZ reads as its UTC date-time, as the collected rows did
    return !row.isNullAt(timeColumn)
        && chunk.contains(row.getTimestamp(timeColumn, timePrecision).toLocalDateTime());
  }
}
