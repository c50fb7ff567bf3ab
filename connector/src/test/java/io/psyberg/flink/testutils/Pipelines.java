package io.psyberg.flink.testutils;

import io.psyberg.flink.sink.PsybergSink;
import io.psyberg.flink.source.PsybergSource;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/** Runs source → sink jobs on the MiniCluster and reads tables back. */
public final class Pipelines {
  private Pipelines() {}

  /** Runs a bounded psyberg source straight into a psyberg sink. */
  public static JobExecutionResult run(PsybergSource source, PsybergSink sink, int parallelism)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(parallelism);
    DataStream<RowData> rows =
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "psyberg-source");
    sink.append(rows);
    return env.execute("psyberg test " + sink.processName());
  }

  /** All rows of the table's main branch as "event_id" (field 0) strings. */
  public static List<String> ids(Table table) throws Exception {
    return column(table, "event_id");
  }

  public static List<String> column(Table table, String column) throws Exception {
    table.refresh();
    List<String> out = new ArrayList<>();
    if (table.currentSnapshot() == null) {
      return out;
    }
    try (CloseableIterable<Record> rows = IcebergGenerics.read(table).build()) {
      rows.forEach(r -> out.add(String.valueOf(r.getField(column))));
    }
    return out;
  }

  public static List<Record> rows(Table table) throws Exception {
    table.refresh();
    List<Record> out = new ArrayList<>();
    if (table.currentSnapshot() == null) {
      return out;
    }
    try (CloseableIterable<Record> rows = IcebergGenerics.read(table).build()) {
      rows.forEach(r -> out.add(r.copy()));
    }
    return out;
  }
}
