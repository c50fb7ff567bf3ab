package io.psyberg.flink.examples.backfill;

import io.psyberg.flink.examples.cli.ErrorMessages;
import io.psyberg.flink.examples.sql.SqlStatement;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.internal.TableEnvironmentInternal;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.apache.flink.table.operations.ModifyOperation;
import org.apache.flink.table.operations.Operation;
import org.apache.flink.table.operations.QueryOperation;
import org.apache.flink.table.operations.SinkModifyOperation;
import org.apache.flink.table.operations.StatementSetOperation;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * What a backfill script's statements are, as the planner sees them: one statement each, INSERTs
 * that write only the process's targets with every column, and the sources shadowed by views at the
 * backfill's snapshots. Errors name the script's file, statement and line.
 */
final class ScriptStatements {
  /** The catalog the {@code sql} command registers, and the scripts name tables in. */
  static final String LAKE = "lake";

  private final SqlBackfillScript script;
  private final String process;
  private final Map<String, Schema> targets;

  ScriptStatements(SqlBackfillScript script, String process, Map<String, Schema> targets) {
    this.script = script;
    this.process = process;
    this.targets = targets;
  }

  Operation parse(TableEnvironmentInternal env, SqlStatement s) {
    try {
      List<Operation> ops = env.getParser().parse(s.text());
      if (ops.size() != 1) {
        throw script.error(s, "holds " + ops.size() + " statements: end each with ';'");
      }
      return ops.get(0);
    } catch (SqlBackfillException e) {
      throw e;
    } catch (RuntimeException e) {
      throw script.error(s, "does not plan: " + ErrorMessages.describe(e));
    }
  }

  static List<ModifyOperation> inserts(Operation op) {
    if (op instanceof StatementSetOperation) {
      return ((StatementSetOperation) op).getOperations();
    }
    return op instanceof ModifyOperation ? List.of((ModifyOperation) op) : List.of();
  }

  /** The target an INSERT writes, checked to be one of the process's. */
  String target(SqlStatement s, ModifyOperation insert) {
    if (!(insert instanceof SinkModifyOperation)) {
      throw script.error(s, "is not an INSERT INTO a table: a backfill script only writes tables");
    }
    ObjectIdentifier id = ((SinkModifyOperation) insert).getContextResolvedTable().getIdentifier();
    String name = id.getDatabaseName() + "." + id.getObjectName();
    if (!id.getCatalogName().equals(LAKE) || !targets.containsKey(name)) {
      throw script.error(
          s,
          String.format(
              "writes %s, which is not a target of process %s: a backfill writes only the"
                  + " process's targets (%s), into its own branch. Make the INSERT write one of"
                  + " them.",
              id.asSummaryString(), process, String.join(", ", targets.keySet())));
    }
    return name;
  }

  void checkColumns(SqlStatement s, String target, QueryOperation query) {
    Schema schema = targets.get(target);
    int columns = query.getResolvedSchema().getColumnCount();
    if (columns != schema.columns().size()) {
      throw script.error(
          s,
          String.format(
              "gives %d columns, target %s has %d: select every column of the target, in its"
                  + " order",
              columns, target, schema.columns().size()));
    }
  }

  /** Temporary views {@code lake.ns.table} over each source at its snapshot (none: empty). */
  static void shadowSources(TableEnvironmentInternal env, Map<String, Long> snapshots) {
    for (Map.Entry<String, Long> source : snapshots.entrySet()) {
      TableIdentifier id = TableIdentifier.parse(source.getKey());
      String path = "`" + LAKE + "`.`" + id.namespace() + "`.`" + id.name() + "`";
      env.dropTemporaryView(path);
      String query =
          source.getValue() == null
              ? "SELECT * FROM " + path + " WHERE FALSE"
              : "SELECT * FROM "
                  + path
                  + " /*+ OPTIONS('snapshot-id'='"
                  + source.getValue()
                  + "') */";
      env.createTemporaryView(path, env.sqlQuery(query));
    }
  }
}
