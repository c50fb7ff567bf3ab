package io.psyberg.flink.catalog;

import java.util.concurrent.ExecutorService;
import org.apache.flink.annotation.Internal;
import org.apache.flink.util.concurrent.Executors;

/**
 * Runs Iceberg's manifest work on the calling thread. Iceberg hands a commit's manifest writing and
 * merging to its shared worker pool and then polls the results every 10 ms, so a commit that
 * touches a few small manifests waits 10–40 ms for work that takes 1 ms. Psyberg's commits (a
 * session's staging, a metadata-table row) touch a handful of manifests: given this executor with
 * {@code scanManifestsWith}, they do that work inline and never wait.
 */
@Internal
public final class SameThreadExecutor {
  private static final ExecutorService INSTANCE = Executors.newDirectExecutorService();

  private SameThreadExecutor() {}

  /** The executor; shared, never shut down. */
  public static ExecutorService get() {
    return INSTANCE;
  }
}
