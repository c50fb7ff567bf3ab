package io.psyberg.flink.testutils;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.sink.WriteMode;
import io.psyberg.flink.sink.writer.PsybergWriterOperator;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.types.RowKind;
import org.apache.iceberg.flink.FlinkSchemaUtil;

/**
 * The sink's operators on Flink's {@link OneInputStreamOperatorTestHarness}: a task environment
 * with a chosen job id (a restarted job keeps its id, and the committer matches sessions to its job
 * by it) and a writer that turns event rows into serialized committables with real files.
 */
public final class SinkHarnesses {
  private static final long TARGET_FILE_SIZE = 128L * 1024 * 1024;

  private SinkHarnesses() {}

  /** A task environment of the given job; close it after the harness that uses it. */
  public static MockEnvironment environment(JobID job) {
    return new MockEnvironmentBuilder().setJobID(job).build();
  }

  /** An opened writer of {@link Warehouse#EVENTS} rows into {@code table}. */
  public static OneInputStreamOperatorTestHarness<RowData, byte[]> writer(
      CatalogSpec catalog,
      String table,
      String process,
      WriteMode mode,
      List<Integer> equalityFieldIds,
      MockEnvironment env)
      throws Exception {
    OneInputStreamOperatorTestHarness<RowData, byte[]> harness =
        new OneInputStreamOperatorTestHarness<>(
            new PsybergWriterOperator(
                catalog,
                table,
                process,
                FlinkSchemaUtil.convert(Warehouse.EVENTS),
                mode,
                equalityFieldIds,
                TARGET_FILE_SIZE),
            env);
    harness.open();
    return harness;
  }

  /**
   * What an append writer of the job emits before checkpoint {@code checkpointId}'s barrier after
   * writing one row per id: one serialized committable.
   */
  public static byte[] committable(
      CatalogSpec catalog,
      String table,
      String process,
      JobID job,
      long checkpointId,
      String... ids)
      throws Exception {
    try (MockEnvironment env = environment(job);
        OneInputStreamOperatorTestHarness<RowData, byte[]> writer =
            writer(catalog, table, process, WriteMode.APPEND, List.of(), env)) {
      for (String id : ids) {
        writer.processElement(event(RowKind.INSERT, id, 1L, "basic"), 0L);
      }
      writer.prepareSnapshotPreBarrier(checkpointId);
      List<byte[]> out = new ArrayList<>(writer.extractOutputValues());
      if (out.size() != 1) {
        throw new AssertionError("expected one committable, got " + out.size());
      }
      return out.get(0);
    }
  }

  /** A row of {@link Warehouse#EVENTS}. */
  public static RowData event(RowKind kind, String id, long account, String plan) {
    GenericRowData row =
        GenericRowData.of(
            StringData.fromString(id),
            account,
            StringData.fromString("SIGNUP"),
            StringData.fromString(plan),
            TimestampData.fromLocalDateTime(LocalDateTime.of(2026, 1, 1, 8, 0)));
    row.setRowKind(kind);
    return row;
  }
}
