package io.psyberg.flink.planning;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.iceberg.BaseCombinedScanTask;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.flink.source.assigner.GetSplitResult;
import org.apache.iceberg.flink.source.assigner.SimpleSplitAssignerFactory;
import org.apache.iceberg.flink.source.assigner.SplitAssigner;
import org.apache.iceberg.flink.source.assigner.SplitAssignerFactory;
import org.apache.iceberg.flink.source.split.IcebergSourceSplit;
import org.apache.iceberg.flink.source.split.IcebergSourceSplitState;

/**
 * Reads a snapshot of a table without some of its data files: Iceberg's own split assignment, with
 * those files taken out of the planned splits before any is handed to a reader. (An Iceberg scan
 * cannot filter by file, and its planning may combine several files into one split.)
 */
final class WithoutFiles implements SplitAssignerFactory {
  private static final long serialVersionUID = 1L;

  private final Set<String> paths;

  WithoutFiles(Set<String> paths) {
    this.paths = paths;
  }

  @Override
  public SplitAssigner createAssigner() {
    return new Assigner(new SimpleSplitAssignerFactory().createAssigner(), paths);
  }

  @Override
  public SplitAssigner createAssigner(Collection<IcebergSourceSplitState> assignerState) {
    // Restored splits were filtered before they were first assigned.
    return new Assigner(new SimpleSplitAssignerFactory().createAssigner(assignerState), paths);
  }

  private static final class Assigner implements SplitAssigner {
    private final SplitAssigner delegate;
    private final Set<String> paths;

    Assigner(SplitAssigner delegate, Set<String> paths) {
      this.delegate = delegate;
      this.paths = paths;
    }

    private List<IcebergSourceSplit> without(Collection<IcebergSourceSplit> splits) {
      List<IcebergSourceSplit> out = new ArrayList<>();
      for (IcebergSourceSplit split : splits) {
        List<FileScanTask> kept = new ArrayList<>();
        for (FileScanTask task : split.task().files()) {
          if (!paths.contains(task.file().path().toString())) {
            kept.add(task);
          }
        }
        if (kept.size() == split.task().files().size()) {
          out.add(split);
        } else if (!kept.isEmpty()) {
          out.add(IcebergSourceSplit.fromCombinedScanTask(new BaseCombinedScanTask(kept)));
        }
      }
      return out;
    }

    @Override
    public void start() {
      delegate.start();
    }

    @Override
    public void close() {
      delegate.close();
    }

    @Override
    public GetSplitResult getNext(String hostname) {
      return delegate.getNext(hostname);
    }

    @Override
    public void onDiscoveredSplits(Collection<IcebergSourceSplit> splits) {
      delegate.onDiscoveredSplits(without(splits));
    }

    @Override
    public void onUnassignedSplits(Collection<IcebergSourceSplit> splits) {
      delegate.onUnassignedSplits(splits);
    }

    @Override
    public void onCompletedSplits(Collection<String> completedSplitIds) {
      delegate.onCompletedSplits(completedSplitIds);
    }

    @Override
    public Collection<IcebergSourceSplitState> state() {
      return delegate.state();
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
      return delegate.isAvailable();
    }

    @Override
    public int pendingSplitCount() {
      return delegate.pendingSplitCount();
    }

    @Override
    public long pendingRecords() {
      return delegate.pendingRecords();
    }
  }
}
