package io.psyberg.flink.table;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.catalog.CatalogSpec;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.types.Types;

/** Checks a SQL table's declared columns against the Iceberg table at planning time. */
final class SchemaCheck {
  private SchemaCheck() {}

  static Schema load(CatalogSpec spec, String table, String sqlName, String process) {
    Catalog catalog;
    try {
      catalog = spec.open();
    } catch (PsybergException e) {
      throw new ValidationException(
          String.format("Table %s (process %s): %s", sqlName, process, e.getMessage()), e);
    }
    try {
      Table t = catalog.loadTable(TableIdentifier.parse(table));
      return t.schema();
    } catch (NoSuchTableException e) {
      throw new ValidationException(
          String.format(
              "Table %s (process %s): Iceberg table '%s' does not exist in the catalog at %s."
                  + " Create it, or fix option 'table'.",
              sqlName, process, table, spec.warehouse()));
    } finally {
      CatalogSpec.closeQuietly(catalog);
    }
  }

  /** Every declared physical column exists in the Iceberg table with the same type. */
  static void checkColumnsExist(
      ResolvedSchema declared, Schema iceberg, String sqlName, String table) {
    List<String> problems = new ArrayList<>();
    for (Column c : declared.getColumns()) {
      if (!c.isPhysical()) {
        continue;
      }
      Types.NestedField field = iceberg.findField(c.getName());
      if (field == null) {
        problems.add("column '" + c.getName() + "' is not in the Iceberg table");
        continue;
      }
      LogicalType expected = FlinkSchemaUtil.convert(field.type());
      LogicalType actual = c.getDataType().getLogicalType();
      if (!expected.copy(true).equals(actual.copy(true))) {
        problems.add(
            "column '"
                + c.getName()
                + "' is declared "
                + actual.asSummaryString()
                + " but is "
                + expected.asSummaryString()
                + " in the Iceberg table");
      }
    }
    fail(problems, sqlName, table, iceberg);
  }

  /** A sink's physical columns equal the Iceberg table's columns, in order. */
  static void checkSameColumns(
      ResolvedSchema declared, Schema iceberg, String sqlName, String table) {
    List<String> problems = new ArrayList<>();
    List<Column> physical = new ArrayList<>();
    declared.getColumns().stream().filter(Column::isPhysical).forEach(physical::add);
    List<Types.NestedField> fields = iceberg.columns();
    if (physical.size() != fields.size()) {
      problems.add(
          "it declares " + physical.size() + " columns but the Iceberg table has " + fields.size());
    }
    for (int i = 0; i < Math.min(physical.size(), fields.size()); i++) {
      Column c = physical.get(i);
      Types.NestedField f = fields.get(i);
      if (!c.getName().equals(f.name())) {
        problems.add(
            "column "
                + (i + 1)
                + " is '"
                + c.getName()
                + "' but the Iceberg table has '"
                + f.name()
                + "' there");
      }
    }
    if (problems.isEmpty()) {
      checkColumnsExist(declared, iceberg, sqlName, table);
    }
    fail(problems, sqlName, table, iceberg);
  }

  private static void fail(List<String> problems, String sqlName, String table, Schema iceberg) {
    if (!problems.isEmpty()) {
      throw new ValidationException(
          String.format(
              "Table %s does not match Iceberg table '%s': %s. The Iceberg table's columns are:"
                  + " %s.",
              sqlName, table, String.join("; ", problems), describe(iceberg)));
    }
  }

  private static String describe(Schema schema) {
    List<String> cols = new ArrayList<>();
    for (Types.NestedField f : schema.columns()) {
      cols.add(
          f.name()
              + " "
              + FlinkSchemaUtil.convert(f.type()).copy(f.isOptional()).asSummaryString());
    }
    return String.join(", ", cols);
  }
}
