package io.psyberg.flink.examples.backfill;

import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.table.data.RowData;

/**
 * Inside a SQL backfill's job, keeps the rows of a target whose time column lies in the chunk, and
 * fails on a NULL in a required column with the column's name (the file writer would not).
 */
final class ChunkRows implements FilterFunction<RowData> {
  private static final long serialVersionUID = 1L;

  private final String target;
  private final BackfillRange chunk;
  private final int timeColumn;
  private final int timePrecision;
  private final int[] required;
  private final String[] requiredNames;

  /**
   * @param timeColumn position of the target's time column (a TIMESTAMP or TIMESTAMP_LTZ)
   * @param timePrecision that column's precision, which says how the row stores it
   * @param required positions of the target's required columns, named by {@code requiredNames}
   */
  ChunkRows(
      String target,
      BackfillRange chunk,
      int timeColumn,
      int timePrecision,
      int[] required,
      String[] requiredNames) {
    this.target = target;
    this.chunk = chunk;
    this.timeColumn = timeColumn;
    this.timePrecision = timePrecision;
    this.required = required.clone();
    this.requiredNames = requiredNames.clone();
  }

  /** The error for a NULL the script writes into a required column. */
  static IllegalArgumentException requiredNull(String column, String target) {
    return new IllegalArgumentException(
        "the script writes NULL into column "
            + column
            + " of "
            + target
            + ", which is required (NOT NULL): filter such rows out or give the column a value");
  }

  @Override
  public boolean filter(RowData row) {
    for (int i = 0; i < required.length; i++) {
      if (row.isNullAt(required[i])) {
        throw requiredNull(requiredNames[i], target);
      }
    }
    // a TIMESTAMP_LTZ reads as its UTC date-time, as the collected rows did
    return !row.isNullAt(timeColumn)
        && chunk.contains(row.getTimestamp(timeColumn, timePrecision).toLocalDateTime());
  }
}
