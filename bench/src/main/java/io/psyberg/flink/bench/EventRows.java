package io.psyberg.flink.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;

/**
 * The narrow rows the throughput benchmarks read and write: row {@code i} of a data set is a
 * membership event with {@code account_id = i}, so a row count plus an order-independent checksum
 * of {@code account_id} tells whether two sides produced the same rows.
 */
final class EventRows {
  static final Schema SCHEMA = HistoryTables.EVENTS;
  static final RowType ROW_TYPE = FlinkSchemaUtil.convert(SCHEMA);

  /** Position of {@code account_id} in the rows. */
  static final int ID_FIELD = 1;

  private static final String[] TYPES = {"SIGNUP", "UPGRADE", "CANCEL"};
  private static final String[] PLANS = {"basic", "plus", "pro", null};
  private static final long EPOCH_MILLIS =
      LocalDateTime.of(2026, 1, 1, 0, 0).toInstant(ZoneOffset.UTC).toEpochMilli();

  private EventRows() {}

  /** A well-mixed hash of one row's id; the sum over a set of rows is its checksum. */
  static long mix(long id) {
    long z = (id + 0x9E3779B97F4A7C15L) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The checksum of rows {@code from} (inclusive) to {@code to} (exclusive). */
  static long checksum(long from, long to) {
    long sum = 0;
    for (long i = from; i < to; i++) {
      sum += mix(i);
    }
    return sum;
  }

  static RowData row(long i) {
    String plan = PLANS[(int) (i % PLANS.length)];
    return GenericRowData.of(
        StringData.fromString("e-" + i),
        i,
        StringData.fromString(TYPES[(int) (i % TYPES.length)]),
        plan == null ? null : StringData.fromString(plan),
        TimestampData.fromEpochMillis(EPOCH_MILLIS + i * 1000));
  }

  /** Turns a sequence number into its row, for a generating Flink source. */
  static final class Generate implements MapFunction<Long, RowData> {
    private static final long serialVersionUID = 1L;

    @Override
    public RowData map(Long i) {
      return row(i);
    }
  }

  /** Writes rows {@code from} to {@code to} (exclusive) as one Parquet data file of the table. */
  static DataFile writeFile(Table table, long from, long to, int fileId) {
    GenericAppenderFactory factory = new GenericAppenderFactory(table.schema(), table.spec());
    OutputFileFactory files =
        OutputFileFactory.builderFor(table, 1, fileId).format(FileFormat.PARQUET).build();
    DataWriter<Record> writer =
        factory.newDataWriter(files.newOutputFile(), FileFormat.PARQUET, null);
    LocalDateTime base = LocalDateTime.of(2026, 1, 1, 0, 0);
    Record r = GenericRecord.create(table.schema());
    try (DataWriter<Record> w = writer) {
      for (long i = from; i < to; i++) {
        r.setField("event_id", "e-" + i);
        r.setField("account_id", i);
        r.setField("event_type", TYPES[(int) (i % TYPES.length)]);
        r.setField("plan", PLANS[(int) (i % PLANS.length)]);
        r.setField("event_ts", base.plusSeconds(i));
        w.write(r);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return writer.toDataFile();
  }

  /**
   * Row count and checksum of what the table's current snapshot holds, read back from its data
   * files.
   */
  static long[] readBack(Table table) {
    long rows = 0;
    long sum = 0;
    try (CloseableIterable<Record> records =
        IcebergGenerics.read(table).select("account_id").build()) {
      for (Record r : records) {
        rows++;
        sum += mix((Long) r.getField("account_id"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new long[] {rows, sum};
  }
}
