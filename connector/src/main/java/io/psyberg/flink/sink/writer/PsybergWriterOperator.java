package io.psyberg.flink.sink.writer;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.metrics.WriterMetrics;
import io.psyberg.flink.sink.WriteMode;
import io.psyberg.flink.sink.commit.CommittableState;
import io.psyberg.flink.sink.commit.PsybergCommittable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.flink.annotation.Internal;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.RowKind;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestWriter;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.sink.RowDataTaskWriterFactory;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.TaskWriter;
import org.apache.iceberg.io.WriteResult;

/**
 * Writes rows to data (and, for upsert, equality-delete) files with Iceberg's task writers. Before
 * each checkpoint barrier and at end of input it closes its files, lists them in manifests and
 * emits one {@link PsybergCommittable} (serialized with its version); nothing it writes is visible
 * until the committer publishes it.
 */
@Internal
public final class PsybergWriterOperator extends AbstractStreamOperator<byte[]>
    implements OneInputStreamOperator<RowData, byte[]>, BoundedOneInput {
  private static final long serialVersionUID = 1L;
  // Manifests must carry some snapshot id to be read back; the files get their real one when
  // committed.
  private static final long PLACEHOLDER_SNAPSHOT_ID = 0L;

  private final CatalogSpec catalogSpec;
  private final String targetTable;
  private final String processName;
  private final RowType rowType;
  private final WriteMode writeMode;
  private final List<Integer> equalityFieldIds;
  private final long targetFileSizeBytes;

  private transient Catalog catalog;
  private transient Table table;
  private transient RowDataTaskWriterFactory factory;
  private transient TaskWriter<RowData> writer;
  private transient long rows;
  private transient String jobId;
  private transient WriterMetrics metrics;

  public PsybergWriterOperator(
      CatalogSpec catalogSpec,
      String targetTable,
      String processName,
      RowType rowType,
      WriteMode writeMode,
      List<Integer> equalityFieldIds,
      long targetFileSizeBytes) {
    this.catalogSpec = catalogSpec;
    this.targetTable = targetTable;
    this.processName = processName;
    this.rowType = rowType;
    this.writeMode = writeMode;
    this.equalityFieldIds = List.copyOf(equalityFieldIds);
    this.targetFileSizeBytes = targetFileSizeBytes;
    // Chain with the operator before it, as Iceberg's own writer does: otherwise every row is
    // serialized and handed over between two tasks (measured by the sink benchmark: see
    // BENCHMARKS.md).
    setChainingStrategy(ChainingStrategy.ALWAYS);
  }

  @Override
  public void open() throws Exception {
    super.open();
    // Kept open while the writer writes (the table's FileIO may belong to it) and closed with the
    // operator: a JDBC catalog holds pooled database connections.
    catalog = catalogSpec.open();
    table = catalog.loadTable(TableIdentifier.parse(targetTable));
    jobId = getRuntimeContext().getJobId().toString();
    metrics = new WriterMetrics(getMetricGroup(), processName);
    Table loaded = table;
    factory =
        new RowDataTaskWriterFactory(
            () -> loaded,
            rowType,
            targetFileSizeBytes,
            FileFormat.PARQUET,
            table.properties(),
            writeMode.isKeyed() ? equalityFieldIds : List.of(),
            writeMode == WriteMode.UPSERT);
    factory.initialize(
        getRuntimeContext().getIndexOfThisSubtask(), getRuntimeContext().getAttemptNumber());
  }

  /**
   * Iceberg's task writers open their first data file as they are created, so one is created on the
   * first row of each checkpoint interval: an interval without rows touches no storage, and a
   * warehouse that refuses writes fails the job on the row it could not write.
   */
  private TaskWriter<RowData> writer() {
    if (writer == null) {
      try {
        writer = factory.create();
      } catch (UncheckedIOException e) {
        throw writeFailed(e);
      }
    }
    return writer;
  }

  @Override
  public void processElement(StreamRecord<RowData> element) throws Exception {
    RowData row = element.getValue();
    if (!writeMode.isKeyed() && row.getRowKind() != RowKind.INSERT) {
      throw new PsybergException(
          String.format(
              "Process %s: sink table %s has write-mode '%s', which takes inserts only, but"
                  + " received a %s row. Use write-mode 'upsert' or 'retract' (with a primary key)"
                  + " for changelog input.",
              processName,
              targetTable,
              writeMode.name().toLowerCase(Locale.ROOT).replace('_', '-'),
              row.getRowKind()));
    }
    if (writeMode == WriteMode.UPSERT && row.getRowKind() == RowKind.UPDATE_BEFORE) {
      return; // an upsert replaces by key: the before-image adds nothing (nor a row to count)
    }
    try {
      writer().write(row);
    } catch (IOException | UncheckedIOException e) {
      throw writeFailed(e);
    }
    rows++;
  }

  /**
   * Storage refused a write (permissions, quota, credentials): say where, and that nothing was
   * published.
   */
  private PsybergException writeFailed(Exception e) {
    return new PsybergException(
        String.format(
            "Process %s: could not write files of sink table %s under %s: %s. Nothing was"
                + " published. Check that the job can write to the warehouse (permissions, free"
                + " space, credentials), then re-run.",
            processName, targetTable, table.location(), e.getMessage()),
        e);
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    flush(checkpointId);
  }

  @Override
  public void endInput() throws Exception {
    flush(PsybergCommittable.END_OF_INPUT);
  }

  private void flush(long checkpointId) {
    try {
      writeFiles(checkpointId);
    } catch (IOException | UncheckedIOException e) {
      throw writeFailed(e);
    }
  }

  private void writeFiles(long checkpointId) throws IOException {
    if (writer == null) {
      return; // no row since the last flush
    }
    WriteResult result = writer.complete();
    writer = null;
    if (rows == 0 && result.dataFiles().length == 0 && result.deleteFiles().length == 0) {
      return;
    }
    String prefix =
        String.format(
            "%s/metadata/psyberg-%s-%d-%d-%s-%s",
            table.location(),
            jobId,
            getRuntimeContext().getIndexOfThisSubtask(),
            getRuntimeContext().getAttemptNumber(),
            checkpointId == PsybergCommittable.END_OF_INPUT ? "end" : Long.toString(checkpointId),
            UUID.randomUUID().toString().substring(0, 8));
    byte[] data =
        result.dataFiles().length == 0
            ? null
            : dataManifest(prefix + "-data.avro", result.dataFiles());
    byte[] deletes =
        result.deleteFiles().length == 0
            ? null
            : deleteManifest(prefix + "-deletes.avro", result.deleteFiles());
    PsybergCommittable committable =
        new PsybergCommittable(
            jobId, checkpointId, getRuntimeContext().getIndexOfThisSubtask(), rows, data, deletes);
    output.collect(new StreamRecord<>(CommittableState.write(committable)));
    metrics.flushed(rows, result.dataFiles().length, result.deleteFiles().length);
    rows = 0;
  }

  private int formatVersion() {
    return ((HasTableOperations) table).operations().current().formatVersion();
  }

  private byte[] dataManifest(String path, DataFile[] files) throws IOException {
    OutputFile out = table.io().newOutputFile(path);
    ManifestWriter<DataFile> w =
        ManifestFiles.write(formatVersion(), table.spec(), out, PLACEHOLDER_SNAPSHOT_ID);
    try (ManifestWriter<DataFile> closing = w) {
      for (DataFile f : files) {
        closing.add(f);
      }
    }
    ManifestFile manifest = w.toManifestFile();
    return ManifestFiles.encode(manifest);
  }

  private byte[] deleteManifest(String path, DeleteFile[] files) throws IOException {
    OutputFile out = table.io().newOutputFile(path);
    ManifestWriter<DeleteFile> w =
        ManifestFiles.writeDeleteManifest(
            formatVersion(), table.spec(), out, PLACEHOLDER_SNAPSHOT_ID);
    try (ManifestWriter<DeleteFile> closing = w) {
      for (DeleteFile f : files) {
        closing.add(f);
      }
    }
    return ManifestFiles.encode(w.toManifestFile());
  }

  @Override
  public void close() throws Exception {
    try {
      if (writer != null) {
        writer.close();
      }
    } finally {
      CatalogSpec.closeQuietly(catalog);
    }
    super.close();
  }
}
