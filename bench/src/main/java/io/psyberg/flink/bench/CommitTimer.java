package io.psyberg.flink.bench;

import io.psyberg.flink.session.Session;
import io.psyberg.flink.sink.commit.PublishHook;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Times the steps of a psyberg publish from inside the committer: the session's start (taken by the
 * committer when all writers have finished), after staging, after audits and the publish to main,
 * and after the metadata tables are updated. The committer runs in this JVM (local MiniCluster), so
 * the times go to a static map, by process name.
 *
 * <p>It times internal steps on purpose: {@code PublishHook} and {@code PsybergSinkHooks} are
 * {@code @Internal} seams, used in bench only here.
 */
final class CommitTimer implements PublishHook {
  private static final long serialVersionUID = 1L;
  private static final Map<String, Steps> STEPS = new ConcurrentHashMap<>();

  /** When each step of one publish ended. */
  static final class Steps {
    volatile Instant started;
    volatile Instant staged;
    volatile Instant published;
    volatile Instant done;

    double stageMillis() {
      return millis(started, staged);
    }

    double auditAndPublishMillis() {
      return millis(staged, published);
    }

    double metadataMillis() {
      return millis(published, done);
    }

    double totalMillis() {
      return millis(started, done);
    }

    boolean complete() {
      return started != null && staged != null && published != null && done != null;
    }

    private static double millis(Instant a, Instant b) {
      return (b.getEpochSecond() - a.getEpochSecond()) * 1e3 + (b.getNano() - a.getNano()) / 1e6;
    }
  }

  static Steps of(String processName) {
    return STEPS.computeIfAbsent(processName, k -> new Steps());
  }

  @Override
  public void afterStage(Session session, long stagedSnapshotId) {
    Steps s = of(session.processName());
    s.started = session.startedAt();
    s.staged = Instant.now();
  }

  @Override
  public void afterPublish(Session session, long publishedSnapshotId) {
    of(session.processName()).published = Instant.now();
  }

  @Override
  public void afterMetadata(Session session, long publishedSnapshotId) {
    of(session.processName()).done = Instant.now();
  }
}
