package io.psyberg.flink.examples.lifecycle;

import io.psyberg.flink.PsybergException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.types.Types;

/**
 * The {@code account_lifecycle} and {@code lifecycle_anomalies} table shapes, created when missing.
 */
public final class LifecycleTables {
  public static final Schema LIFECYCLE =
      new Schema(
          List.of(
              Types.NestedField.required(1, "account_id", Types.LongType.get()),
              Types.NestedField.required(2, "segment_no", Types.IntegerType.get()),
              Types.NestedField.required(3, "state", Types.StringType.get()),
              Types.NestedField.optional(4, "plan", Types.StringType.get()),
              Types.NestedField.required(5, "valid_from", Types.TimestampType.withoutZone()),
              Types.NestedField.optional(6, "valid_to", Types.TimestampType.withoutZone()),
              Types.NestedField.required(7, "opened_by_event_id", Types.StringType.get())),
          Set.of(1, 2));

  public static final Schema ANOMALIES =
      new Schema(
          List.of(
              Types.NestedField.required(1, "event_id", Types.StringType.get()),
              Types.NestedField.required(2, "account_id", Types.LongType.get()),
              Types.NestedField.required(3, "event_type", Types.StringType.get()),
              Types.NestedField.required(4, "event_ts", Types.TimestampType.withoutZone()),
              Types.NestedField.required(5, "reason", Types.StringType.get())),
          Set.of(1));

  private LifecycleTables() {}

  /**
   * {@code account_lifecycle} by month of {@code valid_to} (open segments in the null partition): a
   * bounded run reads the segments still open or closed since its lookback, which this prunes to a
   * few partitions however long the history. Rows move partition when a segment closes, so the
   * target is written in write-mode retract. Other shapes are unpartitioned.
   */
  static PartitionSpec specOf(Schema shape) {
    return shape == LIFECYCLE
        ? PartitionSpec.builderFor(shape).month("valid_to").build()
        : PartitionSpec.unpartitioned();
  }

  /**
   * {@code account_lifecycle} sorted by {@code valid_to}: psyberg's compaction then writes a
   * rewritten month as a file per day ({@code DayClustering}), so the next runs' reads of the
   * segments closed since their lookback skip the month's earlier days. Other shapes are unsorted.
   */
  static SortOrder sortOf(Schema shape) {
    return shape == LIFECYCLE
        ? SortOrder.builderFor(shape).asc("valid_to").build()
        : SortOrder.unsorted();
  }

  /**
   * Parquet pages of {@code account_lifecycle}, in rows. Its files are a month partition each per
   * writer, often smaller than Parquet's default page (20,000 rows), and its event ids and
   * timestamps are unique: Parquet dictionary-encodes a column until its first page ends, finds the
   * dictionary does not pay and encodes the page again plain. Small pages end that after 2,000 rows
   * instead of after the whole file (measured: the first load's writer spent ~45% less time).
   */
  static final int LIFECYCLE_PAGE_ROWS = 2_000;

  /**
   * Table properties a new table of {@code shape} is created with, besides format v2: {@link
   * #LIFECYCLE_PAGE_ROWS} for {@code account_lifecycle}.
   */
  static Map<String, String> propertiesOf(Schema shape) {
    return shape == LIFECYCLE
        ? Map.of(
            TableProperties.FORMAT_VERSION,
            "2",
            TableProperties.PARQUET_PAGE_ROW_LIMIT,
            Integer.toString(LIFECYCLE_PAGE_ROWS))
        : Map.of(TableProperties.FORMAT_VERSION, "2");
  }

  /**
   * Loads the table, creating it (format v2, keys as identifier fields, partitioned as {@link
   * #specOf}, with {@link #propertiesOf}) when missing; checks its shape. A table created
   * unpartitioned by an earlier version keeps working (its reads just do not prune).
   */
  public static Table ensure(Catalog catalog, String name, Schema shape) {
    TableIdentifier id = TableIdentifier.parse(name);
    if (!catalog.tableExists(id)) {
      if (catalog instanceof SupportsNamespaces
          && !((SupportsNamespaces) catalog).namespaceExists(id.namespace())) {
        try {
          ((SupportsNamespaces) catalog).createNamespace(id.namespace());
        } catch (AlreadyExistsException raced) {
          // created meanwhile
        }
      }
      try {
        return catalog
            .buildTable(id, shape)
            .withPartitionSpec(specOf(shape))
            .withSortOrder(sortOf(shape))
            .withProperties(propertiesOf(shape))
            .create();
      } catch (AlreadyExistsException raced) {
        // created meanwhile: check it below
      }
    }
    Table table = catalog.loadTable(id);
    if (!table.schema().asStruct().equals(shape.asStruct())) {
      throw new PsybergException(
          String.format(
              "Table %s exists with another shape. Expected %s, found %s. Use another table name or"
                  + " fix it.",
              name, shape.asStruct(), table.schema().asStruct()));
    }
    return table;
  }
}
