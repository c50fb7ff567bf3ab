package io.psyberg.flink.bench;

import io.psyberg.flink.examples.generate.MembershipEvents;
import io.psyberg.flink.stateful.lifecycle.LifecycleEvent;
import java.io.IOException;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;

/**
 * A membership event table as the {@code generate} command lays it out (format v2, unpartitioned,
 * Parquet), one data file and one append snapshot per batch.
 */
final class EventTable {
  private static final LocalDateTime EPOCH = LocalDateTime.of(1970, 1, 1, 0, 0);

  final Table table;
  private int files;

  private EventTable(Table table) {
    this.table = table;
  }

  static EventTable create(Catalog catalog, String name) {
    TableIdentifier id = TableIdentifier.parse(name);
    if (catalog instanceof SupportsNamespaces ns && !ns.namespaceExists(id.namespace())) {
      ns.createNamespace(id.namespace());
    }
    return new EventTable(
        catalog.createTable(
            id,
            MembershipEvents.SCHEMA,
            PartitionSpec.unpartitioned(),
            Map.of(
                TableProperties.FORMAT_VERSION,
                "2",
                TableProperties.DEFAULT_FILE_FORMAT,
                "parquet")));
  }

  /** Appends {@code events} as one Parquet file in one snapshot. */
  void append(List<LifecycleEvent> events) throws IOException {
    GenericAppenderFactory appenders = new GenericAppenderFactory(table.schema(), table.spec());
    OutputFileFactory outputs =
        OutputFileFactory.builderFor(table, 1, ++files).format(FileFormat.PARQUET).build();
    DataWriter<Record> writer =
        appenders.newDataWriter(outputs.newOutputFile(), FileFormat.PARQUET, null);
    GenericRecord template = GenericRecord.create(table.schema());
    try {
      for (LifecycleEvent e : events) {
        Record r = template.copy();
        r.setField(MembershipEvents.EVENT_ID, e.eventId());
        r.setField(MembershipEvents.ACCOUNT_ID, e.accountId());
        r.setField(MembershipEvents.EVENT_TYPE, e.eventType());
        r.setField(MembershipEvents.PLAN, e.plan());
        r.setField(MembershipEvents.EVENT_TS, EPOCH.plus(e.eventTimeMicros(), ChronoUnit.MICROS));
        writer.write(r);
      }
    } finally {
      writer.close();
    }
    DataFile file = writer.toDataFile();
    // A merging append, as Flink's and Spark's Iceberg writers commit: past
    // commit.manifest.min-count-to-merge (100) manifests, Iceberg merges them, so a long history
    // is not one manifest per snapshot (which every scan planning would read).
    table.newAppend().appendFile(file).commit();
  }
}
