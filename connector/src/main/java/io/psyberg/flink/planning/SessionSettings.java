package io.psyberg.flink.planning;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * What a process reads and how it plans its sessions; shared by the source's planner and its
 * enumerator.
 */
public final class SessionSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String processName;
  private final List<String> sourceTables;
  private final boolean continuous;
  private final String processing;
  private final StartFrom startFrom;
  private final NonAppendSnapshots nonAppendSnapshots;
  private final OnLostHighWatermark onLostHighWatermark;
  private final int maxSnapshotsPerSession;
  @Nullable private final String changeRangeColumn;
  private final List<String> targetTables;
  private final Map<String, Long> endPositions;

  public SessionSettings(
      String processName,
      List<String> sourceTables,
      boolean continuous,
      String processing,
      StartFrom startFrom,
      NonAppendSnapshots nonAppendSnapshots,
      OnLostHighWatermark onLostHighWatermark,
      int maxSnapshotsPerSession,
      @Nullable String changeRangeColumn,
      List<String> targetTables) {
    this(
        processName,
        sourceTables,
        continuous,
        processing,
        startFrom,
        nonAppendSnapshots,
        onLostHighWatermark,
        maxSnapshotsPerSession,
        changeRangeColumn,
        targetTables,
        Map.of());
  }

  public SessionSettings(
      String processName,
      List<String> sourceTables,
      boolean continuous,
      String processing,
      StartFrom startFrom,
      NonAppendSnapshots nonAppendSnapshots,
      OnLostHighWatermark onLostHighWatermark,
      int maxSnapshotsPerSession,
      @Nullable String changeRangeColumn,
      List<String> targetTables,
      Map<String, Long> endPositions) {
    this.endPositions = new LinkedHashMap<>(endPositions);
    this.processName = Objects.requireNonNull(processName);
    this.sourceTables = List.copyOf(sourceTables);
    this.continuous = continuous;
    this.processing = processing;
    this.startFrom = Objects.requireNonNull(startFrom);
    this.nonAppendSnapshots = Objects.requireNonNull(nonAppendSnapshots);
    this.onLostHighWatermark = Objects.requireNonNull(onLostHighWatermark);
    this.maxSnapshotsPerSession = maxSnapshotsPerSession;
    this.changeRangeColumn = changeRangeColumn;
    this.targetTables = List.copyOf(targetTables);
  }

  public String processName() {
    return processName;
  }

  public List<String> sourceTables() {
    return sourceTables;
  }

  public boolean continuous() {
    return continuous;
  }

  public String mode() {
    return continuous ? "continuous" : "bounded";
  }

  public String processing() {
    return processing;
  }

  public StartFrom startFrom() {
    return startFrom;
  }

  public NonAppendSnapshots nonAppendSnapshots() {
    return nonAppendSnapshots;
  }

  public OnLostHighWatermark onLostHighWatermark() {
    return onLostHighWatermark;
  }

  /** At most this many new snapshots per source table in one session; 0 means no cap. */
  public int maxSnapshotsPerSession() {
    return maxSnapshotsPerSession;
  }

  @Nullable
  public String changeRangeColumn() {
    return changeRangeColumn;
  }

  /**
   * Bounded mode: plan no further than these snapshots (source table to snapshot id), so a job can
   * plan a session up front (e.g. to size a lookback) and read exactly that session.
   */
  public Map<String, Long> endPositions() {
    return endPositions;
  }

  /**
   * Target tables named explicitly, where the process's published high watermark is looked up
   * first.
   */
  public List<String> targetTables() {
    return targetTables;
  }
}
