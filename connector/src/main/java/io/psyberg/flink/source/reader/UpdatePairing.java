package io.psyberg.flink.source.reader;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.utils.JoinedRowData;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.RowKind;

/**
 * Pairs one session's removals and additions by key on the reader of a continuous changelog read: a
 * removal waits until an addition of its key turns both into -U/+U, or until the session's last
 * split ends and it goes out as -D. Rows are handled in read order; the reader rebuilds the waiting
 * removals after a restore by reading the session's splits again with {@code emit} off.
 */
@Internal
public final class UpdatePairing {
  private final RowDataSerializer copier;
  private final RowData.FieldGetter[] key;
  private final Map<RowData, Deque<RowData>> waiting = new LinkedHashMap<>();

  /** Pairs rows of type {@code physical} by the columns at {@code keyColumns}. */
  public UpdatePairing(RowType physical, int[] keyColumns) {
    this.copier = new RowDataSerializer(physical);
    this.key = new RowData.FieldGetter[keyColumns.length];
    for (int i = 0; i < keyColumns.length; i++) {
      key[i] = RowData.createFieldGetter(physical.getTypeAt(keyColumns[i]), keyColumns[i]);
    }
  }

  /**
   * Takes one changed row ({@code row} with its row kind, {@code metadata} appended when not null)
   * and hands what it completes to {@code emit}, or to nobody while replaying ({@code emit} null).
   */
  void accept(RowData row, @Nullable RowData metadata, @Nullable Consumer<RowData> emit) {
    RowKind kind = row.getRowKind();
    if (kind == RowKind.DELETE || kind == RowKind.UPDATE_BEFORE) {
      RowData removed = copier.copy(row);
      RowData held = metadata == null ? removed : new JoinedRowData(removed, metadata);
      waiting.computeIfAbsent(keyOf(removed), k -> new ArrayDeque<>()).add(held);
      return;
    }
    RowData k = keyOf(row);
    Deque<RowData> removals = waiting.get(k);
    RowData before = removals == null ? null : removals.poll();
    if (removals != null && removals.isEmpty()) {
      waiting.remove(k);
    }
    if (emit == null) {
      return;
    }
    RowData after = metadata == null ? row : new JoinedRowData(row, metadata);
    if (before == null) {
      after.setRowKind(RowKind.INSERT);
    } else {
      before.setRowKind(RowKind.UPDATE_BEFORE);
      emit.accept(before);
      after.setRowKind(RowKind.UPDATE_AFTER);
    }
    emit.accept(after);
  }

  /** The session ended: removals no addition paired go out as -D. */
  void endSession(Consumer<RowData> emit) {
    for (Deque<RowData> removals : waiting.values()) {
      for (RowData row : removals) {
        row.setRowKind(RowKind.DELETE);
        emit.accept(row);
      }
    }
    waiting.clear();
  }

  private RowData keyOf(RowData row) {
    GenericRowData out = new GenericRowData(key.length);
    for (int i = 0; i < key.length; i++) {
      out.setField(i, key[i].getFieldOrNull(row));
    }
    return out;
  }
}
