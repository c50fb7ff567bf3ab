package io.psyberg.flink.examples.jobs;

import io.psyberg.flink.catalog.ReadOnlyTables;
import io.psyberg.flink.examples.cli.CatalogOptions;
import io.psyberg.flink.examples.cli.CommandException;
import io.psyberg.flink.examples.cli.PsybergCommand;
import io.psyberg.flink.examples.cli.UsageException;
import io.psyberg.flink.examples.generate.MembershipEvents;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;

/**
 * Checks the source tables of a job before it is built: each must exist and hold the membership
 * event columns (DESIGN section 7) with their types. Columns may be nullable where the event shape
 * says NOT NULL (raw landing tables often are); other columns are ignored, since jobs read only
 * these.
 */
public final class EventSources {

  /** The columns jobs read, in the order they read them. */
  public static final List<String> COLUMNS =
      List.of(
          MembershipEvents.EVENT_ID,
          MembershipEvents.ACCOUNT_ID,
          MembershipEvents.EVENT_TYPE,
          MembershipEvents.PLAN,
          MembershipEvents.EVENT_TS);

  private EventSources() {}

  /**
   * @throws UsageException when a table does not exist (names it and says how to create one)
   * @throws CommandException when a table lacks an event column or has it with another type
   */
  /**
   * @param location where the catalog is, e.g. {@code warehouse ./w} (see {@link
   *     CatalogOptions#location})
   * @param catalogOptions the catalog options to repeat in a hint, e.g. {@code --warehouse ./w}
   */
  public static void check(
      Catalog catalog, String location, String catalogOptions, List<TableIdentifier> tables)
      throws UsageException, CommandException {
    for (TableIdentifier id : tables) {
      // Read-only views: the metadata file of a long history is parsed once for the whole run.
      if (!ReadOnlyTables.exists(catalog, id)) {
        throw new UsageException(
            String.format(
                "source table %s does not exist in %s. Land membership events first,"
                    + " e.g.: %s generate --table %s --accounts 100 --events 1000 %s",
                id, location, PsybergCommand.PROGRAM, id, catalogOptions));
      }
      List<String> problems = problems(ReadOnlyTables.load(catalog, id).schema());
      if (!problems.isEmpty()) {
        throw new CommandException(
            String.format(
                "source table %s does not have the membership event columns: %s. Expected"
                    + " event_id STRING, account_id BIGINT, event_type STRING, plan STRING,"
                    + " event_ts TIMESTAMP(6) (without time zone).",
                id, String.join("; ", problems)));
      }
    }
  }

  /** What keeps {@code schema} from being read as membership events; empty when it fits. */
  static List<String> problems(Schema schema) {
    List<String> problems = new ArrayList<>();
    for (String name : COLUMNS) {
      Types.NestedField wanted = MembershipEvents.SCHEMA.findField(name);
      Types.NestedField actual = schema.findField(name);
      if (actual == null) {
        problems.add("column '" + name + "' is missing");
      } else if (!actual.type().equals(wanted.type())) {
        problems.add("column '" + name + "' is " + actual.type() + ", should be " + wanted.type());
      }
    }
    return problems;
  }
}
