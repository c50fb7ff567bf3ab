package io.psyberg.flink.bench;

import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.encryption.EncryptionManager;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.LocationProvider;

/**
 * Table operations that keep commits in memory and write the table's metadata JSON only on {@link
 * #flush()}: for building a long history quickly, single-threaded, with nobody else writing the
 * table.
 *
 * <p>Each {@code newFastAppend().commit()} through a table over these operations still writes its
 * own manifest and manifest list and adds its own snapshot, snapshot-log entry and {@code main}
 * update to the metadata, exactly as a table commit does; only the metadata JSON (megabytes at
 * thousands of snapshots, written and parsed back on every commit) is written once per batch
 * instead of once per snapshot. Unlike an Iceberg {@code Transaction}, which leaves the
 * intermediate snapshots of a transaction out of the snapshot log, the result is the metadata that
 * one commit per snapshot produces, minus the {@code metadata-log} entries of the versions never
 * written.
 */
final class BufferedCommits implements TableOperations {
  private final TableOperations table;
  private TableMetadata current;

  BufferedCommits(TableOperations table) {
    this.table = table;
    this.current = table.current();
  }

  @Override
  public TableMetadata current() {
    return current;
  }

  @Override
  public TableMetadata refresh() {
    return current;
  }

  @Override
  public void commit(TableMetadata base, TableMetadata metadata) {
    if (base != current) {
      throw new CommitFailedException("Cannot commit changes based on stale table metadata");
    }
    // Forget the metadata's pending changes, as writing and reading it back would: otherwise the
    // builder treats every snapshot added since the last flush but the newest as an intermediate
    // snapshot of one update and leaves it out of the snapshot log.
    current = TableMetadata.buildFrom(metadata).discardChanges().build();
    if (!current.changes().isEmpty()) {
      throw new IllegalStateException(
          "Table metadata kept " + current.changes().size() + " changes");
    }
  }

  /**
   * Writes the buffered metadata as the table's next version and continues from what was written.
   */
  void flush() {
    TableMetadata base = table.current();
    if (base != current) {
      table.commit(base, current);
      // Fresh snapshot objects: manifest lists cached on the old ones are released.
      current = table.refresh();
    }
  }

  @Override
  public FileIO io() {
    return table.io();
  }

  @Override
  public EncryptionManager encryption() {
    return table.encryption();
  }

  @Override
  public String metadataFileLocation(String fileName) {
    return table.metadataFileLocation(fileName);
  }

  @Override
  public LocationProvider locationProvider() {
    return table.locationProvider();
  }

  @Override
  public long newSnapshotId() {
    return table.newSnapshotId();
  }
}
