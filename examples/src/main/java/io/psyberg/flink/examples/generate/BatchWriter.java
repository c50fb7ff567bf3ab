package io.psyberg.flink.examples.generate;

import java.io.IOException;
import java.util.List;
import java.util.function.LongConsumer;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;

/** Writes events to one Parquet data file and appends it in one commit: one snapshot per batch. */
final class BatchWriter {
  private static final int REPORT_EVERY = 10_000;

  private BatchWriter() {}

  /**
   * Appends {@code events} to {@code table}; returns the new snapshot. {@code written} hears the
   * number of rows written so far, every {@value #REPORT_EVERY} rows.
   */
  static Snapshot append(Table table, List<MembershipEvent> events, LongConsumer written)
      throws IOException {
    GenericAppenderFactory appenders = new GenericAppenderFactory(table.schema(), table.spec());
    OutputFileFactory files =
        OutputFileFactory.builderFor(table, 1, System.currentTimeMillis())
            .format(FileFormat.PARQUET)
            .build();
    DataWriter<Record> writer =
        appenders.newDataWriter(files.newOutputFile(), FileFormat.PARQUET, null);
    GenericRecord record = GenericRecord.create(table.schema());
    long rows = 0;
    try {
      for (MembershipEvent e : events) {
        Record r = record.copy();
        r.setField(MembershipEvents.EVENT_ID, e.eventId());
        r.setField(MembershipEvents.ACCOUNT_ID, e.accountId());
        r.setField(MembershipEvents.EVENT_TYPE, e.eventType());
        r.setField(MembershipEvents.PLAN, e.plan());
        r.setField(MembershipEvents.EVENT_TS, e.eventTs());
        writer.write(r);
        if (++rows % REPORT_EVERY == 0) {
          written.accept(rows);
        }
      }
    } finally {
      writer.close();
    }
    DataFile file = writer.toDataFile();
    table.newAppend().appendFile(file).commit();
    return table.currentSnapshot();
  }
}
