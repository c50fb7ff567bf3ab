package io.psyberg.flink.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.util.LockManagers;
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
}
