package io.psyberg.flink.examples.changes;

import io.psyberg.flink.changes.ChangeCommit;
import io.psyberg.flink.examples.cli.CatalogArgs;
import io.psyberg.flink.examples.cli.Command;
import io.psyberg.flink.examples.cli.ExitCodes;
import io.psyberg.flink.examples.cli.OptionSpec;
import io.psyberg.flink.examples.cli.ParsedArgs;
import io.psyberg.flink.examples.cli.TableNames;
import io.psyberg.flink.examples.cli.UsageException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * {@code commit --process P --session S --target NS.T [audits]}: audits what a job wrote to the
 * target's branch {@code psyberg-audit-<S>} and publishes it with the new high watermark in one
 * commit. A failed audit publishes nothing (exit 1); a session published before is a no-op (exit
 * 0).
 */
public final class CommitCommand implements Command {

  @Override
  public String name() {
    return "commit";
  }

  @Override
  public String summary() {
    return "Audit and publish a captured session a job wrote to the target's audit branch";
  }

  @Override
  public String synopsis() {
    return "--process P --session S --target NS.T [--audit-not-null COLS] [--audit-unique COLS]"
        + " [--audit-row-count match-source] [--audit-min-rows N] [--audit-max-rows N]";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(
        OptionSpec.value("process", "P", "the process name"),
        OptionSpec.value("session", "S", "the session id a capture printed"),
        OptionSpec.value("target", "NS.T", "the target table the job wrote to"),
        OptionSpec.value("audit-not-null", "COLS", "columns that must hold no NULL"),
        OptionSpec.value("audit-unique", "COLS", "key columns unique and new to the target"),
        OptionSpec.value(
            "audit-row-count", "match-source", "staged rows must equal the session's new rows"),
        OptionSpec.value("audit-min-rows", "N", "at least N staged rows"),
        OptionSpec.value("audit-max-rows", "N", "at most N staged rows"));
  }

  @Override
  public int execute(ParsedArgs args, PrintStream out, PrintStream err) throws Exception {
    String target = args.required("target");
    TableNames.parse("target", target);
    String session = args.required("session");
    ChangeCommit.Builder commit =
        ChangeCommit.builder()
            .catalog(CatalogArgs.spec(args))
            .processName(args.required("process"))
            .sessionId(session)
            .targetTable(target);
    if (args.has("audit-not-null")) {
      commit.auditNotNull(columns(args, "audit-not-null"));
    }
    if (args.has("audit-unique")) {
      commit.auditUnique(columns(args, "audit-unique"));
    }
    if (args.has("audit-row-count")) {
      String value = args.required("audit-row-count");
      if (!value.equals("match-source")) {
        throw new UsageException("--audit-row-count takes match-source, not '" + value + "'");
      }
      commit.auditRowCountMatchesSource();
    }
    Long min = args.optionalLong("audit-min-rows").orElse(null);
    Long max = args.optionalLong("audit-max-rows").orElse(null);
    if (min != null || max != null) {
      commit.auditRowBounds(min, max);
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

  private static List<String> columns(ParsedArgs args, String option) throws UsageException {
    List<String> cols =
        Arrays.stream(args.required(option).split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .toList();
    if (cols.isEmpty()) {
      throw new UsageException("--" + option + " names no column");
    }
    return cols;
  }
}
