package io.psyberg.flink.examples.changes;

import io.psyberg.flink.changes.CapturedSession;
import io.psyberg.flink.changes.ChangeCapture;
import io.psyberg.flink.examples.cli.Command;
import io.psyberg.flink.examples.cli.ExitCodes;
import io.psyberg.flink.examples.cli.OptionSpec;
import io.psyberg.flink.examples.cli.ParsedArgs;
import io.psyberg.flink.examples.cli.TableNames;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code capture --process P --source NS.T [--change-table NS.NAME]}: plans the process's next
 * session and makes the change table's current snapshot reference exactly its new data files;
 * prints the session id, the audit branch the job writes, the ranges and the change range.
 */
public final class CaptureCommand implements Command {

  @Override
  public String name() {
    return "capture";
  }

  @Override
  public String summary() {
    return "Capture a process's next session as a change table (references, no copy)";
  }

  @Override
  public String synopsis() {
    return "--process P --source NS.T [--change-table NS.NAME] [--format table|json]";
  }

  @Override
  public List<OptionSpec> options() {
    List<OptionSpec> all = new ArrayList<>(ChangeArgs.PLANNING);
    all.add(
        OptionSpec.value("change-table", "NS.NAME", "the change table (default: NS.T__changes_P)"));
    all.add(ChangeArgs.FORMAT);
    return all;
  }

  @Override
  public int execute(ParsedArgs args, PrintStream out, PrintStream err) throws Exception {
    boolean json = ChangeArgs.json(args);
    String changeTable = args.get("change-table").orElse(null);
    if (changeTable != null) {
      TableNames.parse("change-table", changeTable);
    }
    CapturedSession captured = ChangeCapture.capture(ChangeArgs.settings(args), changeTable);
    new RangeReport()
        .put("session_id", captured.sessionId())
        .put("status", captured.session().status().name())
        .put("repeated", captured.repeated())
        .put("change_table", captured.changeTable())
        .put("change_snapshot_id", captured.changeSnapshotId())
        .put("audit_branch", captured.auditBranch())
        .range(captured.range())
        .print(out, json);
    return ExitCodes.OK;
  }
}
