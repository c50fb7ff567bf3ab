package io.psyberg.flink.source.reader;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.source.split.PsybergSplit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.flink.source.reader.RecordAndPosition;

/**
 * The source reader: pulls splits from the enumerator one at a time, reads them with Iceberg's
 * readers, and tells the enumerator which splits it has fully emitted so it can close sessions.
 */
@Internal
public final class PsybergSourceReader
    extends SingleThreadMultiplexSourceReaderBase<
        RecordAndPosition<RowData>, RowData, PsybergSplit, PsybergSplitState> {

  public PsybergSourceReader(
      SourceReaderContext context,
      CatalogSpec catalog,
      @Nullable List<String> projectedColumns,
      boolean withMetadata,
      List<Expression> filters) {
    super(
        () -> new PsybergSplitReader(catalog, projectedColumns, filters),
        new PsybergRecordEmitter(withMetadata),
        new Configuration(),
        context);
  }

  @Override
  public void start() {
    if (getNumberOfCurrentlyAssignedSplits() == 0) {
      context.sendSplitRequest();
    }
  }

  @Override
  protected void onSplitFinished(Map<String, PsybergSplitState> finishedSplitIds) {
    context.sendSourceEventToCoordinator(
        new SplitsFinishedEvent(new ArrayList<>(finishedSplitIds.keySet())));
    context.sendSplitRequest();
  }

  @Override
  protected PsybergSplitState initializedState(PsybergSplit split) {
    return new PsybergSplitState(split);
  }

  @Override
  protected PsybergSplit toSplitType(String splitId, PsybergSplitState state) {
    return state.toSplit();
  }
}
