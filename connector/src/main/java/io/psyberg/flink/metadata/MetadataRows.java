package io.psyberg.flink.metadata;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.catalog.SameThreadExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableScan;
import org.apache.iceberg.data.BaseDeleteLoader;
import org.apache.iceberg.data.DeleteLoader;
import org.apache.iceberg.data.GenericDeleteFilter;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.expressions.Evaluator;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.parquet.Parquet;

/**
 * Reads the live rows of a metadata table on the calling thread. Iceberg's generic reader loads
 * each data file's equality deletes on a worker pool that it polls every 10 ms, so reading a few
 * freshly upserted rows cost 10 ms per data file; a committer reads the session log at every
 * checkpoint. Same result as {@code IcebergGenerics.read(table).where(filter)}, to which it falls
 * back for files not in Parquet.
 */
@Internal
public final class MetadataRows {
  private static final Predicate<FileScanTask> ALL_FILES = task -> true;

  private MetadataRows() {}

  /**
   * The live rows of a metadata table matching {@code filter}, at {@code snapshotId} (null: the
   * current snapshot). Small answers are kept per snapshot for the JVM's next identical read.
   */
  static List<Record> read(Table table, Expression filter, @Nullable Long snapshotId) {
    Snapshot at = snapshotId == null ? table.currentSnapshot() : table.snapshot(snapshotId);
    if (at == null) {
      return read(table, filter, snapshotId, ALL_FILES);
    }
    return MetadataReadCache.shared()
        .rows(
            table, filter, at.snapshotId(), () -> read(table, filter, at.snapshotId(), ALL_FILES));
  }

  /**
   * The live rows matching {@code filter} of the files {@code files} accepts, at {@code snapshotId}
   * (null: the current snapshot), file by file in the order of their data sequence numbers (the
   * order in which they landed). Every data file must be Parquet.
   */
  public static List<Record> read(
      Table table, Expression filter, @Nullable Long snapshotId, Predicate<FileScanTask> files) {
    List<Record> rows = new ArrayList<>();
    if (!forEach(table, filter, snapshotId, files, rows::add)) {
      if (files != ALL_FILES) {
        throw new PsybergException(
            "Table "
                + table.name()
                + " has data files in a format other than Parquet; psyberg reads it by file only"
                + " when all are Parquet. Rewrite its data files as Parquet.");
      }
      return readGeneric(table, filter, snapshotId);
    }
    return rows;
  }

  /**
   * Hands each live row of {@link #read(Table, Expression, Long, Predicate)} to {@code rows}
   * without holding them, in the same order.
   *
   * @return false, having read nothing, when a data file to read is not Parquet
   */
  public static boolean forEach(
      Table table,
      Expression filter,
      @Nullable Long snapshotId,
      Predicate<FileScanTask> files,
      Consumer<Record> rows) {
    List<FileScanTask> tasks = plan(table, filter, snapshotId, files);
    if (tasks == null) {
      return false;
    }
    Schema schema = table.schema();
    for (FileScanTask task : tasks) {
      readTask(table, schema, task, rows);
    }
    return true;
  }

  /**
   * As {@link #read(Table, Expression, Long, Predicate)}, the files read on up to {@code threads}
   * threads side by side (a large read: a backfill's chunk of a source); the rows come in the same
   * order.
   */
  public static List<Record> readInParallel(
      Table table,
      Expression filter,
      @Nullable Long snapshotId,
      Predicate<FileScanTask> files,
      int threads) {
    return readInParallel(table, filter, snapshotId, files, threads, row -> row);
  }

  /**
   * As {@link #readInParallel(Table, Expression, Long, Predicate, int)}, each row turned into what
   * {@code map} makes of it on the thread that read it; rows it maps to null are left out (so a
   * large read holds only what its caller keeps).
   */
  public static <T> List<T> readInParallel(
      Table table,
      Expression filter,
      @Nullable Long snapshotId,
      Predicate<FileScanTask> files,
      int threads,
      Function<Record, T> map) {
    List<FileScanTask> tasks = plan(table, filter, snapshotId, files);
    if (tasks == null) {
      // not all Parquet: the one-thread read says so
      return keep(read(table, filter, snapshotId, files), map);
    }
    Schema schema = table.schema();
    List<Callable<List<T>>> reads = new ArrayList<>();
    for (FileScanTask task : tasks) {
      reads.add(
          () -> {
            List<T> rows = new ArrayList<>();
            readTask(table, schema, task, row -> add(rows, map.apply(row)));
            return rows;
          });
    }
    List<T> out = new ArrayList<>();
    SideBySide.run("psyberg-read " + table.name(), threads, "Could not read " + table.name(), reads)
        .forEach(out::addAll);
    return out;
  }

