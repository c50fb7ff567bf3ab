package io.psyberg.flink.catalog;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.LockManager;
import org.apache.iceberg.util.LockManagers;

/**
 * The lock manager of the Hadoop catalogs psyberg opens: Iceberg's JVM-wide in-memory lock manager,
 * minus its {@code close()}. Iceberg's default lock manager is one static instance shared by every
 * Hadoop catalog of the JVM, and closing any such catalog closes it: all locks of the JVM are
 * dropped and its heartbeat scheduler is shut down. A job closes catalogs while others commit (a
 * reader finishing while a committer publishes), which made commits fail with {@code
 * RejectedExecutionException} and let two commits to one table run without mutual exclusion. Locks
 * here are taken and released on that same shared manager, so catalogs opened otherwise still
 * exclude each other; closing a catalog leaves it running.
 *
 * <p>Lock settings ({@code lock.acquire-timeout-ms} etc.) are taken from the catalog's properties
 * and apply to the shared manager, so to every Hadoop catalog of the JVM; {@code
 * lock.acquire-interval-ms} defaults to {@link #ACQUIRE_INTERVAL_MS}.
 */
@Internal
public final class SharedInMemoryLockManager implements LockManager {
  /** The catalog property Iceberg reads the lock manager class from. */
  public static final String LOCK_IMPL = "lock-impl";

  /**
   * How long a commit waits before trying again for a lock another commit holds. A commit holds its
   * lock for the rename of one metadata file, milliseconds; with Iceberg's default (5 s) two
   * committers of one job that wrote a metadata table at the same moment left one of them, and the
   * job, waiting five seconds.
   */
  public static final long ACQUIRE_INTERVAL_MS = 10;

  @Override
  public boolean acquire(String entityId, String ownerId) {
    return LockManagers.defaultLockManager().acquire(entityId, ownerId);
  }

  @Override
  public boolean release(String entityId, String ownerId) {
    return LockManagers.defaultLockManager().release(entityId, ownerId);
  }

  @Override
  public void initialize(Map<String, String> properties) {
    Map<String, String> settings = new HashMap<>(properties);
    settings.putIfAbsent(
        CatalogProperties.LOCK_ACQUIRE_INTERVAL_MS, Long.toString(ACQUIRE_INTERVAL_MS));
    // Sets the shared manager's timings only (Iceberg's lock managers keep no other state there).
    LockManagers.defaultLockManager().initialize(settings);
  }

  @Override
  public void close() {
    // other catalogs of this JVM may hold locks or be committing: the shared manager stays open
  }
}
