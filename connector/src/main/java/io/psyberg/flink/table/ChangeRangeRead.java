package io.psyberg.flink.table;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.catalog.ReadOnlyTableLoader;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.planning.ColumnsInOrder;
import io.psyberg.flink.session.ChangeRange;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SourceRange;
import io.psyberg.flink.source.PsybergSourceOptions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.expressions.Binder;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.source.IcebergSource;

/**
 * A SQL table with {@code 'within-change-range' = 'true'}: the table's current rows whose change
 * range column lies in the change range of its process's open session, read as a bounded Iceberg
 * scan (files pruned by their column metrics, rows filtered). The range is fixed when the job is
 * planned, so every attempt of the job reads the same range.
 */
final class ChangeRangeRead {
  private final TableOptions options;
  private final Expression range;
  private final String described;

  private ChangeRangeRead(TableOptions options, Expression range, String described) {
    this.options = options;
    this.range = range;
    this.described = described;
  }

  /**
   * The read of {@code options}' tables within the change range of the newest open session of its
   * process.
   *
   * @throws ValidationException when the process has no open session with a change range
   */
  static ChangeRangeRead plan(TableOptions options) {
    String process = options.process();
    Catalog catalog = options.catalog.open();
    try {
      Optional<Session> open =
          SessionLog.exists(catalog, options.catalog.metadataNamespace())
              ? new SessionLog(catalog, options.catalog.metadataNamespace())
                  .sessions(process).stream()
                      .filter(s -> s.status().isOpen())
                      .filter(s -> !ranges(s).isEmpty())
                      .max(Comparator.comparing(Session::startedAt))
              : Optional.empty();
      if (open.isEmpty()) {
        throw new ValidationException(
            String.format(
                "%s: 'within-change-range' reads the change range of process %s's open session,"
                    + " and the process has none with a change range. Capture its session first"
                    + " (capture --process %s --source NS.T --change-range-column COLUMN), or plan"
                    + " it with 'change-range-column' set, then run this job before the session is"
                    + " committed.",
                options.context(), process, process));
      }
      String column = options.raw.get(PsybergSourceOptions.CHANGE_RANGE_COLUMN.key());
      Expression any = Expressions.alwaysFalse();
      List<String> parts = new ArrayList<>();
      for (ChangeRange r : ranges(open.get())) {
        String col = column != null ? column : r.column();
        any =
            Expressions.or(
                any,
                Expressions.and(
                    Expressions.greaterThanOrEqual(col, r.min()),
                    Expressions.lessThanOrEqual(col, r.max())));
        parts.add(String.format("%s in [%s, %s]", col, r.min(), r.max()));
      }
      return new ChangeRangeRead(
          options,
          any,
          "session " + open.get().sessionId() + " of process " + process + ": " + parts);
    } finally {
      CatalogSpec.closeQuietly(catalog);
    }
  }

  private static List<ChangeRange> ranges(Session s) {
    List<ChangeRange> out = new ArrayList<>();
    for (SourceRange r : s.ranges()) {
      ChangeRange c = r.changeRange();
      if (c != null && c.min() != null && c.max() != null) {
        out.add(c);
      }
    }
    return out;
  }

  /** What the read is restricted to, for names and messages. */
  String describe() {
    return described;
  }

  /** The rows of {@code columns}, in that order, of every table of the source within the range. */
  DataStream<RowData> read(
      StreamExecutionEnvironment env, List<String> columns, List<Expression> pushedFilters) {
    List<Expression> filters = new ArrayList<>(pushedFilters);
    filters.add(range);
    DataStream<RowData> out = null;
    for (String name : options.read.tables()) {
      TableIdentifier id = TableIdentifier.parse(name);
      Schema table = schema(id);
      Schema read = table.select(withFilterColumns(table, columns, filters));
      IcebergSource<RowData> source =
          IcebergSource.forRowData()
              .tableLoader(ReadOnlyTableLoader.of(options.catalog, id))
              .streaming(false)
              .project(read)
              .filters(filters)
              .build();
      RowType readType = FlinkSchemaUtil.convert(read);
      ColumnsInOrder inOrder = new ColumnsInOrder(readType, columns);
      DataStream<RowData> rows =
          env.fromSource(
                  source,
                  WatermarkStrategy.noWatermarks(),
                  "psyberg " + options.sqlName + " within change range of " + name,
                  InternalTypeInfo.of(readType))
              .map(inOrder)
              .returns(InternalTypeInfo.of(inOrder.type()))
              .name(name + " in change range");
      out = out == null ? rows : out.union(rows);
    }
    return out;
  }

  /**
   * The columns to read: those asked for and those the filters name (Iceberg filters rows on the
   * projected row, so a filtered column must be read even when the query does not select it).
   */
  private static List<String> withFilterColumns(
      Schema table, List<String> columns, List<Expression> filters) {
    Set<String> out = new LinkedHashSet<>(columns);
    for (int id : Binder.boundReferences(table.asStruct(), filters, true)) {
      out.add(table.findColumnName(id));
    }
    return List.copyOf(out);
  }

  private Schema schema(TableIdentifier id) {
    Catalog catalog = options.catalog.open();
    try {
      return catalog.loadTable(id).schema();
    } finally {
      CatalogSpec.closeQuietly(catalog);
    }
  }
}
