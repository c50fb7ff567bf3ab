package io.psyberg.flink.examples.changes;

import io.psyberg.flink.changes.CapturedSession;
import io.psyberg.flink.changes.ChangeCapture;
import io.psyberg.flink.examples.cli.CatalogOptions;
import io.psyberg.flink.examples.cli.ExitCodes;
import io.psyberg.flink.examples.cli.FormatOption;
import io.psyberg.flink.examples.cli.PsybergCommand;
import io.psyberg.flink.examples.cli.TableNames;
import java.io.PrintStream;
import javax.annotation.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code capture --process P --source NS.T [--change-table NS.NAME]}: plans the process's next
 * session and makes the change table's current snapshot reference exactly its new data files;
 * prints the session id, the audit branch the job writes, the ranges and the change range.
 */
@Command(
    name = "capture",
    description = "Capture a process's next session as a change table (references, no copy).",
    customSynopsis =
        "${COMMAND-FULL-NAME} --process P --source NS.T [--change-table NS.NAME] [--format"
            + " table|json] [catalog options]")
public final class CaptureCommand extends PsybergCommand {

  @Mixin private PlanningOptions planning;

  @Option(
      names = "--change-table",
      paramLabel = "NS.NAME",
      description = "the change table (default: NS.T__changes_P)")
  @Nullable
  private String changeTable;

  @Mixin private FormatOption format;

  @Mixin private CatalogOptions catalog;

  @Override
  protected int execute(PrintStream out, PrintStream err) throws Exception {
    if (changeTable != null) {
      TableNames.parse("change-table", changeTable);
    }
    CapturedSession captured = ChangeCapture.capture(planning.settings(catalog), changeTable);
    new RangeReport()
        .put("session_id", captured.sessionId())
        .put("status", captured.session().status().name())
        .put("repeated", captured.repeated())
        .put("change_table", captured.changeTable())
        .put("change_snapshot_id", captured.changeSnapshotId())
        .put("audit_branch", captured.auditBranch())
        .range(captured.range())
        .print(out, format.json());
    return ExitCodes.OK;
  }
}
