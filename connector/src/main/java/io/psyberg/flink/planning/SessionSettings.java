package io.psyberg.flink.planning;

import io.psyberg.flink.session.Processing;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * What a process reads and how it plans its sessions; shared by the source's planner and its
 * enumerator. Users set these through {@code PsybergSource.builder()}; build one with {@link
 * #builder(String)}.
 */
@Internal
public final class SessionSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String processName;
  private final List<String> sourceTables;
  private final boolean continuous;
  private final Processing processing;
  private final StartFrom startFrom;
  private final NonAppendSnapshots nonAppendSnapshots;
  private final OnLostHighWatermark onLostHighWatermark;
  private final int maxSnapshotsPerSession;
  @Nullable private final String changeRangeColumn;
  private final List<String> targetTables;
  private final Map<String, Long> endPositions;
  private final List<String> changelogKey;

  private SessionSettings(Builder b) {
    this.processName = Objects.requireNonNull(b.processName, "processName");
    this.sourceTables = List.copyOf(b.sourceTables);
    this.continuous = b.continuous;
    this.processing = Objects.requireNonNull(b.processing, "processing");
    this.startFrom = Objects.requireNonNull(b.startFrom, "startFrom");
    this.nonAppendSnapshots = Objects.requireNonNull(b.nonAppendSnapshots, "nonAppendSnapshots");
    this.onLostHighWatermark = Objects.requireNonNull(b.onLostHighWatermark, "onLostHighWatermark");
    this.maxSnapshotsPerSession = b.maxSnapshotsPerSession;
    this.changeRangeColumn = b.changeRangeColumn;
    this.targetTables = List.copyOf(b.targetTables);
    this.endPositions = new LinkedHashMap<>(b.endPositions);
    this.changelogKey = List.copyOf(b.changelogKey);
  }

  /** Settings of a bounded, stateless process reading from the earliest snapshot by default. */
  public static Builder builder(String processName) {
    return new Builder(processName);
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

  public Processing processing() {
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

  /** Changelog reads: key columns given by option 'changelog-key'; empty when not set. */
  public List<String> changelogKey() {
    return changelogKey;
  }

  /** Builds {@link SessionSettings}; every setting but the process name has a default. */
  public static final class Builder {
    private final String processName;
    private final List<String> sourceTables = new ArrayList<>();
    private boolean continuous;
    private Processing processing = Processing.STATELESS;
    private StartFrom startFrom = StartFrom.EARLIEST;
    private NonAppendSnapshots nonAppendSnapshots = NonAppendSnapshots.FAIL;
    private OnLostHighWatermark onLostHighWatermark = OnLostHighWatermark.FAIL;
    private int maxSnapshotsPerSession;
    @Nullable private String changeRangeColumn;
    private final List<String> targetTables = new ArrayList<>();
    private final Map<String, Long> endPositions = new LinkedHashMap<>();
    private final List<String> changelogKey = new ArrayList<>();

    private Builder(String processName) {
      this.processName = processName;
    }

    public Builder sourceTables(List<String> tables) {
      this.sourceTables.addAll(tables);
      return this;
    }

    public Builder continuous(boolean continuous) {
      this.continuous = continuous;
      return this;
    }

    public Builder processing(Processing processing) {
      this.processing = processing;
      return this;
    }

    public Builder startFrom(StartFrom startFrom) {
      this.startFrom = startFrom;
      return this;
    }

    public Builder nonAppendSnapshots(NonAppendSnapshots policy) {
      this.nonAppendSnapshots = policy;
      return this;
    }

    public Builder onLostHighWatermark(OnLostHighWatermark policy) {
      this.onLostHighWatermark = policy;
      return this;
    }

    /** 0 (the default) means no cap. */
    public Builder maxSnapshotsPerSession(int max) {
      this.maxSnapshotsPerSession = max;
      return this;
    }

    public Builder changeRangeColumn(@Nullable String column) {
      this.changeRangeColumn = column;
      return this;
    }

    public Builder targetTables(List<String> tables) {
      this.targetTables.addAll(tables);
      return this;
    }

    public Builder endPositions(Map<String, Long> positions) {
      this.endPositions.putAll(positions);
      return this;
    }

    public Builder changelogKey(List<String> columns) {
      this.changelogKey.addAll(columns);
      return this;
    }

    public SessionSettings build() {
      return new SessionSettings(this);
    }
  }
}
