package io.psyberg.flink.sink.audit;

import io.psyberg.flink.metadata.SideBySide;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.iceberg.BaseCombinedScanTask;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.flink.source.DataIterator;
import org.apache.iceberg.flink.source.RowDataFileScanTaskReader;
import org.apache.iceberg.types.Type;

/**
 * Counts the rows of a source's files whose string column holds one of the filter's values, reading
 * that column alone with Iceberg's Flink row reader (strings stay UTF-8 bytes, compared as such)
 * and the files side by side, one reader per core: a first run's row-count audit reads every file
 * of the source after the job, while nothing else runs.
 */
final class FilteredRowCount {
  private FilteredRowCount() {}

  /** Whether {@code filter}'s column is a string: the only type this count reads. */
  static boolean applies(Table source, SourceFilter filter) {
    var field = source.schema().findField(filter.column());
    return field != null && field.type().typeId() == Type.TypeID.STRING;
  }

  static long count(Table source, SourceFilter filter, List<FileScanTask> tasks) {
    Schema projected = source.schema().select(filter.column());
    Set<StringData> values =
        filter.values().stream().map(BinaryStringData::fromString).collect(Collectors.toSet());
    Predicate<RowData> matches = row -> !row.isNullAt(0) && values.contains(row.getString(0));
    List<Callable<Long>> reads = new ArrayList<>();
    for (FileScanTask task : tasks) {
      reads.add(() -> count(source, projected, task, matches));
    }
    int threads = Math.min(tasks.size(), Runtime.getRuntime().availableProcessors());
    return SideBySide.run(
            "psyberg-row-count " + source.name(),
            Math.max(threads, 1),
            "Could not count the rows of " + source.name(),
            reads)
        .stream()
        .mapToLong(Long::longValue)
        .sum();
  }

  private static long count(
      Table source, Schema projected, FileScanTask task, Predicate<RowData> matches) {
    RowDataFileScanTaskReader reader =
        new RowDataFileScanTaskReader(
            source.schema(),
            projected,
            source.properties().get(TableProperties.DEFAULT_NAME_MAPPING),
            true,
            List.of());
    long count = 0;
    try (DataIterator<RowData> rows =
        new DataIterator<>(
            reader, new BaseCombinedScanTask(task), source.io(), source.encryption())) {
      while (rows.hasNext()) {
        if (matches.test(rows.next())) {
          count++;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Could not read " + task.file().path() + " of " + source.name(), e);
    }
    return count;
  }
}
