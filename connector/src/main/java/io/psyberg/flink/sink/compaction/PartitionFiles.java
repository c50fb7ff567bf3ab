package io.psyberg.flink.sink.compaction;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.StructLikeWrapper;

/**
 * Writes rows of a table into new Parquet data files of their partitions, a new file whenever one
 * reaches the target size; with a {@link DayClustering}, a file per partition and recent day of its
 * column (up to {@link #MAX_DAY_FILES} open at once; rows of further days share their partition's
 * file). Rows read with delete files applied may carry extra columns (the row position); only the
 * table's columns are written.
 */
final class PartitionFiles implements AutoCloseable {
  /** How many rows between two looks at a file's size. */
  private static final int SIZE_CHECK_ROWS = 1_000;

  /** Day files open at once at most: each holds a Parquet writer's buffers. */
  static final int MAX_DAY_FILES = 64;

  private final Table table;
  private final PartitionSpec spec;
  private final Schema schema;
  private final long targetBytes;
  private final GenericAppenderFactory appenders;
  private final OutputFileFactory outputs;
  private final PartitionKey key;
  private final InternalRecordWrapper wrapper;
  private final StructLikeWrapper probe;
  @Nullable private final DayClustering days;
  private final Map<StructLikeWrapper, Long> clusterFrom;
  private final Map<Slot, Open> open = new LinkedHashMap<>();
  private final List<DataFile> written = new ArrayList<>();
  private long rows;

  /** A file being written and the partition it is in. */
  private record Open(DataWriter<Record> writer, PartitionKey partition, long[] rows) {}

  /** Where a row goes: its partition and, when clustered, its day. */
  private record Slot(StructLikeWrapper partition, long day) {}

  /**
   * @param days the clustering, or null for a file per partition
   * @param clusterFrom by partition, the first day that gets its own file (earlier days share the
   *     partition's file); a partition not in it has every day clustered
   */
  PartitionFiles(
      Table table,
      PartitionSpec spec,
      long targetBytes,
      @Nullable DayClustering days,
      Map<StructLikeWrapper, Long> clusterFrom) {
    this.table = table;
    this.days = days;
    this.clusterFrom = clusterFrom;
    this.spec = spec;
    this.schema = table.schema();
    this.targetBytes = targetBytes;
    this.appenders = new GenericAppenderFactory(schema, spec);
    this.outputs =
        OutputFileFactory.builderFor(table, 0, System.nanoTime())
            .format(FileFormat.PARQUET)
            .build();
    this.key = new PartitionKey(spec, schema);
    this.wrapper = new InternalRecordWrapper(schema.asStruct());
    this.probe = StructLikeWrapper.forType(spec.partitionType());
  }

  void write(Record read) {
    Record row = read.struct().equals(schema.asStruct()) ? read : tableColumns(read);
    key.partition(wrapper.wrap(row));
    // One wrapper probes the map; a copy (sharing its comparator) is kept for each new file.
    StructLikeWrapper partition = probe.set(key);
    Slot slot = new Slot(partition, dayOf(row, partition));
    Open file = open.get(slot);
    if (file == null && slot.day() != DayClustering.NO_DAY && open.size() >= MAX_DAY_FILES) {
      slot = new Slot(partition, DayClustering.NO_DAY);
      file = open.get(slot);
    }
    if (file == null) {
      PartitionKey copy = key.copy();
      file = newFile(copy);
      open.put(new Slot(probe.copyFor(copy), slot.day()), file);
    }
    file.writer().write(row);
    rows++;
    if (++file.rows()[0] % SIZE_CHECK_ROWS == 0 && file.writer().length() >= targetBytes) {
      close(file);
      Open next = newFile(file.partition());
      open.put(new Slot(probe.copyFor(next.partition()), slot.day()), next);
    }
  }

  /** The row's day when it gets a day file, else {@link DayClustering#NO_DAY}. */
  private long dayOf(Record row, StructLikeWrapper partition) {
    if (days == null) {
      return DayClustering.NO_DAY;
    }
    long day = days.day(row);
    Long from = clusterFrom.get(partition);
    return from != null && day < from ? DayClustering.NO_DAY : day;
  }

  /** Closes every file: the data files written. */
  List<DataFile> finish() {
    open.values().forEach(this::close);
    open.clear();
    return List.copyOf(written);
  }

  long rows() {
    return rows;
  }

  /** Closes and deletes every file written. */
  void abort() {
    finish().forEach(f -> table.io().deleteFile(f.path().toString()));
    written.clear();
  }

  @Override
  public void close() {
    if (!open.isEmpty()) {
      abort();
    }
  }

  private Open newFile(PartitionKey partition) {
    PartitionKey p = spec.isPartitioned() ? partition : null;
    DataWriter<Record> writer =
        appenders.newDataWriter(
            p == null ? outputs.newOutputFile() : outputs.newOutputFile(spec, p),
            FileFormat.PARQUET,
            p);
    return new Open(writer, partition, new long[1]);
  }

  private void close(Open file) {
    try {
      file.writer().close();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write a compacted file of " + table.name(), e);
    }
    written.add(file.writer().toDataFile());
  }

  private Record tableColumns(Record read) {
    Record row = GenericRecord.create(schema);
    for (Types.NestedField field : schema.columns()) {
      row.setField(field.name(), read.getField(field.name()));
    }
    return row;
  }
}
