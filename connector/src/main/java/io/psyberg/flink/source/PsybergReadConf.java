package io.psyberg.flink.source;

import io.psyberg.flink.config.OptionReader;
import io.psyberg.flink.planning.NonAppendSnapshots;
import io.psyberg.flink.planning.OnLostHighWatermark;
import io.psyberg.flink.planning.SessionSettings;
import io.psyberg.flink.planning.StartFrom;
import io.psyberg.flink.session.Processing;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.Configuration;

/**
 * The source options of one process, each parsed and range-checked once (as Iceberg's {@code
 * FlinkReadConf} resolves its builder's options): the builder and the SQL connector read settings
 * only from here, so both report a bad value the same way.
 */
@Internal
public final class PsybergReadConf {
  private final List<String> tables;
  private final PsybergSourceOptions.Mode mode;
  private final Duration monitorInterval;
  private final StartFrom startFrom;
  private final NonAppendSnapshots nonAppendSnapshots;
  private final OnLostHighWatermark onLostHighWatermark;
  private final int maxSnapshotsPerSession;
  @Nullable private final String changeRangeColumn;
  private final Processing processing;
  private final List<String> targetTables;
  private final long splitSize;
  private final List<String> changelogKey;

  private PsybergReadConf(OptionReader options) {
    String ctx = options.context();
    this.tables = csv(options.get(PsybergSourceOptions.TABLE));
    this.mode = options.get(PsybergSourceOptions.MODE, PsybergSourceOptions.Mode.class);
    this.monitorInterval = options.get(PsybergSourceOptions.MONITOR_INTERVAL);
    if (monitorInterval.isNegative() || monitorInterval.isZero()) {
      throw new IllegalArgumentException(
          ctx + ": option 'monitor-interval' must be positive, got " + monitorInterval);
    }
    String start = options.get(PsybergSourceOptions.START_FROM);
    try {
      this.startFrom = StartFrom.parse(start);
    } catch (IllegalArgumentException e) {
      throw OptionReader.invalidValue(
          ctx, PsybergSourceOptions.START_FROM.key(), start, StartFrom.VALID_VALUES);
    }
    this.nonAppendSnapshots =
        options.get(PsybergSourceOptions.NON_APPEND_SNAPSHOTS, NonAppendSnapshots.class);
    this.onLostHighWatermark =
        options.get(PsybergSourceOptions.ON_LOST_HWM, OnLostHighWatermark.class);
    this.maxSnapshotsPerSession = options.get(PsybergSourceOptions.MAX_SNAPSHOTS_PER_SESSION);
    if (maxSnapshotsPerSession < 0) {
      throw new IllegalArgumentException(
          ctx
              + ": option 'max-snapshots-per-session' must be 0 (no cap) or positive, got "
              + maxSnapshotsPerSession);
    }
    this.changeRangeColumn = options.get(PsybergSourceOptions.CHANGE_RANGE_COLUMN);
    this.changelogKey = csv(options.get(PsybergSourceOptions.CHANGELOG_KEY));
    if (!changelogKey.isEmpty() && nonAppendSnapshots != NonAppendSnapshots.CHANGELOG) {
      throw new IllegalArgumentException(
          ctx
              + ": option 'changelog-key' applies to changes only; set 'non-append-snapshots' ="
              + " 'changelog' or remove 'changelog-key'.");
    }
    this.processing = options.get(PsybergSourceOptions.PROCESSING, Processing.class);
    this.targetTables = csv(options.get(PsybergSourceOptions.TARGET_TABLE));
    this.splitSize = options.get(PsybergSourceOptions.SPLIT_SIZE);
    if (splitSize <= 0) {
      throw new IllegalArgumentException(
          ctx + ": option 'split-size' must be positive, got " + splitSize);
    }
  }

  /**
   * Resolves the source options in {@code config}; other keys are ignored.
   *
   * @param context names the process or table the options belong to, for error messages
   * @throws IllegalArgumentException naming the option, the bad value and what is valid
   */
  public static PsybergReadConf resolve(Configuration config, String context) {
    return new PsybergReadConf(new OptionReader(config, context));
  }

  /** Comma-separated names, trimmed, empty ones left out. */
  static List<String> csv(@Nullable String value) {
    if (value == null) {
      return List.of();
    }
    return Arrays.stream(value.split(","))
        .map(String::trim)
        .filter(name -> !name.isEmpty())
        .collect(Collectors.toList());
  }

  /** Source tables as given, in order. */
  public List<String> tables() {
    return tables;
  }

  public PsybergSourceOptions.Mode mode() {
    return mode;
  }

  public Duration monitorInterval() {
    return monitorInterval;
  }

  /**
   * Session settings with these options, for a process reading {@code sourceTables} (normalized by
   * the caller).
   */
  public SessionSettings.Builder sessionSettings(String processName, List<String> sourceTables) {
    return SessionSettings.builder(processName)
        .sourceTables(sourceTables)
        .continuous(mode == PsybergSourceOptions.Mode.CONTINUOUS)
        .processing(processing)
        .startFrom(startFrom)
        .nonAppendSnapshots(nonAppendSnapshots)
        .onLostHighWatermark(onLostHighWatermark)
        .maxSnapshotsPerSession(maxSnapshotsPerSession)
        .changeRangeColumn(changeRangeColumn)
        .targetTables(targetTables)
        .changelogKey(changelogKey);
  }

  /** Whether the source reads every snapshot as changes ('non-append-snapshots' = changelog). */
  public boolean changelog() {
    return nonAppendSnapshots == NonAppendSnapshots.CHANGELOG;
  }

  /** Key columns of a changelog read as given ('changelog-key'); empty when not set. */
  public List<String> changelogKey() {
    return changelogKey;
  }

  public long splitSize() {
    return splitSize;
  }
}
