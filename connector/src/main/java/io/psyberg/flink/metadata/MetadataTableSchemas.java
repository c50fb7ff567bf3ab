package io.psyberg.flink.metadata;

import io.psyberg.flink.PsybergException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.annotation.Internal;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.PropertyUtil;
import org.apache.iceberg.util.Tasks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schemas of the metadata tables {@code sessions} and {@code high_watermarks}, and their creation
 * on first use. Both are format v2 tables keyed by Iceberg identifier fields and updated by
 * upserts.
 */
@Internal
public final class MetadataTableSchemas {
  private static final Logger LOG = LoggerFactory.getLogger(MetadataTableSchemas.class);

  public static final String SESSIONS = "sessions";
  public static final String HIGH_WATERMARKS = "high_watermarks";
  public static final String BACKFILLS = "backfills";

  public static final Schema SESSIONS_SCHEMA =
      new Schema(
          List.of(
              Types.NestedField.required(1, "session_id", Types.StringType.get()),
              Types.NestedField.required(2, "process_name", Types.StringType.get()),
              Types.NestedField.optional(3, "mode", Types.StringType.get()),
              Types.NestedField.optional(4, "processing", Types.StringType.get()),
              Types.NestedField.required(5, "source_table", Types.StringType.get()),
              Types.NestedField.optional(6, "from_snapshot_id", Types.LongType.get()),
              Types.NestedField.optional(7, "to_snapshot_id", Types.LongType.get()),
              Types.NestedField.optional(8, "snapshot_count", Types.IntegerType.get()),
              Types.NestedField.optional(9, "data_file_count", Types.LongType.get()),
              Types.NestedField.optional(10, "record_count", Types.LongType.get()),
              Types.NestedField.optional(11, "change_range_column", Types.StringType.get()),
              Types.NestedField.optional(12, "change_range_min", Types.StringType.get()),
              Types.NestedField.optional(13, "change_range_max", Types.StringType.get()),
              Types.NestedField.optional(14, "target_table", Types.StringType.get()),
              Types.NestedField.optional(15, "published_snapshot_id", Types.LongType.get()),
              Types.NestedField.optional(16, "status", Types.StringType.get()),
              Types.NestedField.optional(17, "audit_results", Types.StringType.get()),
              Types.NestedField.optional(18, "started_at", Types.TimestampType.withZone()),
              Types.NestedField.optional(19, "finished_at", Types.TimestampType.withZone()),
              Types.NestedField.optional(20, "job_id", Types.StringType.get()),
              Types.NestedField.optional(21, "skipped_snapshot_count", Types.IntegerType.get()),
              Types.NestedField.optional(
                  22, "to_snapshot_committed_at", Types.TimestampType.withZone()),
              Types.NestedField.optional(23, "read_through_checkpoint", Types.LongType.get()),
              Types.NestedField.optional(24, "notes", Types.StringType.get())),
          Set.of(1, 5));

  /**
   * Columns added to a metadata table after its first release, by table name: a table created by an
   * older version passes the schema check without them (readers see nulls) and gets them, nullable,
   * on the first write of this version ({@link #addColumnsAddedLater}).
   */
  private static final Map<String, Set<String>> ADDED_LATER = Map.of(SESSIONS, Set.of("notes"));

  public static final Schema HIGH_WATERMARKS_SCHEMA =
      new Schema(
          List.of(
              Types.NestedField.required(1, "process_name", Types.StringType.get()),
              Types.NestedField.required(2, "source_table", Types.StringType.get()),
              Types.NestedField.optional(3, "target_table", Types.StringType.get()),
              Types.NestedField.optional(4, "snapshot_id", Types.LongType.get()),
              Types.NestedField.optional(
                  5, "snapshot_committed_at", Types.TimestampType.withZone()),
              Types.NestedField.optional(6, "session_id", Types.StringType.get()),
              Types.NestedField.optional(7, "updated_at", Types.TimestampType.withZone())),
          Set.of(1, 2));

