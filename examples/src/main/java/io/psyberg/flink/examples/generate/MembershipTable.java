package io.psyberg.flink.examples.generate;

import io.psyberg.flink.examples.cli.CommandException;
import java.io.IOException;
import java.time.LocalDateTime;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/** Opens (or creates) a membership event table and reads what it holds. */
final class MembershipTable {

  private MembershipTable() {}

  /** The table, created (format v2, unpartitioned) with its namespace when missing. */
  static Table loadOrCreate(Catalog catalog, TableIdentifier id) throws CommandException {
    if (catalog.tableExists(id)) {
      Table table = catalog.loadTable(id);
      check(table, id);
      return table;
    }
    if (catalog instanceof SupportsNamespaces) {
      SupportsNamespaces namespaces = (SupportsNamespaces) catalog;
      Namespace ns = id.namespace();
      if (!namespaces.namespaceExists(ns)) {
        try {
          namespaces.createNamespace(ns);
        } catch (AlreadyExistsException e) {
          // created meanwhile
        }
      }
    }
    try {
      return catalog
          .buildTable(id, MembershipEvents.SCHEMA)
          .withProperties(
              Map.of(
                  TableProperties.FORMAT_VERSION, "2",
                  TableProperties.DEFAULT_FILE_FORMAT, "parquet"))
          .create();
    } catch (AlreadyExistsException e) {
      return catalog.loadTable(id);
    }
  }

  /** Fails unless the table can hold membership events written by this generator. */
  private static void check(Table table, TableIdentifier id) throws CommandException {
    Schema schema = table.schema();
    for (Types.NestedField wanted : MembershipEvents.SCHEMA.columns()) {
      Types.NestedField actual = schema.findField(wanted.name());
      boolean fits =
          actual != null
              && actual.type().equals(wanted.type())
              && (wanted.isRequired() || actual.isOptional());
      if (!fits) {
        throw new CommandException(
            String.format(
                "table %s exists but does not have the membership event schema: column '%s'"
                    + " should be %s %s, the table has %s. Use another --table.",
                id,
                wanted.name(),
                wanted.type(),
                wanted.isRequired() ? "NOT NULL" : "NULL",
                actual == null ? "no such column" : actual.toString()));
      }
    }
    for (Types.NestedField field : schema.columns()) {
      if (MembershipEvents.SCHEMA.findField(field.name()) == null && field.isRequired()) {
        throw new CommandException(
            String.format(
                "table %s has the required column '%s' that generated events cannot fill."
                    + " Use another --table.",
                id, field.name()));
      }
    }
    if (!table.spec().isUnpartitioned()) {
      throw new CommandException(
          "table " + id + " is partitioned; generate writes unpartitioned tables only.");
    }
  }

  /** All events in the table's current snapshot. */
  static EventHistory readHistory(Table table) throws IOException {
    EventHistory history = new EventHistory();
    if (table.currentSnapshot() == null) {
      return history;
    }
    try (CloseableIterable<Record> records =
        IcebergGenerics.read(table)
            .select(
                MembershipEvents.EVENT_ID,
                MembershipEvents.ACCOUNT_ID,
                MembershipEvents.EVENT_TYPE,
                MembershipEvents.PLAN,
                MembershipEvents.EVENT_TS)
            .build()) {
      for (Record r : records) {
        history.add(
            new MembershipEvent(
                (String) r.getField(MembershipEvents.EVENT_ID),
                (Long) r.getField(MembershipEvents.ACCOUNT_ID),
                (String) r.getField(MembershipEvents.EVENT_TYPE),
                (String) r.getField(MembershipEvents.PLAN),
                MembershipEvent.micros((LocalDateTime) r.getField(MembershipEvents.EVENT_TS))));
      }
    }
    history.settle();
    return history;
  }
}