  private static <T> void add(List<T> rows, @Nullable T row) {
    if (row != null) {
      rows.add(row);
    }
  }

  private static <T> List<T> keep(List<Record> rows, Function<Record, T> map) {
    List<T> out = new ArrayList<>(rows.size());
    rows.forEach(row -> add(out, map.apply(row)));
    return out;
  }

  /**
   * The files of a read in landing order (their data sequence numbers), or null when one of them is
   * not Parquet.
   */
  @Nullable
  private static List<FileScanTask> plan(
      Table table, Expression filter, @Nullable Long snapshotId, Predicate<FileScanTask> files) {
    // Planning on the calling thread too: between compactions a metadata table has a few dozen
    // manifests.
    TableScan scan = table.newScan().filter(filter).planWith(SameThreadExecutor.get());
    if (snapshotId != null) {
      scan = scan.useSnapshot(snapshotId);
    }
    List<FileScanTask> tasks = new ArrayList<>();
    try (CloseableIterable<FileScanTask> planned = scan.planFiles()) {
      planned.forEach(tasks::add);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not plan a read of " + table.name(), e);
    }
    tasks.removeIf(files.negate());
    tasks.sort(Comparator.comparing(t -> t.file().dataSequenceNumber()));
    if (tasks.stream().anyMatch(t -> t.file().format() != FileFormat.PARQUET)) {
      return null;
    }
    return tasks;
  }

  /** Hands each live row of one file of a read to {@code rows}. */
  private static void readTask(
      Table table, Schema schema, FileScanTask task, Consumer<Record> rows) {
    InlineDeleteFilter deletes = new InlineDeleteFilter(table.io(), task, schema);
    Schema fileSchema = deletes.requiredSchema();
    Evaluator residual = new Evaluator(fileSchema.asStruct(), task.residual(), true);
    InternalRecordWrapper wrapper = new InternalRecordWrapper(fileSchema.asStruct());
    boolean filtered = !task.residual().equals(Expressions.alwaysTrue());
    CloseableIterable<Record> file =
        Parquet.read(table.io().newInputFile(task.file().path().toString()))
            .project(fileSchema)
            .split(task.start(), task.length())
            .filter(task.residual())
            .createReaderFunc(type -> GenericParquetReaders.buildReader(fileSchema, type))
            .build();
    try (CloseableIterable<Record> live = deletes.filter(file)) {
      for (Record r : live) {
        if (!filtered || residual.eval(wrapper.copyFor(r))) {
          rows.accept(r);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Could not read " + task.file().path() + " of " + table.name(), e);
    }
  }

  private static List<Record> readGeneric(
      Table table, Expression filter, @Nullable Long snapshotId) {
    IcebergGenerics.ScanBuilder scan = IcebergGenerics.read(table).where(filter);
    if (snapshotId != null) {
      scan = scan.useSnapshot(snapshotId);
    }
    List<Record> rows = new ArrayList<>();
    try (CloseableIterable<Record> read = scan.build()) {
      read.forEach(rows::add);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read " + table.name(), e);
    }
    return rows;
  }

  /**
   * Iceberg's delete filter for generic records, loading the delete files on the calling thread.
   */
  private static final class InlineDeleteFilter extends GenericDeleteFilter {
    private final FileIO io;

    InlineDeleteFilter(FileIO io, FileScanTask task, Schema schema) {
      super(io, task, schema, schema);
      this.io = io;
    }

    @Override
    protected DeleteLoader newDeleteLoader() {
      return new BaseDeleteLoader(
          f -> io.newInputFile(f.path().toString()), SameThreadExecutor.get());
    }
  }
}
