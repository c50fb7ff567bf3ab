package io.psyberg.flink.examples.backfill;

import static org.apache.flink.table.api.Expressions.$;

import io.psyberg.flink.backfill.BackfillChunkFiles;
import io.psyberg.flink.catalog.CatalogSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.table.api.ApiExpression;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.api.internal.TableEnvironmentImpl;
import org.apache.flink.table.api.internal.TableEnvironmentInternal;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.expressions.Expression;
import org.apache.flink.table.operations.QueryOperation;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;
import org.apache.flink.table.types.utils.TypeConversions;
import org.apache.flink.util.OutputTag;
import org.apache.iceberg.Schema;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.types.Types;

/**
 * Turns the INSERTs of one script statement into the part of a Flink job whose tasks keep the
 * chunk's rows and write the targets' data files themselves ({@link BackfillChunkFiles#write});
 * what they wrote comes back per target, to be committed as the chunk.
 */
final class SqlChunkFiles {
  /** One INSERT of the statement: its target and its query. */
  record Insert(String target, QueryOperation query) {}

  private final CatalogSpec catalog;
  private final String process;
  private final Map<String, Schema> targets;
  private final Map<String, String> timeColumns;

  SqlChunkFiles(
      CatalogSpec catalog,
      String process,
      Map<String, Schema> targets,
      Map<String, String> timeColumns) {
    this.catalog = catalog;
    this.process = process;
    this.targets = targets;
    this.timeColumns = timeColumns;
  }

  /**
   * Plans the statement's INSERTs in {@code env}: for each of {@code chunks} (index in the job to
   * range), a filter keeps the chunk's rows of each INSERT's query and a writer writes them to the
   * target's files; the streams of what the writers report are returned, to be run by a {@link
   * SqlChunkJob}. Several chunks share the query's rows when the query was planned for all of them.
   */
  List<SqlChunkJob.Writer> plan(
      TableEnvironmentInternal env, List<Insert> inserts, Map<Integer, BackfillRange> chunks) {
    StreamTableEnvironment tables = (StreamTableEnvironment) env;
    List<SqlChunkJob.Writer> out = new ArrayList<>();
    for (Insert insert : inserts) {
      Schema schema = targets.get(insert.target());
      RowType type = FlinkSchemaUtil.convert(schema);
      DataStream<RowData> rows =
          tables.toDataStream(
              conformed(((TableEnvironmentImpl) env).createTable(insert.query()), type),
              TypeConversions.fromLogicalToDataType(type.copy(true)).bridgedTo(RowData.class));
      Map<Integer, DataStream<RowData>> kept = split(insert.target(), schema, type, rows, chunks);
      kept.forEach(
          (index, chunkRows) ->
              out.add(
                  new SqlChunkJob.Writer(
                      index,
                      insert.target(),
                      BackfillChunkFiles.write(
                          chunkRows, catalog, insert.target(), type, process))));
    }
    return out;
  }

  /**
   * The rows of each chunk: a filter for one chunk; for several, one operator that sends each row
   * to its chunk's side output (a filter per chunk would copy every row once per chunk).
   */
  private Map<Integer, DataStream<RowData>> split(
      String target,
      Schema schema,
      RowType type,
      DataStream<RowData> rows,
      Map<Integer, BackfillRange> chunks) {
    List<Types.NestedField> fields = schema.columns();
    int time = fields.indexOf(schema.findField(timeColumns.get(target)));
    int precision = LogicalTypeChecks.getPrecision(type.getTypeAt(time));
    Map<Integer, DataStream<RowData>> out = new LinkedHashMap<>();
    if (chunks.size() == 1) {
      chunks.forEach(
          (index, chunk) ->
              out.put(
                  index,
                  rows.filter(new ChunkRows(chunk, time, precision))
                      .name("backfill chunk " + chunk + " of " + target)
                      .setParallelism(rows.getParallelism())));
      return out;
    }
    List<OutputTag<RowData>> tags = new ArrayList<>();
    chunks.forEach((index, chunk) -> tags.add(new OutputTag<>("chunk-" + index, rows.getType())));
    SingleOutputStreamOperator<RowData> split =
        rows.process(
                new ChunkSplit(new ArrayList<>(chunks.values()), tags, time, precision),
                rows.getType())
            .name("backfill " + chunks.size() + " chunks of " + target)
            .setParallelism(rows.getParallelism());
    int i = 0;
    for (Integer index : chunks.keySet()) {
      out.put(index, split.getSideOutput(tags.get(i++)));
    }
    return out;
  }

  /** The query's columns cast to the target's types and named as its columns (by position). */
  private static Table conformed(Table query, RowType target) {
    List<String> names = query.getResolvedSchema().getColumnNames();
    List<LogicalType> types =
        query.getResolvedSchema().getColumnDataTypes().stream()
            .map(t -> t.getLogicalType())
            .toList();
    Expression[] columns = new Expression[names.size()];
    for (int i = 0; i < columns.length; i++) {
      LogicalType wanted = target.getTypeAt(i).copy(true);
      ApiExpression column = $(names.get(i));
      if (!types.get(i).copy(true).equals(wanted)) {
        column = column.cast(TypeConversions.fromLogicalToDataType(wanted));
      }
      columns[i] = column.as(target.getFieldNames().get(i));
    }
    return query.select(columns);
  }
}