  /** One row per managed backfill (DESIGN section 13), upserted on every change of status. */
  public static final Schema BACKFILLS_SCHEMA =
      new Schema(
          List.of(
              Types.NestedField.required(1, "backfill_id", Types.StringType.get()),
              Types.NestedField.required(2, "process_name", Types.StringType.get()),
              Types.NestedField.optional(3, "job", Types.StringType.get()),
              Types.NestedField.optional(4, "range_from", Types.TimestampType.withoutZone()),
              Types.NestedField.optional(5, "range_to", Types.TimestampType.withoutZone()),
              Types.NestedField.optional(6, "status", Types.StringType.get()),
              Types.NestedField.optional(7, "chunks_done", Types.IntegerType.get()),
              Types.NestedField.optional(8, "chunks_total", Types.IntegerType.get()),
              Types.NestedField.optional(9, "rows_written", Types.LongType.get()),
              Types.NestedField.optional(10, "validation", Types.StringType.get()),
              Types.NestedField.optional(11, "started_at", Types.TimestampType.withZone()),
              Types.NestedField.optional(12, "finished_at", Types.TimestampType.withZone()),
              Types.NestedField.optional(13, "source_snapshots", Types.StringType.get()),
              Types.NestedField.optional(14, "target_tables", Types.StringType.get()),
              Types.NestedField.optional(15, "max_snapshots_per_session", Types.IntegerType.get()),
              Types.NestedField.optional(16, "validation_report", Types.StringType.get()),
              Types.NestedField.optional(17, "error", Types.StringType.get())),
          Set.of(1));

  /**
   * Every upsert adds a data and a delete manifest; a read opens each manifest of its process, and
   * opening one (Iceberg builds its Avro read schema) costs more than reading its few entries. With
   * the manifests merged on every commit a read opens about two, however many upserts came since
   * the last {@link MetadataCompaction}; the commit rewrites one small manifest in exchange.
   */
  static final String MANIFESTS_TO_MERGE = "2";

  private MetadataTableSchemas() {}

  /**
   * Loads the metadata table, creating its namespace and itself when missing (races are tolerated).
   */
  static Table loadOrCreate(Catalog catalog, String namespace, String name, Schema schema) {
    TableIdentifier id = TableIdentifier.of(Namespace.of(namespace), name);
    try {
      return checked(catalog.loadTable(id), id, schema, name);
    } catch (NoSuchTableException missing) {
      if (catalog instanceof SupportsNamespaces) {
        SupportsNamespaces namespaces = (SupportsNamespaces) catalog;
        if (!namespaces.namespaceExists(Namespace.of(namespace))) {
          try {
            namespaces.createNamespace(Namespace.of(namespace));
          } catch (RuntimeException raced) {
            // Another run created it first. Iceberg's JDBC catalog reports that as
            // AlreadyExistsException on
            // some databases and as a bare SQL error (duplicate key) on PostgreSQL: look before
            // failing.
            if (!namespaces.namespaceExists(Namespace.of(namespace))) {
              throw raced;
            }
          }
        }
      }
      try {
        return catalog.createTable(
            id,
            schema,
            // Every read and every upsert is for one process: by partition, a read plans only that
            // process's manifests, however many other processes share the table.
            PartitionSpec.builderFor(schema).identity("process_name").build(),
            Map.of(
                TableProperties.FORMAT_VERSION, "2",
                TableProperties.COMMIT_NUM_RETRIES, "20",
                TableProperties.COMMIT_MIN_RETRY_WAIT_MS, "20",
                TableProperties.MANIFEST_MIN_MERGE_COUNT, MANIFESTS_TO_MERGE));
      } catch (RuntimeException raced) {
        // Another run created it first (AlreadyExistsException, or on PostgreSQL a duplicate-key
        // SQL error).
        try {
          return checked(catalog.loadTable(id), id, schema, name);
        } catch (NoSuchTableException stillMissing) {
          throw raced;
        }
      }
    }
  }

