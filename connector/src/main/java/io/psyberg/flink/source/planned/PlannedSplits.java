package io.psyberg.flink.source.planned;

import io.psyberg.flink.source.split.PsybergSplit;
import java.util.List;
import org.apache.flink.annotation.Internal;

/** The splits of a {@link PlannedFilesSource} not yet assigned: its enumerator's checkpoint. */
@Internal
public final class PlannedSplits {
  private final List<PsybergSplit> splits;

  public PlannedSplits(List<PsybergSplit> splits) {
    this.splits = List.copyOf(splits);
  }

  public List<PsybergSplit> splits() {
    return splits;
  }
}
