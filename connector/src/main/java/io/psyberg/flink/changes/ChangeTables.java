package io.psyberg.flink.changes;

import io.psyberg.flink.PsybergException;
import java.util.Map;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.CommitFailedException;

/**
 * Change tables: Iceberg tables with a source table's schema whose current snapshot references a
 * captured session's new data files by their original paths. They hold no file of their own, so
 * they are created with {@code gc.enabled=false}: Iceberg then refuses snapshot expiry and orphan
 * removal with deletion on them, which would delete the source's files.
 */
@PublicEvolving
public final class ChangeTables {
  /** Table property naming the source table a change table captures from. */
  public static final String SOURCE_PROPERTY = "psyberg.change-table.source";

  /** Table property naming the process a change table captures for. */
  public static final String PROCESS_PROPERTY = "psyberg.change-table.process";

  private ChangeTables() {}

  /** The default change table of a process and source table: {@code NS.T__changes_P}. */
  public static String defaultName(String sourceTable, String processName) {
    return sourceTable + "__changes_" + processName;
  }

  /**
   * Loads the change table, creating it (with the source's schema and partition spec, format v2,
   * {@code gc.enabled=false}, and a first snapshot with no file, which every capture then
   * fast-forwards main from) when missing.
   *
   * @throws PsybergException when a table of that name exists but is not this process's change
   *     table of {@code source}, or lets garbage collection delete files
   */
  static Table loadOrCreate(
      Catalog catalog, TableIdentifier name, Table source, String sourceName, String processName) {
    if (!catalog.tableExists(name)) {
      create(catalog, name, source, sourceName, processName);
    }
    Table change = catalog.loadTable(name);
    check(change, name, source, sourceName, processName);
    if (change.currentSnapshot() == null) {
      // Created without a snapshot by an earlier version (it now creates both in one commit).
      change.newFastAppend().set(ChangeTableSummary.CREATED, "true").commit();
      change.refresh();
    }
    return change;
  }

  private static void create(
      Catalog catalog, TableIdentifier name, Table source, String sourceName, String process) {
    if (catalog instanceof SupportsNamespaces ns && !ns.namespaceExists(name.namespace())) {
      try {
        ns.createNamespace(name.namespace());
      } catch (AlreadyExistsException raced) {
        // Created meanwhile by a concurrent capture.
      }
    }
    PartitionSpec spec = source.spec();
    try {
      // The table appears with its first (empty, marked) snapshot in one commit: a marker appended
      // afterwards could land on top of a concurrent capture's snapshot and hide its session.
      Transaction create =
          catalog
              .buildTable(name, source.schema())
              .withPartitionSpec(spec)
              .withProperties(
                  Map.of(
                      TableProperties.FORMAT_VERSION,
                      "2",
                      TableProperties.GC_ENABLED,
                      "false",
                      SOURCE_PROPERTY,
                      sourceName,
                      PROCESS_PROPERTY,
                      process))
              .createTransaction();
      create.newFastAppend().set(ChangeTableSummary.CREATED, "true").commit();
      create.commitTransaction();
    } catch (AlreadyExistsException | CommitFailedException | IllegalArgumentException raced) {
      // Created meanwhile by a concurrent capture: between the existence check and the create
      // transaction Iceberg refuses to start it (IllegalArgumentException), at its commit a catalog
      // reports it as existing (a Hadoop catalog as a failed commit).
      if (!catalog.tableExists(name)) {
        throw raced;
      }
    }
  }

  private static void check(
      Table change, TableIdentifier name, Table source, String sourceName, String process) {
    Map<String, String> props = change.properties();
    if (!sourceName.equals(props.get(SOURCE_PROPERTY))
        || !process.equals(props.get(PROCESS_PROPERTY))) {
      throw new PsybergException(
          String.format(
              "Process %s: table %s exists but is not the change table of %s for this process (its"
                  + " properties '%s' = %s, '%s' = %s). Name another change table, or drop this"
                  + " one.",
              process,
              name,
              sourceName,
              SOURCE_PROPERTY,
              props.get(SOURCE_PROPERTY),
              PROCESS_PROPERTY,
              props.get(PROCESS_PROPERTY)));
    }
    if (!"false".equalsIgnoreCase(props.get(TableProperties.GC_ENABLED))) {
      throw new PsybergException(
          String.format(
              "Process %s: change table %s has '%s' = %s; a change table references %s's own data"
                  + " files, and snapshot expiry with garbage collection would delete them. Set it"
                  + " back: ALTER TABLE %s SET TBLPROPERTIES ('%s'='false').",
              process,
              name,
              TableProperties.GC_ENABLED,
              props.get(TableProperties.GC_ENABLED),
              sourceName,
              name,
              TableProperties.GC_ENABLED));
    }
    if (!change.schema().sameSchema(source.schema())) {
      throw new PsybergException(
          String.format(
              "Process %s: change table %s no longer has the schema of %s (the source's schema"
                  + " changed?). Drop the change table; the next capture creates it again.%n"
                  + "change table: %s%nsource: %s",
              process, name, sourceName, change.schema(), source.schema()));
    }
  }
}
