package io.psyberg.flink.source.reader;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.source.split.PsybergSplit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.flink.source.reader.RecordAndPosition;

/**
 * The source reader: pulls splits from the enumerator, reads them one at a time with Iceberg's
 * readers, and tells the enumerator which splits it has fully emitted so it can close sessions. It
 * keeps {@link #SPLITS_AHEAD} split asked for beyond the one it reads, so that the next split is
 * there when one ends (a session of many small files otherwise waits a round trip per file).
 *
 * <p>A continuous changelog read with a key pairs each session's removals and additions by key
 * ({@link UpdatePairing}): removals wait on the reader until the session's last split ends, which
 * is before the reader reports that split finished, so every row of a session still precedes the
 * checkpoint the session is read through. A checkpoint inside a session keeps the session's
 * finished splits and the open one's position as replay marks; after a restore they are read again
 * from their start, rows emitted before only rebuilding the waiting removals, so nothing is lost or
 * emitted twice.
 */
@Internal
public final class PsybergSourceReader
    extends SingleThreadMultiplexSourceReaderBase<
        RecordAndPosition<RowData>, RowData, PsybergSplit, PsybergSplitState> {

  /** Splits a reader asks for beyond the one it reads. */
  static final int SPLITS_AHEAD = 1;

  @Nullable private final UpdatePairing pairing;
  private final ReaderTables tables;

  /** Finished splits of the session being paired, as assigned, in the order they finished. */
  private final List<PsybergSplit> sessionRead = new ArrayList<>();

  /** The order splits were added in: the plan's order, which a restore must keep. */
  private final Map<String, Integer> addedOrder = new HashMap<>();

  @Nullable private ReaderOutput<RowData> output;

  /**
   * @param pairing pairs each session's removals and additions by key (continuous changelog reads
   *     with a key); null otherwise
   */
  public PsybergSourceReader(
      SourceReaderContext context,
      CatalogSpec catalog,
      @Nullable List<String> projectedColumns,
      boolean withMetadata,
      List<Expression> filters,
      @Nullable UpdatePairing pairing) {
    this(
        context,
        new ReaderTables(catalog, projectedColumns, filters),
        new PsybergRecordEmitter(withMetadata, pairing),
        pairing);
  }

  private PsybergSourceReader(
      SourceReaderContext context,
      ReaderTables tables,
      PsybergRecordEmitter emitter,
      @Nullable UpdatePairing pairing) {
    super(() -> new PsybergSplitReader(tables), emitter, new Configuration(), context);
    this.tables = tables;
    this.pairing = pairing;
  }

  @Override
  public InputStatus pollNext(ReaderOutput<RowData> output) throws Exception {
    // Kept for the removals a session's end sends out (see onSplitFinished).
    this.output = output;
    return super.pollNext(output);
  }

  @Override
  public void addSplits(List<PsybergSplit> splits) {
    splits.forEach(s -> addedOrder.putIfAbsent(s.splitId(), addedOrder.size()));
    super.addSplits(splits);
  }

  @Override
  public List<PsybergSplit> snapshotState(long checkpointId) {
    List<PsybergSplit> open = new ArrayList<>(super.snapshotState(checkpointId));
    if (pairing == null) {
      return open;
    }
    open.sort(Comparator.comparing(s -> addedOrder.getOrDefault(s.splitId(), Integer.MAX_VALUE)));
    List<PsybergSplit> out = new ArrayList<>();
    for (PsybergSplit done : sessionRead) {
      out.add(done.replayedThrough(Integer.MAX_VALUE, Long.MAX_VALUE));
    }
    for (PsybergSplit s : open) {
      out.add(s.replayedThrough(s.icebergSplit().fileOffset(), s.icebergSplit().recordOffset()));
    }
    return out;
  }

  @Override
  public void start() {
    for (int i = getNumberOfCurrentlyAssignedSplits(); i < 1 + SPLITS_AHEAD; i++) {
      context.sendSplitRequest();
    }
  }

  @Override
  protected void onSplitFinished(Map<String, PsybergSplitState> finishedSplitIds) {
    if (pairing != null) {
      for (PsybergSplitState finished : finishedSplitIds.values()) {
        PsybergSplit split = finished.assigned();
        addedOrder.remove(split.splitId());
        if (split.lastOfSession()) {
          // Before the split is reported: the session's last rows precede its read-through mark.
          pairing.endSession(output::collect);
          sessionRead.clear();
        } else {
          sessionRead.add(split);
        }
      }
    }
    context.sendSourceEventToCoordinator(
        new SplitsFinishedEvent(new ArrayList<>(finishedSplitIds.keySet())));
    for (int i = 0; i < finishedSplitIds.size(); i++) {
      context.sendSplitRequest();
    }
  }

  @Override
  protected PsybergSplitState initializedState(PsybergSplit split) {
    return new PsybergSplitState(split);
  }

  @Override
  protected PsybergSplit toSplitType(String splitId, PsybergSplitState state) {
    return state.toSplit();
  }

  @Override
  public void close() throws Exception {
    try {
      super.close();
    } finally {
      tables.close();
    }
  }
}
