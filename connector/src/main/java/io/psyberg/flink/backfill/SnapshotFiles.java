package io.psyberg.flink.backfill;

import io.psyberg.flink.metadata.MetadataRows;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.LongPredicate;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Reads a source table as it was at a fixed snapshot, in slices by the data sequence number of its
 * live files (the order in which their rows landed): what a backfill splits into chunks, and what
 * its catch-up reads after the snapshots it was fixed at.
 */
@PublicEvolving
public final class SnapshotFiles {
  private SnapshotFiles() {}

  /**
   * The data sequence numbers of the live files at {@code snapshotId} that may hold rows matching
   * {@code filter}, ascending, each with the record count of its files (an upper bound of the rows
   * a read of them returns): what a backfill sizes its chunks by.
   */
  public static SortedMap<Long, Long> recordsBySequenceNumber(
      Table table, long snapshotId, Expression filter) {
    SortedMap<Long, Long> out = new TreeMap<>();
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().useSnapshot(snapshotId).filter(filter).planFiles()) {
      tasks.forEach(
          t -> out.merge(t.file().dataSequenceNumber(), t.file().recordCount(), Long::sum));
    } catch (IOException e) {
      throw new UncheckedIOException("Could not plan a read of " + table.name(), e);
    }
    return out;
  }

  /**
   * The live rows at {@code snapshotId} matching {@code filter}, of the files whose data sequence
   * number {@code sequences} accepts, in landing order. The files are read on every core side by
   * side: a backfill reads in the CLI's JVM, without a Flink job's parallel readers.
   */
  public static List<Record> read(
      Table table, long snapshotId, Expression filter, LongPredicate sequences) {
    return MetadataRows.readInParallel(
        table,
        filter,
        snapshotId,
        task -> sequences.test(task.file().dataSequenceNumber()),
        Runtime.getRuntime().availableProcessors());
  }

  /**
   * As {@link #read(Table, long, Expression, LongPredicate)}, each row turned into what {@code map}
   * makes of it while the files are read; rows mapped to null are left out, so only what the caller
   * keeps is held.
   */
  public static <T> List<T> read(
      Table table,
      long snapshotId,
      Expression filter,
      LongPredicate sequences,
      Function<Record, T> map) {
    return MetadataRows.readInParallel(
        table,
        filter,
        snapshotId,
        task -> sequences.test(task.file().dataSequenceNumber()),
        Runtime.getRuntime().availableProcessors(),
        map);
  }

  /** The sequence number of a snapshot, or -1 for "before the first snapshot" (null). */
  public static long sequenceNumber(Table table, Long snapshotId) {
    return snapshotId == null ? -1L : table.snapshot(snapshotId).sequenceNumber();
  }
}
