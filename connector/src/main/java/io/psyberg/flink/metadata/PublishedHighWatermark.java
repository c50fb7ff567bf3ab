package io.psyberg.flink.metadata;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.ManageSnapshots;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * The high watermark of a process as published in a target table: the summary of the newest
 * snapshot on main that psyberg published for that process. This is the truth every run starts
 * from.
 */
@PublicEvolving
public final class PublishedHighWatermark {
  public static final String TAG_PREFIX = "psyberg-published-";

  private final long targetSnapshotId;
  private final List<String> sessionIds;
  private final Map<String, Long> positions;
  private final Map<String, SnapshotPoint> points;

  private PublishedHighWatermark(
      long targetSnapshotId,
      List<String> sessionIds,
      Map<String, Long> positions,
      Map<String, SnapshotPoint> points) {
    this.targetSnapshotId = targetSnapshotId;
    this.sessionIds = sessionIds;
    this.positions = positions;
    this.points = points;
  }

  /** Finds the newest publish of {@code processName} on the target's main branch. */
  public static Optional<PublishedHighWatermark> find(Table target, String processName) {
    for (Snapshot s : history(target, processName)) {
      PublishedHighWatermark hwm = fromSnapshot(s, processName);
      if (hwm != null) {
        return Optional.of(hwm);
      }
    }
    return Optional.empty();
  }

  /** Whether a session's data was already published to the target's main branch. */
  public static boolean isPublished(Table target, String processName, String sessionId) {
    return publishedSnapshotOf(target, processName, sessionId).isPresent();
  }

  /** The snapshot on main that published a session, if any. */
  public static Optional<Long> publishedSnapshotOf(
      Table target, String processName, String sessionId) {
    for (Snapshot s : history(target, processName)) {
      PublishedHighWatermark hwm = fromSnapshot(s, processName);
      if (hwm != null && hwm.sessionIds.contains(sessionId)) {
        return Optional.of(s.snapshotId());
      }
    }
    return Optional.empty();
  }

  /**
   * The tag on a target at the process's newest publish. Snapshot expiry keeps a tagged snapshot,
   * so the high watermark stays readable when a user's compaction and expiry of the target leave
   * none of the process's publishes among main's remaining snapshots.
   */
  public static String tagOf(String processName) {
    return TAG_PREFIX + processName;
  }

  /** Adds "move the process's tag to {@code published}" to a publish's ref changes. */
  public static void moveTag(
      Table target, ManageSnapshots publish, String processName, long published) {
    String tag = tagOf(processName);
    SnapshotRef ref = ((HasTableOperations) target).operations().current().ref(tag);
    if (ref == null) {
      publish.createTag(tag, published);
    } else if (ref.snapshotId() != published) {
      publish.replaceTag(tag, published);
    }
  }

  /**
   * Main's snapshots newest first; where expiry cut main's history short, it goes on from the
   * process's tag (when that is older than the cut), so replays and the HWM are still recognised.
   */
  private static List<Snapshot> history(Table target, String processName) {
    List<Snapshot> out = new ArrayList<>();
    SnapshotUtil.currentAncestors(target).forEach(out::add);
    Snapshot oldest = out.isEmpty() ? null : out.get(out.size() - 1);
    if (oldest == null || oldest.parentId() == null) {
      return out;
    }
    SnapshotRef tag = target.refs().get(tagOf(processName));
    Snapshot tagged = tag == null ? null : target.snapshot(tag.snapshotId());
    if (tagged != null && tagged.sequenceNumber() < oldest.sequenceNumber()) {
      SnapshotUtil.ancestorsOf(tagged.snapshotId(), target::snapshot).forEach(out::add);
    }
    return out;
  }

  @Nullable
  static PublishedHighWatermark fromSnapshot(Snapshot s, String processName) {
    Map<String, String> summary = s.summary();
    if (summary == null || !processName.equals(summary.get(SummaryKeys.PROCESS_NAME))) {
      return null;
    }
    Map<String, Long> positions = new LinkedHashMap<>();
    Map<String, SnapshotPoint> points = new LinkedHashMap<>();
    summary.forEach(
        (k, v) -> {
          if (k.startsWith(SummaryKeys.HWM_PREFIX)) {
            positions.put(
                k.substring(SummaryKeys.HWM_PREFIX.length()),
                SummaryKeys.NO_SNAPSHOT.equals(v) ? null : Long.parseLong(v));
          } else if (k.startsWith(SummaryKeys.HWM_POINT_PREFIX)) {
            SnapshotPoint point = SnapshotPoint.parse(v);
            if (point != null) {
              points.put(k.substring(SummaryKeys.HWM_POINT_PREFIX.length()), point);
            }
          }
        });
    // A point is kept only for the position it describes.
    points
        .entrySet()
        .removeIf(e -> !Objects.equals(positions.get(e.getKey()), e.getValue().snapshotId()));
    String ids = summary.getOrDefault(SummaryKeys.SESSION_IDS, "");
    return new PublishedHighWatermark(
        s.snapshotId(),
        ids.isEmpty() ? List.of() : Arrays.asList(ids.split(",")),
        positions,
        points);
  }

  public long targetSnapshotId() {
    return targetSnapshotId;
  }

  public List<String> sessionIds() {
    return sessionIds;
  }

  /** Source table to snapshot id (null where the table had no snapshot when published). */
  public Map<String, Long> positions() {
    return positions;
  }

  /**
   * Source table to the {@link SnapshotPoint} of its position, where recorded (publishes of earlier
   * versions did not).
   */
  public Map<String, SnapshotPoint> points() {
    return points;
  }

  public boolean covers(String sourceTable) {
    return positions.containsKey(sourceTable);
  }
}
