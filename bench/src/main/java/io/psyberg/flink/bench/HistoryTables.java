package io.psyberg.flink.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.util.Map;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.relocated.com.google.common.collect.Iterables;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * Builds source tables with a long history: {@code n} fast-append snapshots of one tiny data file
 * each, on an unpartitioned format-v2 table of the membership-event schema.
 *
 * <p>Every snapshot is its own {@code newFastAppend().appendFile(f).commit()} with its own manifest
 * and manifest list, as a writer committing small batches produces. By default the commits go
 * through {@link BufferedCommits}, which writes the metadata JSON once per {@value
 * #APPENDS_PER_FLUSH} snapshots instead of once per snapshot: that changes nothing the planners
 * read. {@code commitEach} builds the table with one table commit per snapshot instead (the
 * metadata JSON is then written and parsed back on every commit: slower, same result).
 *
 * <p>One Parquet file is written once; each snapshot appends a byte copy of it under its own path,
 * so every file a plan names exists but writing the history costs no encoding.
 */
final class HistoryTables {
  static final Schema EVENTS =
      new Schema(
          Types.NestedField.required(1, "event_id", Types.StringType.get()),
          Types.NestedField.required(2, "account_id", Types.LongType.get()),
          Types.NestedField.required(3, "event_type", Types.StringType.get()),
          Types.NestedField.optional(4, "plan", Types.StringType.get()),
          Types.NestedField.required(5, "event_ts", Types.TimestampType.withoutZone()));

  /**
   * Snapshots per metadata JSON write; also bounds the snapshots whose manifest lists (up to 5,000
   * entries each) stay cached in memory between writes.
   */
  static final int APPENDS_PER_FLUSH = 50;

  private static final int ROWS_PER_FILE = 16;

  private final Catalog catalog;
  private final PrintStream progress;

  HistoryTables(Catalog catalog, PrintStream progress) {
    this.catalog = catalog;
    this.progress = progress;
  }

  /** What was built (or found). */
  static final class Built {
    final String name;
    final int snapshots;
    final long buildMillis;
    final long metadataJsonBytes;
    final boolean reused;

    Built(String name, int snapshots, long buildMillis, long metadataJsonBytes, boolean reused) {
      this.name = name;
      this.snapshots = snapshots;
      this.buildMillis = buildMillis;
      this.metadataJsonBytes = metadataJsonBytes;
      this.reused = reused;
    }
  }

  /**
   * Creates table {@code name} with {@code snapshots} append snapshots on main; reuses it if it
   * already exists with exactly that many.
   */
  Built create(String name, int snapshots, boolean commitEach) {
    TableIdentifier id = TableIdentifier.parse(name);
    if (catalog.tableExists(id)) {
      Table existing = catalog.loadTable(id);
      int found = ancestry(existing);
      if (found != snapshots) {
        throw new IllegalStateException(
            String.format(
                "Table %s exists with %d snapshots, not %d: use an empty --dir.",
                name, found, snapshots));
      }
      progress.printf("Reusing %s (%d snapshots).%n", name, found);
      return new Built(name, found, 0, metadataJsonBytes(existing), true);
    }
    SupportsNamespaces namespaces = (SupportsNamespaces) catalog;
    if (!namespaces.namespaceExists(id.namespace())) {
      namespaces.createNamespace(id.namespace());
    }
    Table table =
        catalog.createTable(
            id, EVENTS, PartitionSpec.unpartitioned(), Map.of(TableProperties.FORMAT_VERSION, "2"));

    long started = System.nanoTime();
    DataFile template = writeTemplate(table);
    Path templatePath = localPath(template.path().toString());
    BufferedCommits buffered =
        commitEach ? null : new BufferedCommits(((HasTableOperations) table).operations());
    Table appendTo = commitEach ? table : new BaseTable(buffered, name);
    for (int i = 0; i < snapshots; i++) {
      DataFile file = i == 0 ? template : copyOf(table, template, templatePath, i);
      appendTo.newFastAppend().appendFile(file).commit();
      if (buffered != null && (i + 1) % APPENDS_PER_FLUSH == 0) {
        buffered.flush();
      }
      if ((i + 1) % 500 == 0) {
        progress.printf(
            "  %s: %d/%d snapshots, %.1f s%n",
            name, i + 1, snapshots, (System.nanoTime() - started) / 1e9);
      }
    }
    if (buffered != null) {
      buffered.flush();
    }
    long millis = (System.nanoTime() - started) / 1_000_000;

    table.refresh();
    int found = ancestry(table);
    int all = Iterables.size(table.snapshots());
    if (found != snapshots || all != snapshots) {
      throw new IllegalStateException(
          String.format(
              "Built %s with %d snapshots on main (%d in all), expected %d.",
              name, found, all, snapshots));
    }
    progress.printf(
        "Built %s: %d snapshots (snapshot log %d entries) in %.1f s.%n",
        name, found, table.history().size(), millis / 1e3);
    return new Built(name, found, millis, metadataJsonBytes(table), false);
  }

  private static int ancestry(Table table) {
    return table.currentSnapshot() == null
        ? 0
        : Iterables.size(SnapshotUtil.currentAncestorIds(table));
  }

  private static long metadataJsonBytes(Table table) {
    String location = ((HasTableOperations) table).operations().current().metadataFileLocation();
    try {
      return Files.size(localPath(location));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static DataFile writeTemplate(Table table) {
    GenericAppenderFactory factory = new GenericAppenderFactory(table.schema(), table.spec());
    OutputFileFactory files =
        OutputFileFactory.builderFor(table, 1, 1).format(FileFormat.PARQUET).build();
    DataWriter<Record> writer =
        factory.newDataWriter(files.newOutputFile(), FileFormat.PARQUET, null);
    LocalDateTime at = LocalDateTime.of(2024, 1, 1, 0, 0);
    try (DataWriter<Record> w = writer) {
      for (int i = 0; i < ROWS_PER_FILE; i++) {
        Record r = GenericRecord.create(EVENTS);
        r.setField("event_id", "e-" + i);
        r.setField("account_id", (long) i);
        r.setField("event_type", "SIGNUP");
        r.setField("plan", "basic");
        r.setField("event_ts", at.plusMinutes(i));
        w.write(r);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return writer.toDataFile();
  }

  private static DataFile copyOf(Table table, DataFile template, Path templatePath, int i) {
    String location =
        table.locationProvider().newDataLocation(String.format("bench-%06d.parquet", i));
    try {
      Files.copy(templatePath, localPath(location));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return DataFiles.builder(table.spec()).copy(template).withPath(location).build();
  }

  /** A {@code file:} location of the local warehouse as a path. */
  private static Path localPath(String location) {
    return Paths.get(URI.create(location));
  }
}
