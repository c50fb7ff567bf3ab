package io.psyberg.flink.bench;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.functions.sink.RichSinkFunction;
import org.apache.flink.table.data.RowData;

/**
 * A cheap sink for read benchmarks: counts rows and sums {@link EventRows#mix} of their {@code
 * account_id}, reported as job accumulators, so both sources can be checked for the same rows.
 */
final class CountingSink extends RichSinkFunction<RowData> {
  private static final long serialVersionUID = 1L;
  static final String ROWS = "rows";
  static final String CHECKSUM = "checksum";

  private transient LongCounter rows;
  private transient LongCounter checksum;

  @Override
  public void open(Configuration parameters) {
    rows = new LongCounter();
    checksum = new LongCounter();
    getRuntimeContext().addAccumulator(ROWS, rows);
    getRuntimeContext().addAccumulator(CHECKSUM, checksum);
  }

  @Override
  public void invoke(RowData row, Context context) {
    rows.add(1L);
    checksum.add(EventRows.mix(row.getLong(EventRows.ID_FIELD)));
  }

  /** Rows and checksum a finished job counted. */
  static long[] result(JobExecutionResult job) {
    Long n = job.getAccumulatorResult(ROWS);
    Long sum = job.getAccumulatorResult(CHECKSUM);
    return new long[] {n == null ? 0 : n, sum == null ? 0 : sum};
  }
}