  /**
   * Adds the columns of {@link #ADDED_LATER} the table lacks, with Iceberg's commit retries (the
   * table's {@code commit.retry.*} properties): every attempt starts from refreshed metadata, so a
   * run that lost the race to another one finds the columns there and adds nothing. Writers call it
   * before writing; reading never changes the table.
   */
  static void addColumnsAddedLater(Table table, String name, Schema expected) {
    Set<String> addable = ADDED_LATER.getOrDefault(name, Set.of());
    if (addable.isEmpty() || missing(table.schema(), expected, addable).isEmpty()) {
      return;
    }
    Map<String, String> props = table.properties();
    Tasks.foreach(table)
        .retry(
            PropertyUtil.propertyAsInt(
                props,
                TableProperties.COMMIT_NUM_RETRIES,
                TableProperties.COMMIT_NUM_RETRIES_DEFAULT))
        .exponentialBackoff(
            PropertyUtil.propertyAsInt(
                props,
                TableProperties.COMMIT_MIN_RETRY_WAIT_MS,
                TableProperties.COMMIT_MIN_RETRY_WAIT_MS_DEFAULT),
            PropertyUtil.propertyAsInt(
                props,
                TableProperties.COMMIT_MAX_RETRY_WAIT_MS,
                TableProperties.COMMIT_MAX_RETRY_WAIT_MS_DEFAULT),
            PropertyUtil.propertyAsInt(
                props,
                TableProperties.COMMIT_TOTAL_RETRY_TIME_MS,
                TableProperties.COMMIT_TOTAL_RETRY_TIME_MS_DEFAULT),
            2.0)
        .onlyRetryOn(CommitFailedException.class)
        .run(
            t -> {
              t.refresh();
              List<Types.NestedField> add = missing(t.schema(), expected, addable);
              if (add.isEmpty()) {
                return;
              }
              UpdateSchema update = t.updateSchema();
              add.forEach(f -> update.addColumn(f.name(), f.type(), f.doc()));
              update.commit();
              LOG.info(
                  "Metadata table {}: added the columns {} of this version of psyberg.",
                  t.name(),
                  add.stream().map(Types.NestedField::name).toList());
            });
  }

  /**
   * Sets {@link #MANIFESTS_TO_MERGE} on a metadata table created by an older version (one commit,
   * once per table); writers call it before writing, reading never changes the table.
   */
  static void mergeManifestsOnCommit(Table table) {
    if (!MANIFESTS_TO_MERGE.equals(
        table.properties().get(TableProperties.MANIFEST_MIN_MERGE_COUNT))) {
      table
          .updateProperties()
          .set(TableProperties.MANIFEST_MIN_MERGE_COUNT, MANIFESTS_TO_MERGE)
          .commit();
    }
  }

  /** Optional columns of {@code expected} among {@code addable} that {@code actual} lacks. */
  private static List<Types.NestedField> missing(
      Schema actual, Schema expected, Set<String> addable) {
    List<Types.NestedField> out = new ArrayList<>();
    for (Types.NestedField f : expected.columns()) {
      if (f.isOptional() && addable.contains(f.name()) && actual.findField(f.name()) == null) {
        out.add(f);
      }
    }
    return out;
  }

  /**
   * A metadata table found in the catalog must have the columns (by name and type) and the key
   * psyberg writes; one created by hand or by another tool fails here with a message naming it, not
   * later with an obscure write error.
   */
  private static Table checked(Table table, TableIdentifier id, Schema expected, String name) {
    List<String> problems = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    Schema actual = table.schema();
    Set<String> addedLater = ADDED_LATER.getOrDefault(name, Set.of());
    for (Types.NestedField want : expected.columns()) {
      Types.NestedField have = actual.findField(want.name());
      if (have == null) {
        if (!addedLater.contains(want.name())) {
          missing.add(want.name());
        }
      } else if (!have.type().equals(want.type())) {
        problems.add(
            "column '" + want.name() + "' is " + have.type() + ", expected " + want.type());
      }
    }
    if (!missing.isEmpty()) {
      problems.add("it has no column " + String.join(", ", missing));
    }
    if (problems.isEmpty()
        && !actual.identifierFieldNames().equals(expected.identifierFieldNames())) {
      problems.add(
          "its identifier fields are "
              + actual.identifierFieldNames()
              + ", expected "
              + expected.identifierFieldNames());
    }
    if (!problems.isEmpty()) {
      throw new PsybergException(
          String.format(
              "Metadata table %s does not have the schema psyberg writes: %s. Was it created by"
                  + " hand or by another tool? Rename or drop it (psyberg creates it again on the"
                  + " next run), or set option 'metadata-namespace' to a namespace of its own.",
              id, String.join("; ", problems)));
    }
    return table;
  }
}
