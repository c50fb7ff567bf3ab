package io.psyberg.flink.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.metadata.HighWatermarkMirror;
import io.psyberg.flink.metadata.PublishedHighWatermark;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.metadata.SummaryKeys;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * Exactly-once bookkeeping of a process, read from the tables: which sessions each target published
 * on main (none twice), where its high watermark stands, and whether {@code psyberg.sessions} and
 * {@code psyberg.high_watermarks} agree with what was published.
 */
public final class PublishChecks {
  private final Catalog catalog;
  private final String process;

  public PublishChecks(Catalog catalog, String process) {
    this.catalog = catalog;
    this.process = process;
  }

  /**
   * The published high watermark of a source in a target, or null when nothing was published yet.
   */
  @Nullable
  public Long highWatermark(String target, String source) {
    return PublishedHighWatermark.find(table(target), process)
        .map(h -> h.positions().get(source))
        .orElse(null);
  }

  /**
   * Session id to the snapshot on main that published it; fails if a session was published twice.
   */
  public Map<String, Long> publishedSessions(String target) {
    Map<String, Long> published = new HashMap<>();
    List<String> twice = new ArrayList<>();
    for (Snapshot s : SnapshotUtil.currentAncestors(table(target))) {
      Map<String, String> summary = s.summary();
      if (summary == null || !process.equals(summary.get(SummaryKeys.PROCESS_NAME))) {
        continue;
      }
      for (String id : summary.getOrDefault(SummaryKeys.SESSION_IDS, "").split(",")) {
        if (!id.isEmpty() && published.put(id, s.snapshotId()) != null) {
          twice.add(id);
        }
      }
    }
    assertThat(twice).as("sessions of %s published twice to %s", process, target).isEmpty();
    return published;
  }

  /** Checks every target's publishes and that the session log and the mirror agree with them. */
  public void assertConsistent(List<String> targets, List<String> sources) {
    Map<String, List<Long>> publishedIn = new HashMap<>();
    for (String target : targets) {
      publishedSessions(target)
          .forEach((id, snap) -> publishedIn.computeIfAbsent(id, k -> new ArrayList<>()).add(snap));
    }
    SessionLog log = new SessionLog(catalog, "psyberg");
    for (Map.Entry<String, List<Long>> e : publishedIn.entrySet()) {
      Optional<Session> s = log.find(e.getKey());
      assertThat(s).as("session log row of published session %s", e.getKey()).isPresent();
      assertThat(s.get().status())
          .as("status of published session %s", e.getKey())
          .isEqualTo(SessionStatus.PUBLISHED);
      assertThat(e.getValue())
          .as("published snapshot of session %s", e.getKey())
          .contains(s.get().publishedSnapshotId());
    }
    for (Session s : log.sessions(process)) {
      if (s.status() == SessionStatus.PUBLISHED) {
        assertThat(publishedIn)
            .as("session %s is PUBLISHED in the log but on no target's main", s.sessionId())
            .containsKey(s.sessionId());
      }
    }
    Map<String, HighWatermarkMirror.Entry> mirror =
        new HighWatermarkMirror(catalog, "psyberg").read(process);
    for (String source : sources) {
      List<Long> positions = new ArrayList<>();
      targets.forEach(t -> positions.add(highWatermark(t, source)));
      assertThat(mirror).as("mirrored high watermark of %s", source).containsKey(source);
      assertThat(positions)
          .as("published high watermarks of %s", source)
          .contains(mirror.get(source).snapshotId);
    }
  }

  /** The high watermark of every target stands at the source's current snapshot. */
  public void assertAtHead(List<String> targets, String source) {
    long head = table(source).currentSnapshot().snapshotId();
    for (String target : targets) {
      assertThat(highWatermark(target, source))
          .as("high watermark of %s in %s", source, target)
          .isEqualTo(head);
    }
  }

  private Table table(String name) {
    Table t = catalog.loadTable(TableIdentifier.parse(name));
    t.refresh();
    return t;
  }
}
