package io.psyberg.flink.examples.generate;

import java.io.IOException;
import java.util.List;
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

  private BatchWriter() {}

  /** Appends {@code events} to {@code table}; returns the new snapshot. */
  static Snapshot append(Table table, List<MembershipEvent> events) throws IOException {
    GenericAppenderFactory appenders = new GenericAppenderFactory(table.schema(), table.spec());
    OutputFileFactory files =
        OutputFileFactory.builderFor(table, 1, System.currentTimeMillis())
            .format(FileFormat.PARQUET)
            .build();
    DataWriter<Record> writer =
        appenders.newDataWriter(files.newOutputFile(), FileFormat.PARQUET, null);
    GenericRecord record = GenericRecord.create(table.schema());
    try {
      for (MembershipEvent e : events) {
        Record r = record.copy();
        r.setField(MembershipEvents.EVENT_ID, e.eventId());
        r.setField(MembershipEvents.ACCOUNT_ID, e.accountId());
        r.setField(MembershipEvents.EVENT_TYPE, e.eventType());
        r.setField(MembershipEvents.PLAN, e.plan());
        r.setField(MembershipEvents.EVENT_TS, e.eventTs());
        writer.write(r);
      }
    } finally {
      writer.close();
    }
    DataFile file = writer.toDataFile();
    table.newAppend().appendFile(file).commit();
    return table.currentSnapshot();
  }
}
