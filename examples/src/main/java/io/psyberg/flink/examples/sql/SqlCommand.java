package io.psyberg.flink.examples.sql;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.cli.CatalogArgs;
import io.psyberg.flink.examples.cli.Command;
import io.psyberg.flink.examples.cli.CommandException;
import io.psyberg.flink.examples.cli.ErrorMessages;
import io.psyberg.flink.examples.cli.ExitCodes;
import io.psyberg.flink.examples.cli.OptionSpec;
import io.psyberg.flink.examples.cli.ParsedArgs;
import io.psyberg.flink.examples.cli.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code sql (--file F | --execute STMTS) [--format table|csv]}: runs Flink SQL statements in order
 * on an embedded MiniCluster with the Iceberg catalog {@code lake} over the warehouse, and the
 * {@code psyberg.catalog.*} defaults set so the psyberg connector needs only {@code 'table'} and
 * {@code 'process-name'}. Stops at the first failing statement.
 */
public final class SqlCommand implements Command {

  @Override
  public String name() {
    return "sql";
  }

  @Override
  public String summary() {
    return "Runs Flink SQL statements in order on an embedded MiniCluster, with the Iceberg catalog"
        + " 'lake' over the warehouse";
  }

  @Override
  public String synopsis() {
    return "(--file F | --execute STMTS) [--format table|csv]";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(
        OptionSpec.value("file", "F", "a file of SQL statements separated by ';'"),
        OptionSpec.value("execute", "STMTS", "SQL statements separated by ';'"),
        OptionSpec.value("format", "table|csv", "how query results are printed", "table"));
  }

  @Override
  public int execute(ParsedArgs args, PrintStream out, PrintStream err) throws Exception {
    String format = args.get("format").orElse("table");
    if (!format.equals("table") && !format.equals("csv")) {
      throw new UsageException("option '--format' must be 'table' or 'csv', got '" + format + "'");
    }
    String script = script(args);
    List<SqlStatement> statements;
    try {
      statements = SqlScript.split(script);
    } catch (SqlScriptException e) {
      throw new CommandException("cannot split the SQL script: " + e.getMessage());
    }
    if (statements.isEmpty()) {
      throw new UsageException(
          (args.has("file") ? "--file" : "--execute") + " holds no SQL statement");
    }
    CatalogSpec catalog = CatalogArgs.spec(args);
    try (SqlSession session = SqlSession.open(catalog, CatalogArgs.options(args))) {
      ResultPrinter printer =
          ResultPrinter.forFormat(format, new ValueFormatter(session.localTimeZone()));
      SqlRunner runner = new SqlRunner(session, printer, out);
      for (int i = 0; i < statements.size(); i++) {
        SqlStatement statement = statements.get(i);
        try {
          runner.run(statement);
        } catch (Exception e) {
          out.flush();
          err.printf(
              "ERROR: statement %d of %d (line %d) failed: %s%n  %s%n",
              i + 1,
              statements.size(),
              statement.line(),
              statement.abbreviated(),
              ErrorMessages.describe(e) + ErrorMessages.javaVersionHint());
          return ExitCodes.FAILURE;
        }
      }
      try {
        runner.finish();
      } catch (RuntimeException e) {
        err.println("ERROR: " + ErrorMessages.describe(e));
        return ExitCodes.FAILURE;
      }
    }
    return ExitCodes.OK;
  }

  private static String script(ParsedArgs args) throws UsageException, CommandException {
    boolean file = args.has("file");
    boolean execute = args.has("execute");
    if (file == execute) {
      throw new UsageException(
          file
              ? "give either --file or --execute, not both"
              : "missing the statements: give --file F or --execute STMTS");
    }
    if (execute) {
      return args.required("execute");
    }
    Path path = Path.of(args.required("file"));
    try {
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new UsageException("option '--file': no such file " + path.toAbsolutePath());
    } catch (IOException e) {
      throw new CommandException("cannot read --file " + path + ": " + e.getMessage(), e);
    }
  }
}
