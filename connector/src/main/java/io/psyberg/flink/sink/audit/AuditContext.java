package io.psyberg.flink.sink.audit;

import io.psyberg.flink.session.Session;
import io.psyberg.flink.sink.WriteMode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;

/**
 * What an audit sees: the target table, the staged (unpublished) snapshot, the files it adds, and
 * the session(s) it publishes. Metadata audits use the files' metrics; data audits read the staged
 * files.
 */
@PublicEvolving
public final class AuditContext {
  private final Catalog catalog;
  private final Table table;
  private final Snapshot staged;
  @Nullable private final Long publishedParentId;
  private final List<DataFile> dataFiles;
  private final List<DeleteFile> deleteFiles;
  private final Session session;
  private final WriteMode writeMode;

  @Internal
  public AuditContext(
      Catalog catalog,
      Table table,
      Snapshot staged,
      @Nullable Long publishedParentId,
      List<DataFile> dataFiles,
      List<DeleteFile> deleteFiles,
      Session session,
      WriteMode writeMode) {
    this.catalog = catalog;
    this.table = table;
    this.staged = staged;
    this.publishedParentId = publishedParentId;
    this.dataFiles = List.copyOf(dataFiles);
    this.deleteFiles = List.copyOf(deleteFiles);
    this.session = session;
    this.writeMode = writeMode;
  }

  public Catalog catalog() {
    return catalog;
  }

  public Table table() {
    return table;
  }

  /** The staged snapshot (head of the audit branch). */
  public Snapshot staged() {
    return staged;
  }

  /** Main's snapshot the staged one builds on; null for an empty table. */
  @Nullable
  public Long publishedParentId() {
    return publishedParentId;
  }

  public List<DataFile> dataFiles() {
    return dataFiles;
  }

  public List<DeleteFile> deleteFiles() {
    return deleteFiles;
  }

  public Session session() {
    return session;
  }

  public WriteMode writeMode() {
    return writeMode;
  }

  /** Rows in the staged data files, from metadata. */
  public long addedRecords() {
    return dataFiles.stream().mapToLong(DataFile::recordCount).sum();
  }

  /** Reads the given columns of the staged data files (Parquet). Callers close the iterable. */
  public List<Record> readStaged(List<String> columns) throws IOException {
    Schema projection = table.schema().select(columns);
    List<Record> out = new ArrayList<>();
    for (DataFile file : dataFiles) {
      if (file.format() != FileFormat.PARQUET) {
        throw new UnsupportedOperationException(
            "Data audits read Parquet files; " + file.path() + " is " + file.format());
      }
      try (CloseableIterable<Record> rows =
          Parquet.read(table.io().newInputFile(file.path().toString()))
              .project(projection)
              .createReaderFunc(s -> GenericParquetReaders.buildReader(projection, s))
              .build()) {
        rows.forEach(r -> out.add(r.copy()));
      }
    }
    return out;
  }
}
