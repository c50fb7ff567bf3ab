package io.psyberg.flink.source;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;

/**
 * Turns a bounded changelog read's -D/+I into updates by key: within the run, a removal of a key
 * followed by an addition of the same key becomes -U (the removed row) then +U (the added one);
 * removals never followed by an addition are emitted as -D when the input ends. The stream is keyed
 * by the key columns, so a key's rows keep the source's (snapshot) order.
 *
 * <p>Bounded input only: a removal waits for a later addition of its key until the end of input.
 */
@PublicEvolving
public final class ChangelogUpdates {
  private ChangelogUpdates() {}

  /**
   * Pairs removals and additions of {@code keyColumns} (columns of {@code type}, the stream's row
   * type) into updates; without key columns the stream is returned as it is.
   */
  public static DataStream<RowData> pairByKey(
      DataStream<RowData> changes, RowType type, List<String> keyColumns) {
    if (keyColumns.isEmpty()) {
      return changes; // no key: removals and additions cannot be paired
    }
    int[] key = new int[keyColumns.size()];
    List<LogicalType> keyTypes = new ArrayList<>();
    for (int i = 0; i < key.length; i++) {
      key[i] = type.getFieldIndex(keyColumns.get(i));
      if (key[i] < 0) {
        throw new IllegalArgumentException(
            "Key column '" + keyColumns.get(i) + "' is not in the rows " + type);
      }
      keyTypes.add(type.getTypeAt(key[i]));
    }
    RowType keyType = RowType.of(keyTypes.toArray(new LogicalType[0]));
    return changes
        .keyBy(new KeyOf(type, key), InternalTypeInfo.of(keyType))
        .process(new PairUpdates(type))
        .returns(InternalTypeInfo.of(type))
        .name("changelog updates by key " + keyColumns);
  }

  /** The key columns of a row. */
  @Internal
  static final class KeyOf implements KeySelector<RowData, RowData> {
    private static final long serialVersionUID = 1L;
    private final RowData.FieldGetter[] getters;

    KeyOf(RowType type, int[] key) {
      getters = new RowData.FieldGetter[key.length];
      for (int i = 0; i < key.length; i++) {
        getters[i] = RowData.createFieldGetter(type.getTypeAt(key[i]), key[i]);
      }
    }

    @Override
    public RowData getKey(RowData row) {
      GenericRowData out = new GenericRowData(getters.length);
      for (int i = 0; i < getters.length; i++) {
        out.setField(i, getters[i].getFieldOrNull(row));
      }
      return out;
    }
  }

  /** Holds a key's removals in keyed state until an addition pairs them or the input ends. */
  @Internal
  static final class PairUpdates extends KeyedProcessFunction<RowData, RowData, RowData> {
    private static final long serialVersionUID = 1L;
    private final RowType type;
    private transient ListState<RowData> removed;

    PairUpdates(RowType type) {
      this.type = type;
    }

    @Override
    public void open(Configuration parameters) {
      removed =
          getRuntimeContext()
              .getListState(new ListStateDescriptor<>("removed", InternalTypeInfo.of(type)));
    }

    @Override
    public void processElement(RowData row, Context ctx, Collector<RowData> out) throws Exception {
      RowKind kind = row.getRowKind();
      if (kind == RowKind.DELETE || kind == RowKind.UPDATE_BEFORE) {
        row.setRowKind(RowKind.DELETE);
        removed.add(row);
        // Fires once the input has ended (the final watermark): removals left unpaired.
        ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
        return;
      }
      List<RowData> waiting = new ArrayList<>();
      removed.get().forEach(waiting::add);
      if (waiting.isEmpty()) {
        out.collect(row);
        return;
      }
      RowData before = waiting.remove(0);
      removed.update(waiting);
      before.setRowKind(RowKind.UPDATE_BEFORE);
      out.collect(before);
      row.setRowKind(RowKind.UPDATE_AFTER);
      out.collect(row);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RowData> out)
        throws Exception {
      for (RowData row : removed.get()) {
        row.setRowKind(RowKind.DELETE);
        out.collect(row);
      }
      removed.clear();
    }
  }
}
