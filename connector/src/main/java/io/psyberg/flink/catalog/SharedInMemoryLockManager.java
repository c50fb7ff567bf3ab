package io.psyberg.flink.catalog;

import java.util.Map;
import org.apache.flink.annotation.Internal;
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
 * <p>Lock settings ({@code lock.acquire-timeout-ms} etc.) are those of Iceberg's default manager.
 */
@Internal
public final class SharedInMemoryLockManager implements LockManager {
  /** The catalog property Iceberg reads the lock manager class from. */
  public static final String LOCK_IMPL = "lock-impl";

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
    // the shared manager is initialized once, by Iceberg
  }

  @Override
  public void close() {
    // other catalogs of this JVM may hold locks or be committing: the shared manager stays open
  }
}
