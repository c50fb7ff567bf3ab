package io.psyberg.flink.changes;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.testutils.Warehouse;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change table created by a concurrent capture after this capture found none: the capture goes on
 * with that table. Deterministic: the catalog answers the first existence check as it stood just
 * before the other capture's commit, so the create transaction finds the table. (Iceberg checks
 * twice when it starts that transaction; a table appearing between its two checks is refused with
 * an IllegalArgumentException, also handled, which only the racing captures of {@code
 * ChangeTablesITCase} can reach.)
 */
class ChangeTableCreateRaceTest {
  @TempDir Path dir;

  @Test
  void aChangeTableCreatedAfterTheExistenceCheckIsUsed() throws Exception {
    try (Warehouse wh = new Warehouse(dir)) {
      wh.createEventsTable("raw.events");
      wh.append(
          "raw.events", Warehouse.events("a", 3, java.time.LocalDateTime.of(2026, 1, 1, 0, 0)));
      Table source = wh.load("raw.events");
      TableIdentifier name = TableIdentifier.parse(ChangeTables.defaultName("raw.events", "p"));
      // The other capture: it created the change table already.
      Table theirs = ChangeTables.loadOrCreate(wh.catalog(), name, source, "raw.events", "p");

      AtomicBoolean checked = new AtomicBoolean();
      Catalog real = wh.catalog();
      Catalog late =
          (Catalog)
              Proxy.newProxyInstance(
                  getClass().getClassLoader(),
                  new Class<?>[] {Catalog.class, SupportsNamespaces.class},
                  (proxy, method, args) -> {
                    if (method.getName().equals("tableExists")
                        && name.equals(args[0])
                        && checked.compareAndSet(false, true)) {
                      return false; // checked just before the other capture committed
                    }
                    try {
                      return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                      throw e.getCause();
                    }
                  });

      Table ours = ChangeTables.loadOrCreate(late, name, source, "raw.events", "p");
      assertThat(checked).isTrue();
      assertThat(ours.uuid()).isEqualTo(theirs.uuid());
      assertThat(ours.currentSnapshot().snapshotId())
          .isEqualTo(theirs.currentSnapshot().snapshotId());
    }
  }
}
