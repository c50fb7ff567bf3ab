package io.psyberg.flink.source.planned;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.source.reader.PsybergSourceReader;
import io.psyberg.flink.source.reader.ReadSchemas;
import io.psyberg.flink.source.split.PsybergSplit;
import io.psyberg.flink.source.split.PsybergSplitSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.BaseCombinedScanTask;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.source.split.IcebergSourceSplit;

/**
 * A bounded source over data files planned when the job is built, not when it starts: a restart
 * reads the same files even after the snapshot they were planned at has been expired (their files
 * still live). Rows come as the given columns, in that order.
 */
@Internal
public final class PlannedFilesSource
    implements Source<RowData, PsybergSplit, PlannedSplits>, ResultTypeQueryable<RowData> {
  private static final long serialVersionUID = 1L;

  private final CatalogSpec catalog;
  private final List<String> columns;
  private final RowType rowType;
  private final int splitVersion;
  private final List<byte[]> splits;

  private PlannedFilesSource(
      CatalogSpec catalog, List<String> columns, RowType rowType, List<PsybergSplit> planned) {
    this.catalog = catalog;
    this.columns = List.copyOf(columns);
    this.rowType = rowType;
    this.splitVersion = PsybergSplitSerializer.INSTANCE.getVersion();
    this.splits = new ArrayList<>();
    try {
      for (PsybergSplit s : planned) {
        splits.add(PsybergSplitSerializer.INSTANCE.serialize(s));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A source over {@code tasks} of table {@code table} (planned at snapshot {@code snapshotId}),
   * reading {@code columns} of {@code schema}.
   */
  public static PlannedFilesSource of(
      CatalogSpec catalog,
      String table,
      long snapshotId,
      Schema schema,
      List<String> columns,
      List<FileScanTask> tasks) {
    List<PsybergSplit> planned = new ArrayList<>();
    int index = 0;
    for (FileScanTask task : tasks) {
      planned.add(
          new PsybergSplit(
              "planned",
              table,
              snapshotId,
              0L,
              index++,
              IcebergSourceSplit.fromCombinedScanTask(new BaseCombinedScanTask(task))));
    }
    RowType rowType = FlinkSchemaUtil.convert(ReadSchemas.project(schema, columns));
    return new PlannedFilesSource(catalog, columns, rowType, planned);
  }

  public int splitCount() {
    return splits.size();
  }

  @Override
  public Boundedness getBoundedness() {
    return Boundedness.BOUNDED;
  }

  @Override
  public SourceReader<RowData, PsybergSplit> createReader(SourceReaderContext context) {
    return new PsybergSourceReader(context, catalog, columns, false, List.of(), null);
  }

  @Override
  public SplitEnumerator<PsybergSplit, PlannedSplits> createEnumerator(
      SplitEnumeratorContext<PsybergSplit> context) throws IOException {
    List<PsybergSplit> planned = new ArrayList<>();
    for (byte[] s : splits) {
      planned.add(PsybergSplitSerializer.INSTANCE.deserialize(splitVersion, s));
    }
    return new PlannedSplitsEnumerator(context, new PlannedSplits(planned));
  }

  @Override
  public SplitEnumerator<PsybergSplit, PlannedSplits> restoreEnumerator(
      SplitEnumeratorContext<PsybergSplit> context, PlannedSplits state) {
    return new PlannedSplitsEnumerator(context, state);
  }

  @Override
  public SimpleVersionedSerializer<PsybergSplit> getSplitSerializer() {
    return PsybergSplitSerializer.INSTANCE;
  }

  @Override
  public SimpleVersionedSerializer<PlannedSplits> getEnumeratorCheckpointSerializer() {
    return PlannedSplitsSerializer.INSTANCE;
  }

  @Override
  public TypeInformation<RowData> getProducedType() {
    return InternalTypeInfo.of(rowType);
  }
}
