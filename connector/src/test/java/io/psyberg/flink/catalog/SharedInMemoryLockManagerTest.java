package io.psyberg.flink.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.util.LockManagers;
import org.apache.iceberg.util.LockManagers.BaseLockManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedInMemoryLockManagerTest {
  @TempDir Path dir;

  /**
   * A lock held for one catalog's commit survives another catalog of the JVM being closed. With
   * Iceberg's default, closing any Hadoop catalog cleared every in-memory lock and stopped the
   * heartbeat scheduler.
   */
  @Test
  void closingOneHadoopCatalogKeepsTheLocksOfOthers() throws Exception {
    String entity = "file:" + dir + "/db/t/metadata/v1.metadata.json";
    assertThat(LockManagers.defaultLockManager().acquire(entity, "committer-a")).isTrue();
    try {
      for (CatalogSpec spec :
          new CatalogSpec[] {
            CatalogSpec.embedded(dir.toString()),
            CatalogSpec.fromOptions(
                Map.of("warehouse", dir.toString()), Map.<String, String>of(), "test")
          }) {
        Catalog other = spec.open();
        ((AutoCloseable) other).close();
      }
      assertThat(LockManagers.defaultLockManager().release(entity, "committer-a"))
          .as("the lock is still held by committer-a")
          .isTrue();
    } finally {
      LockManagers.defaultLockManager().release(entity, "committer-a");
    }
  }

  @Test
  void hadoopCatalogsGetTheSharedLockManagerUnlessOneIsConfigured() {
    assertThat(CatalogSpec.embedded(dir.toString()).toFlinkCatalogOptions())
        .containsEntry("lock-impl", SharedInMemoryLockManager.class.getName());
    CatalogSpec custom =
        CatalogSpec.fromOptions(
            Map.of("warehouse", dir.toString(), "catalog.lock-impl", "com.example.Locks"),
            Map.<String, String>of(),
            "test");
    assertThat(custom.toFlinkCatalogOptions()).containsEntry("lock-impl", "com.example.Locks");
    assertThat(
            CatalogSpec.fromOptions(
                    Map.of("catalog-type", "rest", "uri", "http://localhost:1"),
                    Map.<String, String>of(),
                    "test")
                .toFlinkCatalogOptions())
        .doesNotContainKey("lock-impl");
  }

  /**
   * A commit that meets another one's lock tries again after {@link
   * SharedInMemoryLockManager#ACQUIRE_INTERVAL_MS}, not Iceberg's 5 s, unless the catalog sets it.
   */
  @Test
  void opensHadoopCatalogsWithAShortLockRetryIntervalUnlessOneIsSet() throws Exception {
    BaseLockManager shared = (BaseLockManager) LockManagers.defaultLockManager();
    try {
      ((AutoCloseable) CatalogSpec.embedded(dir.toString()).open()).close();
      assertThat(shared.acquireIntervalMs())
          .isEqualTo(SharedInMemoryLockManager.ACQUIRE_INTERVAL_MS);

      CatalogSpec configured =
          CatalogSpec.fromOptions(
              Map.of("warehouse", dir.toString(), "catalog.lock.acquire-interval-ms", "250"),
              Map.<String, String>of(),
              "test");
      ((AutoCloseable) configured.open()).close();
      assertThat(shared.acquireIntervalMs()).isEqualTo(250);
    } finally {
      new SharedInMemoryLockManager().initialize(Map.of());
    }
  }

  /** Two committers contending for one metadata file's lock: the second gets it once released. */
  @Test
  void aContendedLockIsTakenOnceItsHolderReleasesIt() throws Exception {
    SharedInMemoryLockManager locks = new SharedInMemoryLockManager();
    locks.initialize(Map.of());
    String entity = "file:" + dir + "/db/t/metadata/v2.metadata.json";
    assertThat(locks.acquire(entity, "committer-a")).isTrue();
    CompletableFuture<Boolean> second =
        CompletableFuture.supplyAsync(() -> locks.acquire(entity, "committer-b"));
    try {
      assertThat(second).isNotDone();
      assertThat(locks.release(entity, "committer-a")).isTrue();
      assertThat(second.get(1, TimeUnit.MINUTES)).isTrue();
      assertThat(locks.release(entity, "committer-b")).as("held by committer-b").isTrue();
    } finally {
      locks.release(entity, "committer-a");
      locks.release(entity, "committer-b");
    }
  }
}
