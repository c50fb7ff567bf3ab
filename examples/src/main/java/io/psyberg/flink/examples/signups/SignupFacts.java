package io.psyberg.flink.examples.signups;

import io.psyberg.flink.examples.cli.CommandException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The signup fact table: {@code event_id STRING NOT NULL, account_id BIGINT NOT NULL, plan STRING,
 * event_ts TIMESTAMP(6) NOT NULL, signup_date DATE NOT NULL}, format v2, unpartitioned, with {@code
 * event_id} as Iceberg identifier field. Created when missing; an existing table is accepted when
 * it has these columns in this order with these types (a NOT NULL column may be nullable there).
 */
public final class SignupFacts {
  public static final String EVENT_ID = "event_id";
  public static final String ACCOUNT_ID = "account_id";
  public static final String PLAN = "plan";
  public static final String EVENT_TS = "event_ts";
  public static final String SIGNUP_DATE = "signup_date";

  /** The table's schema; {@code event_id} is the identifier field. */
  public static final Schema SCHEMA =
      new Schema(
          List.of(
              Types.NestedField.required(1, EVENT_ID, Types.StringType.get()),
              Types.NestedField.required(2, ACCOUNT_ID, Types.LongType.get()),
              Types.NestedField.optional(3, PLAN, Types.StringType.get()),
              Types.NestedField.required(4, EVENT_TS, Types.TimestampType.withoutZone()),
              Types.NestedField.required(5, SIGNUP_DATE, Types.DateType.get())),
          Set.of(1));

  /** Columns the not-null audit checks. */
  public static final List<String> NOT_NULL = List.of(EVENT_ID, ACCOUNT_ID, EVENT_TS);

  private SignupFacts() {}

  /** An opened target and whether this call created it. */
  public record Target(Table table, boolean created) {}

  /**
   * Loads the table and checks its shape, or creates it (and its namespace) when missing.
   *
   * @throws CommandException when an existing table has another shape; the message names the table
   *     and every differing column
   */
  public static Target loadOrCreate(Catalog catalog, TableIdentifier id) throws CommandException {
    if (catalog.tableExists(id)) {
      return new Target(checked(catalog.loadTable(id), id), false);
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
      Table table =
          catalog
              .buildTable(id, SCHEMA)
              .withProperties(
                  Map.of(
                      TableProperties.FORMAT_VERSION, "2",
                      TableProperties.DEFAULT_FILE_FORMAT, "parquet"))
              .create();
      return new Target(table, true);
    } catch (AlreadyExistsException e) {
      return new Target(checked(catalog.loadTable(id), id), false);
    }
  }

  private static Table checked(Table table, TableIdentifier id) throws CommandException {
    List<String> problems = differences(table.schema());
    if (!problems.isEmpty()) {
      throw new CommandException(
          String.format(
              "target table %s exists but does not have the signup fact shape: %s.%n"
                  + "  Expected columns, in this order: %s.%n"
                  + "  Use another --target, or drop the table and let signups create it.",
              id, String.join("; ", problems), describe(SCHEMA)));
    }
    return table;
  }

  /** How {@code actual} differs from the signup fact shape; empty when the job can write it. */
  static List<String> differences(Schema actual) {
    List<String> problems = new ArrayList<>();
    for (Types.NestedField wanted : SCHEMA.columns()) {
      Types.NestedField field = actual.findField(wanted.name());
      if (field == null) {
        problems.add("column '" + wanted.name() + "' (" + describe(wanted) + ") is missing");
      } else if (!field.type().equals(wanted.type())) {
        problems.add(
            "column '"
                + wanted.name()
                + "' is "
                + sqlType(field.type())
                + ", should be "
                + sqlType(wanted.type()));
      } else if (wanted.isOptional() && field.isRequired()) {
        problems.add(
            "column '"
                + wanted.name()
                + "' is NOT NULL, should be nullable (a signup may have no "
                + wanted.name()
                + ")");
      }
    }
    for (Types.NestedField field : actual.columns()) {
      if (SCHEMA.findField(field.name()) == null) {
        problems.add(
            "extra column '"
                + field.name()
                + "' ("
                + describe(field)
                + "), which signups cannot"
                + " fill");
      }
    }
    if (problems.isEmpty()) {
      List<String> order = actual.columns().stream().map(Types.NestedField::name).toList();
      List<String> wanted = SCHEMA.columns().stream().map(Types.NestedField::name).toList();
      if (!order.equals(wanted)) {
        problems.add(
            "the columns are in the order "
                + String.join(", ", order)
                + ", should be "
                + String.join(", ", wanted));
      }
    }
    return problems;
  }

  /** {@code name TYPE [NOT NULL], ...}. */
  static String describe(Schema schema) {
    return schema.columns().stream()
        .map(f -> f.name() + " " + describe(f))
        .collect(Collectors.joining(", "));
  }

  private static String describe(Types.NestedField f) {
    return sqlType(f.type()) + (f.isRequired() ? " NOT NULL" : "");
  }

  private static String sqlType(Type type) {
    switch (type.typeId()) {
      case STRING:
        return "STRING";
      case LONG:
        return "BIGINT";
      case INTEGER:
        return "INT";
      case DATE:
        return "DATE";
      case TIMESTAMP:
        return ((Types.TimestampType) type).shouldAdjustToUTC()
            ? "TIMESTAMP_LTZ(6)"
            : "TIMESTAMP(6)";
      default:
        return type.toString().toUpperCase(Locale.ROOT);
    }
  }
}
