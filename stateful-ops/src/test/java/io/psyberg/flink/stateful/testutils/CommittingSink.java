package io.psyberg.flink.stateful.testutils;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.sink.RichSinkFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;

/**
 * A test sink with two-phase-commit semantics, like a transactional table sink: rows become visible
 * (in a static, JVM-wide list) only when the checkpoint that covers them completes; rows after the
 * last checkpoint are discarded on failure; commits are idempotent per (sink, subtask, checkpoint).
 */
public final class CommittingSink extends RichSinkFunction<RowData>
    implements CheckpointedFunction, CheckpointListener {

  private static final long serialVersionUID = 1L;
  private static final Map<String, List<RowData>> COMMITTED = new ConcurrentHashMap<>();
  private static final Set<String> COMMITTED_IDS = ConcurrentHashMap.newKeySet();

  private final String name;
  private final RowType rowType;
  private transient List<RowData> pending;
  private transient TreeMap<Long, List<RowData>> staged;
  private transient ListState<Tuple2<Long, RowData>> stagedState;

  public CommittingSink(String name, RowType rowType) {
    this.name = name;
    this.rowType = rowType;
  }

  /** Committed rows of the sink, in commit order. */
  public static List<RowData> committed(String name) {
    List<RowData> rows = COMMITTED.getOrDefault(name, List.of());
    synchronized (rows) {
      return new ArrayList<>(rows);
    }
  }

  public static void reset(String name) {
    COMMITTED.remove(name);
    COMMITTED_IDS.removeIf(id -> id.startsWith(name + "/"));
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    pending = new ArrayList<>();
    staged = new TreeMap<>();
    stagedState =
        context
            .getOperatorStateStore()
            .getListState(
                new ListStateDescriptor<>(
                    "staged", Types.TUPLE(Types.LONG, InternalTypeInfo.of(rowType))));
    for (Tuple2<Long, RowData> entry : stagedState.get()) {
      staged.computeIfAbsent(entry.f0, k -> new ArrayList<>()).add(entry.f1);
    }
    if (context.isRestored()) {
      // the checkpoint restored from is complete, so what it staged is committed (once)
      commitUpTo(Long.MAX_VALUE);
    }
  }

  @Override
  public void invoke(RowData value, Context context) {
    pending.add(value);
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    if (!pending.isEmpty()) {
      staged.computeIfAbsent(context.getCheckpointId(), k -> new ArrayList<>()).addAll(pending);
      pending = new ArrayList<>();
    }
    List<Tuple2<Long, RowData>> all = new ArrayList<>();
    staged.forEach((id, rows) -> rows.forEach(row -> all.add(Tuple2.of(id, row))));
    stagedState.update(all);
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    commitUpTo(checkpointId);
  }

  private void commitUpTo(long checkpointId) {
    List<RowData> target =
        COMMITTED.computeIfAbsent(name, k -> Collections.synchronizedList(new ArrayList<>()));
    Map<Long, List<RowData>> due = staged.headMap(checkpointId, true);
    for (Map.Entry<Long, List<RowData>> entry : due.entrySet()) {
      String id = name + "/" + getRuntimeContext().getIndexOfThisSubtask() + "/" + entry.getKey();
      if (COMMITTED_IDS.add(id)) {
        target.addAll(entry.getValue());
      }
    }
    new HashSet<>(due.keySet()).forEach(staged::remove);
  }
}
