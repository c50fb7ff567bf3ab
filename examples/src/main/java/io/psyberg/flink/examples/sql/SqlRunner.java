package io.psyberg.flink.examples.sql;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.ResultKind;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.api.internal.TableEnvironmentInternal;
import org.apache.flink.table.api.internal.TableResultInternal;
import org.apache.flink.table.operations.BeginStatementSetOperation;
import org.apache.flink.table.operations.EndStatementSetOperation;
import org.apache.flink.table.operations.ModifyOperation;
import org.apache.flink.table.operations.Operation;
import org.apache.flink.table.operations.QueryOperation;
import org.apache.flink.table.operations.command.ResetOperation;
import org.apache.flink.table.operations.command.SetOperation;
import org.apache.flink.types.Row;

/**
 * Runs statements one after the other in a {@link SqlSession}, each to completion: an INSERT waits
 * for its job, a query's rows are collected and printed. {@code SET}/{@code RESET} change the
 * session configuration; {@code BEGIN STATEMENT SET; ...; END} runs its INSERTs as one job.
 */
public final class SqlRunner {
  private final SqlSession session;
  private final ResultPrinter printer;
  private final PrintStream out;
  private boolean printedBefore;
  private List<ModifyOperation> statementSet;

  public SqlRunner(SqlSession session, ResultPrinter printer, PrintStream out) {
    this.session = session;
    this.printer = printer;
    this.out = out;
  }

  /** Runs one statement; throws whatever made it fail. */
  public void run(SqlStatement statement) throws Exception {
    TableEnvironmentInternal env = session.env();
    List<Operation> operations = env.getParser().parse(statement.text());
    if (operations.size() != 1) {
      throw new ValidationException("Expected exactly one statement, found " + operations.size());
    }
    Operation op = operations.get(0);
    if (statementSet != null) {
      addToStatementSet(env, op);
    } else if (op instanceof BeginStatementSetOperation) {
      statementSet = new ArrayList<>();
    } else if (op instanceof EndStatementSetOperation) {
      throw new ValidationException("END without BEGIN STATEMENT SET.");
    } else if (op instanceof SetOperation) {
      set((SetOperation) op);
    } else if (op instanceof ResetOperation) {
      session.reset(((ResetOperation) op).getKey().orElse(null));
    } else {
      execute(env, op);
    }
  }

  /** Fails when the script ended inside a statement set. */
  public void finish() {
    if (statementSet != null) {
      throw new ValidationException("BEGIN STATEMENT SET is not closed with END.");
    }
  }

  private void addToStatementSet(TableEnvironmentInternal env, Operation op) throws Exception {
    if (op instanceof ModifyOperation) {
      statementSet.add((ModifyOperation) op);
    } else if (op instanceof EndStatementSetOperation) {
      List<ModifyOperation> inserts = statementSet;
      statementSet = null;
      if (!inserts.isEmpty()) {
        env.executeInternal(inserts).await();
      }
    } else {
      throw new ValidationException(
          "Only INSERT statements can be part of a statement set (BEGIN STATEMENT SET ... END).");
    }
  }

  private void set(SetOperation op) {
    if (op.getKey().isEmpty()) {
      List<Row> rows = new ArrayList<>();
      for (Map.Entry<String, String> e : session.configuration().entrySet()) {
        rows.add(Row.of(e.getKey(), e.getValue()));
      }
      print(
          new ResultTable(
              List.of("key", "value"),
              List.of(DataTypes.STRING().getLogicalType(), DataTypes.STRING().getLogicalType()),
              rows));
      return;
    }
    session.set(op.getKey().get(), op.getValue().orElse(""));
  }

  private void execute(TableEnvironmentInternal env, Operation op) throws Exception {
    TableResultInternal result = env.executeInternal(op);
    if (op instanceof QueryOperation) {
      print(ResultTable.collect(result));
    } else if (result.getJobClient().isPresent()) {
      result.await();
    } else if (result.getResultKind() == ResultKind.SUCCESS_WITH_CONTENT) {
      print(ResultTable.collect(result));
    }
  }

  private void print(ResultTable table) {
    if (printedBefore) {
      out.println();
    }
    printer.print(table, out);
    printedBefore = true;
  }
}
