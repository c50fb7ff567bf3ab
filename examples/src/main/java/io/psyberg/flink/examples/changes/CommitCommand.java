package io.psyberg.flink.examples.changes;

import io.psyberg.flink.changes.ChangeCommit;
import io.psyberg.flink.examples.cli.CatalogOptions;
import io.psyberg.flink.examples.cli.ExitCodes;
import io.psyberg.flink.examples.cli.PsybergCommand;
import io.psyberg.flink.examples.cli.TableNames;
import io.psyberg.flink.examples.cli.UsageException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import javax.annotation.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code commit --process P --session S --target NS.T [audits]}: audits what a job wrote to the
 * target's branch {@code psyberg-audit-<S>} and publishes it with the new high watermark in one
 * commit. A failed audit publishes nothing (exit 1); a session published before is a no-op (exit
 * 0).
 */
@Command(
    name = "commit",
    description = "Audit and publish a captured session a job wrote to the target's audit branch.",
    customSynopsis =
        "${COMMAND-FULL-NAME} --process P --session S --target NS.T [--audit-not-null COLS]"
            + " [--audit-unique COLS] [--audit-row-count match-source] [--audit-min-rows N]"
            + " [--audit-max-rows N] [catalog options]")
public final class CommitCommand extends PsybergCommand {

  @Option(names = "--process", paramLabel = "P", required = true, description = "the process name")
  private String process;

  @Option(
      names = "--session",
      paramLabel = "S",
      required = true,
      description = "the session id a capture printed")
  private String session;

  @Option(
      names = "--target",
      paramLabel = "NS.T",
      required = true,
      description = "the target table the job wrote to")
  private String target;

  @Option(
      names = "--audit-not-null",
      paramLabel = "COLS",
      description = "columns that must hold no NULL")
  @Nullable
  private String auditNotNull;

  @Option(
      names = "--audit-unique",
      paramLabel = "COLS",
      description = "key columns unique and new to the target")
  @Nullable
  private String auditUnique;

  @Option(
      names = "--audit-row-count",
      paramLabel = "match-source",
      description = "staged rows must equal the session's new rows")
  @Nullable
  private String auditRowCount;

  @Option(names = "--audit-min-rows", paramLabel = "N", description = "at least N staged rows")
  @Nullable
  private Long minRows;

  @Option(names = "--audit-max-rows", paramLabel = "N", description = "at most N staged rows")
  @Nullable
  private Long maxRows;

  @Mixin private CatalogOptions catalog;

  @Override
  protected int execute(PrintStream out, PrintStream err) throws Exception {
    TableNames.parse("target", target);
    ChangeCommit.Builder commit =
        ChangeCommit.builder()
            .catalog(catalog.spec())
            .processName(process)
            .sessionId(session)
            .targetTable(target);
    if (auditNotNull != null) {
      commit.auditNotNull(columns("audit-not-null", auditNotNull));
    }
    if (auditUnique != null) {
      commit.auditUnique(columns("audit-unique", auditUnique));
    }
    if (auditRowCount != null) {
      if (!auditRowCount.equals("match-source")) {
        throw new UsageException(
            "--audit-row-count takes match-source, not '" + auditRowCount + "'");
      }
      commit.auditRowCountMatchesSource();
    }
    if (minRows != null || maxRows != null) {
      commit.auditRowBounds(minRows, maxRows);
    }
    ChangeCommit.Result result = commit.build().commit();
    switch (result.outcome()) {
      case PUBLISHED:
        out.println(
            "Published session "
                + session
                + " to "
                + target
                + " as snapshot "
                + result.snapshotId()
                + " (data and high watermark in one commit).");
        break;
      case ALREADY_PUBLISHED:
        out.println(
            "Session "
                + session
                + " is already published to "
                + target
                + " (snapshot "
                + result.snapshotId()
                + "); nothing to do.");
        break;
      case EMPTY:
        out.println("Session " + session + " had nothing new; nothing to publish.");
        break;
      default:
        throw new IllegalStateException(result.outcome().toString());
    }
    return ExitCodes.OK;
  }

  private static List<String> columns(String option, String value) throws UsageException {
    List<String> cols =
        Arrays.stream(value.split(",")).map(String::trim).filter(c -> !c.isEmpty()).toList();
    if (cols.isEmpty()) {
      throw new UsageException("--" + option + " names no column");
    }
    return cols;
  }
}
