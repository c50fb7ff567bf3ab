package io.psyberg.flink.sink.commit;

import io.psyberg.flink.session.Session;
import java.io.Serializable;
import org.apache.flink.annotation.Internal;

/**
 * Called between the steps of a publish. The default does nothing; tests use it to inject failures
 * between stage and publish, and between publish and the metadata-table update; the benchmark uses
 * it to time the steps.
 */
@Internal
public interface PublishHook extends Serializable {
  PublishHook NONE = new PublishHook() {};

  default void afterStage(Session session, long stagedSnapshotId) {}

  default void afterPublish(Session session, long publishedSnapshotId) {}

  /** After the session row and the high-watermark mirror are updated: the publish is complete. */
  default void afterMetadata(Session session, long publishedSnapshotId) {}
}
