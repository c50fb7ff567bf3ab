package io.psyberg.flink.examples.sql;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.cli.CatalogOptions;
import io.psyberg.flink.examples.cli.CommandException;
import io.psyberg.flink.examples.cli.ErrorMessages;
import io.psyberg.flink.examples.cli.ExitCodes;
import io.psyberg.flink.examples.cli.PsybergCommand;
import io.psyberg.flink.examples.cli.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import javax.annotation.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sql (--file F | --execute STMTS) [--format table|csv]}: runs Flink SQL statements in order
 * on an embedded MiniCluster with the Iceberg catalog {@code lake} over the warehouse, and the
 * {@code psyberg.catalog.*} defaults set so the psyberg connector needs only {@code 'table'} and
 * {@code 'process-name'}. Stops at the first failing statement.
 */
@Command(
    name = "sql",
    description =
        "Runs Flink SQL statements in order on an embedded MiniCluster, with the Iceberg catalog"
            + " 'lake' over the warehouse.",
    customSynopsis =
        "${COMMAND-FULL-NAME} (--file F | --execute STMTS) [--format table|csv] [catalog options]")
public final class SqlCommand extends PsybergCommand {

  @Option(
      names = "--file",
      paramLabel = "F",
      description = "a file of SQL statements separated by ';'")
  @Nullable
  private Path file;

  @Option(
      names = "--execute",
      paramLabel = "STMTS",
      description = "SQL statements separated by ';'")
  @Nullable
  private String execute;

  @Option(
      names = "--format",
      paramLabel = "table|csv",
      defaultValue = "table",
      description = "how query results are printed (default: ${DEFAULT-VALUE})")
  private ResultFormat format;

  @Mixin private CatalogOptions catalog;

  @Override
  protected int execute(PrintStream out, PrintStream err) throws Exception {
    String script = script();
    List<SqlStatement> statements;
    try {
      statements = SqlScript.split(script);
    } catch (SqlScriptException e) {
      throw new CommandException("cannot split the SQL script: " + e.getMessage());
    }
    if (statements.isEmpty()) {
      throw new UsageException((file != null ? "--file" : "--execute") + " holds no SQL statement");
    }
    CatalogSpec spec = catalog.spec();
    try (SqlSession session = SqlSession.open(spec, catalog.options())) {
      ResultPrinter printer =
          ResultPrinter.forFormat(format.toString(), new ValueFormatter(session.localTimeZone()));
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

  private String script() throws UsageException, CommandException {
    if ((file != null) == (execute != null)) {
      throw new UsageException(
          file != null
              ? "give either --file or --execute, not both"
              : "missing the statements: give --file F or --execute STMTS");
    }
    if (execute != null) {
      return execute;
    }
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new UsageException("option '--file': no such file " + file.toAbsolutePath());
    } catch (IOException e) {
      throw new CommandException("cannot read --file " + file + ": " + e.getMessage(), e);
    }
  }
}
