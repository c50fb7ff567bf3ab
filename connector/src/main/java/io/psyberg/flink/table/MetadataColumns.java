package io.psyberg.flink.table;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/**
 * The metadata columns a psyberg SQL source exposes, and the projection from the source's fixed
 * layout (columns, then source_table, snapshot_id, session_id, snapshot_committed_at) to the
 * requested one.
 */
final class MetadataColumns {
  /** Key to (position in the source's metadata block, type). */
  static final Map<String, DataType> TYPES = new LinkedHashMap<>();

  static final List<String> ORDER =
      List.of("source-table", "snapshot-id", "session-id", "snapshot-committed-at");

  static {
    TYPES.put("source-table", DataTypes.STRING().notNull());
    TYPES.put("snapshot-id", DataTypes.BIGINT().notNull());
    TYPES.put("session-id", DataTypes.STRING().notNull());
    TYPES.put("snapshot-committed-at", DataTypes.TIMESTAMP_LTZ(3).notNull());
  }

  private MetadataColumns() {}

  /**
   * Maps the source's row (physical + all four metadata) to physical + the requested metadata keys.
   */
  static final class Projection implements MapFunction<RowData, RowData> {
    private static final long serialVersionUID = 1L;
    private final int[] from;
    private final RowData.FieldGetter[] getters;

    Projection(RowType sourceRow, int physicalCount, List<String> keys) {
      from = new int[physicalCount + keys.size()];
      for (int i = 0; i < physicalCount; i++) {
        from[i] = i;
      }
      for (int i = 0; i < keys.size(); i++) {
        from[physicalCount + i] = physicalCount + ORDER.indexOf(keys.get(i));
      }
      getters = new RowData.FieldGetter[from.length];
      for (int i = 0; i < from.length; i++) {
        LogicalType t = sourceRow.getTypeAt(from[i]);
        getters[i] = RowData.createFieldGetter(t, from[i]);
      }
    }

    @Override
    public RowData map(RowData in) {
      GenericRowData out = new GenericRowData(in.getRowKind(), getters.length);
      for (int i = 0; i < getters.length; i++) {
        out.setField(i, getters[i].getFieldOrNull(in));
      }
      return out;
    }
  }
}
