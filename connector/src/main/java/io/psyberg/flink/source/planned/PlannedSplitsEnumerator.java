package io.psyberg.flink.source.planned;

import io.psyberg.flink.source.split.PsybergSplit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;

/** Hands out splits planned before the job started, one per request, then ends each reader. */
@Internal
final class PlannedSplitsEnumerator implements SplitEnumerator<PsybergSplit, PlannedSplits> {
  private final SplitEnumeratorContext<PsybergSplit> context;
  private final Deque<PsybergSplit> unassigned;

  PlannedSplitsEnumerator(SplitEnumeratorContext<PsybergSplit> context, PlannedSplits state) {
    this.context = context;
    this.unassigned = new ArrayDeque<>(state.splits());
  }

  @Override
  public void start() {}

  @Override
  public void handleSplitRequest(int subtaskId, @Nullable String requesterHostname) {
    PsybergSplit next = unassigned.poll();
    if (next == null) {
      context.signalNoMoreSplits(subtaskId);
    } else {
      context.assignSplit(next, subtaskId);
    }
  }

  @Override
  public void addSplitsBack(List<PsybergSplit> splits, int subtaskId) {
    for (int i = splits.size() - 1; i >= 0; i--) {
      unassigned.addFirst(splits.get(i));
    }
  }

  @Override
  public void addReader(int subtaskId) {}

  @Override
  public PlannedSplits snapshotState(long checkpointId) {
    return new PlannedSplits(new ArrayList<>(unassigned));
  }

  @Override
  public void close() {}
}
