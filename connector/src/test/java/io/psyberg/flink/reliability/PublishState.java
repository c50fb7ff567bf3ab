package io.psyberg.flink.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.metadata.HighWatermarkMirror;
import io.psyberg.flink.metadata.PublishedHighWatermark;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.testutils.Pipelines;
import io.psyberg.flink.testutils.Warehouse;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * What a process has published to a target, captured before a bad run and compared after it: the
 * target's main snapshot and rows, the high watermark in its summary, the mirrored high watermark
 * and the PUBLISHED sessions. A failed run must leave all of them as they were.
 */
final class PublishState {
  final Long mainSnapshot;
  final List<String> rows;
  final Map<String, Long> publishedHwm;
  final Map<String, Long> mirroredHwm;
  final long publishedSessions;
  private final Warehouse wh;
  private final String process;
  private final String target;

  private PublishState(Warehouse wh, String process, String target) throws Exception {
    this.wh = wh;
    this.process = process;
    this.target = target;
    Table t = wh.load(target);
    Snapshot main = t.currentSnapshot();
    this.mainSnapshot = main == null ? null : main.snapshotId();
    this.rows = Pipelines.ids(t);
    this.publishedHwm = publishedHwm(t, process);
    this.mirroredHwm = mirrored(wh, process);
    this.publishedSessions = published(wh, process);
  }

  static PublishState capture(Warehouse wh, String process, String target) throws Exception {
    return new PublishState(wh, process, target);
  }

  /** Nothing reached main, no high watermark moved, no session was marked PUBLISHED. */
  void assertUnchanged() throws Exception {
    PublishState now = new PublishState(wh, process, target);
    assertThat(now.mainSnapshot).as("main snapshot of " + target).isEqualTo(mainSnapshot);
    assertThat(now.rows).as("rows of " + target).containsExactlyInAnyOrderElementsOf(rows);
    assertThat(now.publishedHwm)
        .as("published high watermark of " + process)
        .isEqualTo(publishedHwm);
    assertThat(now.mirroredHwm).as("mirrored high watermark of " + process).isEqualTo(mirroredHwm);
    assertThat(now.publishedSessions)
        .as("PUBLISHED sessions of " + process)
        .isEqualTo(publishedSessions);
  }

  static Map<String, Long> publishedHwm(Table t, String process) {
    t.refresh();
    return PublishedHighWatermark.find(t, process)
        .map(p -> new TreeMap<>(p.positions()))
        .orElse(new TreeMap<>());
  }

  static Map<String, Long> mirrored(Warehouse wh, String process) {
    Map<String, Long> out = new TreeMap<>();
    new HighWatermarkMirror(wh.catalog(), "psyberg")
        .read(process)
        .forEach((k, v) -> out.put(k, v.snapshotId));
    return out;
  }

  static long published(Warehouse wh, String process) {
    List<Session> sessions = new SessionLog(wh.catalog(), "psyberg").sessions(process);
    return sessions.stream().filter(s -> s.status() == SessionStatus.PUBLISHED).count();
  }
}
