package io.psyberg.flink.source.enumerator;

import io.psyberg.flink.source.split.PsybergSplit;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * Checkpointed enumerator state: where planning stands per source table, splits not yet assigned,
 * and the session in flight (its unfinished splits and, once fully read, the checkpoint its rows
 * end in).
 */
@Internal
public final class PsybergEnumeratorState {
  /** Position after the last planned session; null until first resolved from the high watermark. */
  @Nullable private final Map<String, Long> positions;

  private final List<PsybergSplit> unassigned;
  @Nullable private final String inFlightSessionId;
  private final Set<String> unfinishedSplitIds;

  /**
   * Rows of the in-flight session all precede this checkpoint's barrier; -1 while still reading.
   */
  private final long readThroughCheckpoint;

  /** Bounded mode: the one session was planned. */
  private final boolean planned;

  /** The checkpoint this state was taken for; -1 for a fresh start. */
  private final long checkpointId;

  public PsybergEnumeratorState(
      @Nullable Map<String, Long> positions,
      List<PsybergSplit> unassigned,
      @Nullable String inFlightSessionId,
      Set<String> unfinishedSplitIds,
      long readThroughCheckpoint,
      boolean planned,
      long checkpointId) {
    this.checkpointId = checkpointId;
    this.positions = positions == null ? null : new LinkedHashMap<>(positions);
    this.unassigned = List.copyOf(unassigned);
    this.inFlightSessionId = inFlightSessionId;
    this.unfinishedSplitIds = new LinkedHashSet<>(unfinishedSplitIds);
    this.readThroughCheckpoint = readThroughCheckpoint;
    this.planned = planned;
  }

  public static PsybergEnumeratorState initial() {
    return new PsybergEnumeratorState(null, List.of(), null, Set.of(), -1L, false, -1L);
  }

  @Nullable
  public Map<String, Long> positions() {
    return positions;
  }

  public List<PsybergSplit> unassigned() {
    return unassigned;
  }

  @Nullable
  public String inFlightSessionId() {
    return inFlightSessionId;
  }

  public Set<String> unfinishedSplitIds() {
    return unfinishedSplitIds;
  }

  public long readThroughCheckpoint() {
    return readThroughCheckpoint;
  }

  public boolean planned() {
    return planned;
  }

  public long checkpointId() {
    return checkpointId;
  }
}
