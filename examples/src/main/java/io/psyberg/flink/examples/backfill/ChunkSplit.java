package io.psyberg.flink.examples.backfill;

import java.time.LocalDateTime;
import java.util.List;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Inside a SQL backfill's job planned once for several chunks, sends each row of a target to the
 * side output of the chunk its time column lies in (rows of no chunk are dropped). One operator
 * instead of a filter per chunk: a row is handed on, and so copied, once rather than once per
 * chunk.
 */
final class ChunkSplit extends ProcessFunction<RowData, RowData> {
  private static final long serialVersionUID = 1L;

  private final List<BackfillRange> chunks;
  private final List<OutputTag<RowData>> outputs;
  private final int timeColumn;
  private final int timePrecision;

  /**
   * @param chunks the chunks, in order of their start, not overlapping
   * @param outputs the side output of each chunk, in the same order
   * @param timeColumn position of the target's time column (a TIMESTAMP or TIMESTAMP_LTZ)
   * @param timePrecision that column's precision, which says how the row stores it
   */
  ChunkSplit(
      List<BackfillRange> chunks,
      List<OutputTag<RowData>> outputs,
      int timeColumn,
      int timePrecision) {
    this.chunks = List.copyOf(chunks);
    this.outputs = List.copyOf(outputs);
    this.timeColumn = timeColumn;
    this.timePrecision = timePrecision;
  }

  @Override
  public void processElement(RowData row, Context ctx, Collector<RowData> out) {
    if (row.isNullAt(timeColumn)) {
      return;
    }
    // a TIMESTAMP_LTZ reads as its UTC date-time, as the collected rows did
    LocalDateTime time = row.getTimestamp(timeColumn, timePrecision).toLocalDateTime();
    int chunk = chunkOf(time);
    if (chunk >= 0) {
      ctx.output(outputs.get(chunk), row);
    }
  }

  /** The chunk holding {@code time}, -1 for none: the last chunk starting at or before it. */
  private int chunkOf(LocalDateTime time) {
    int low = 0;
    int high = chunks.size() - 1;
    int found = -1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      LocalDateTime from = chunks.get(mid).from();
      if (from == null || !from.isAfter(time)) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found >= 0 && chunks.get(found).contains(time) ? found : -1;
  }
}
