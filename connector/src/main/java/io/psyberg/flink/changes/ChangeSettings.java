package io.psyberg.flink.changes;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.metadata.HighWatermarkMirror;
import io.psyberg.flink.planning.HighWatermarkResolver;
import io.psyberg.flink.planning.NonAppendSnapshots;
import io.psyberg.flink.planning.SessionPlan;
import io.psyberg.flink.planning.SessionPlanner;
import io.psyberg.flink.planning.SessionSettings;
import io.psyberg.flink.planning.StartFrom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.iceberg.catalog.Catalog;

/**
 * Which process and source table a capture or a pending check plans for, and how: the same planner,
 * catch-up cap ({@code max-snapshots-per-session}) and non-append policy as {@code PsybergSource},
 * so a change table holds exactly what a Flink source would read as the process's next session.
 */
@PublicEvolving
public final class ChangeSettings {
  private final CatalogSpec catalog;
  private final String processName;
  private final String sourceTable;
  @Nullable private final String changeRangeColumn;
  private final int maxSnapshotsPerSession;
  private final NonAppendSnapshots nonAppendSnapshots;
  private final StartFrom startFrom;
  private final List<String> targetTables;

  private ChangeSettings(Builder b) {
    this.catalog = Objects.requireNonNull(b.catalog, "catalog");
    this.processName = requireText(b.processName, "process name");
    this.sourceTable = requireText(b.sourceTable, "source table");
    if (b.maxSnapshotsPerSession < 0) {
      throw new IllegalArgumentException(
          "Process "
              + processName
              + ": max-snapshots-per-session must be 0 (no cap) or more, not "
              + b.maxSnapshotsPerSession);
    }
    this.changeRangeColumn = b.changeRangeColumn;
    this.maxSnapshotsPerSession = b.maxSnapshotsPerSession;
    if (b.nonAppendSnapshots == NonAppendSnapshots.CHANGELOG) {
      // A change table references the session's new data files; removed rows have no file of
      // their own to reference.
      throw new IllegalArgumentException(
          "Process "
              + processName
              + ": a change table holds the new rows of a session; non-append-snapshots ="
              + " changelog is for sources read by a job. Use fail or skip here.");
    }
    this.nonAppendSnapshots = b.nonAppendSnapshots;
    this.startFrom = b.startFrom;
    this.targetTables = List.copyOf(b.targetTables);
  }

  private static String requireText(@Nullable String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("A " + what + " is required.");
    }
    return value;
  }

  public static Builder builder() {
    return new Builder();
  }

  public CatalogSpec catalog() {
    return catalog;
  }

  public String processName() {
    return processName;
  }

  public String sourceTable() {
    return sourceTable;
  }

  @Nullable
  public String changeRangeColumn() {
    return changeRangeColumn;
  }

  /** The planner's settings for this process and source table. */
  @Internal
  public SessionSettings sessionSettings() {
    return SessionSettings.builder(processName)
        .sourceTables(List.of(sourceTable))
        .changeRangeColumn(changeRangeColumn)
        .maxSnapshotsPerSession(maxSnapshotsPerSession)
        .nonAppendSnapshots(nonAppendSnapshots)
        .startFrom(startFrom)
        .targetTables(targetTables)
        .build();
  }

  /** Where the process stands on its source table: table to HWM snapshot (absent: none yet). */
  @Internal
  public Map<String, Long> positions(Catalog c) {
    return HighWatermarkResolver.resolve(
        c, new HighWatermarkMirror(c, catalog.metadataNamespace()), sessionSettings());
  }

  /** Plans the session after {@code positions}, from metadata only. */
  @Internal
  public SessionPlan plan(Catalog c, String sessionId, Map<String, Long> positions) {
    return new SessionPlanner(c, sessionSettings()).plan(sessionId, null, positions);
  }

  /** Builds {@link ChangeSettings}; catalog, process name and source table are required. */
  @PublicEvolving
  public static final class Builder {
    private CatalogSpec catalog;
    private String processName;
    private String sourceTable;
    @Nullable private String changeRangeColumn;
    private int maxSnapshotsPerSession;
    private NonAppendSnapshots nonAppendSnapshots = NonAppendSnapshots.FAIL;
    private StartFrom startFrom = StartFrom.EARLIEST;
    private final List<String> targetTables = new ArrayList<>();

    private Builder() {}

    public Builder catalog(CatalogSpec catalog) {
      this.catalog = catalog;
      return this;
    }

    public Builder processName(String processName) {
      this.processName = processName;
      return this;
    }

    /** The source table as {@code namespace.table}. */
    public Builder sourceTable(String sourceTable) {
      this.sourceTable = sourceTable;
      return this;
    }

    /** Column whose min/max over the session's new rows is its change range (file metrics). */
    public Builder changeRangeColumn(@Nullable String column) {
      this.changeRangeColumn = column;
      return this;
    }

    /** Catch-up threshold: at most this many new snapshots in one session (0: no cap). */
    public Builder maxSnapshotsPerSession(int max) {
      this.maxSnapshotsPerSession = max;
      return this;
    }

    public Builder nonAppendSnapshots(NonAppendSnapshots policy) {
      this.nonAppendSnapshots = Objects.requireNonNull(policy);
      return this;
    }

    /** Where a process with no high watermark starts (default: earliest). */
    public Builder startFrom(StartFrom startFrom) {
      this.startFrom = Objects.requireNonNull(startFrom);
      return this;
    }

    /**
     * A target the process publishes to, where its high watermark is looked up first (without it,
     * the target is found through {@code high_watermarks}).
     */
    public Builder targetTable(String target) {
      this.targetTables.add(target);
      return this;
    }

    public ChangeSettings build() {
      return new ChangeSettings(this);
    }
  }
}
