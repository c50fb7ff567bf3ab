package io.psyberg.flink.examples.demo;

import io.psyberg.flink.changes.ChangeCommit;
import io.psyberg.flink.changes.ChangeTables;
import io.psyberg.flink.examples.PsybergCli;
import io.psyberg.flink.examples.cli.CommandException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The demo's change-table step: {@code capture} a process's session as a change table, a Flink SQL
 * job on the plain Iceberg catalog reading it into the target's audit branch, then {@code commit}:
 * what a Spark, Trino or dbt job would do in place of the SQL job.
 */
final class ChangeTableStep {
  private static final String PROCESS = "signup_copy_load";
  private static final String SOURCE = "membership.events";
  private static final String TARGET = "membership.signup_copies";

  private ChangeTableStep() {}

  static void run(String warehouse, PrintStream out, PrintStream err) throws Exception {
    out.println();
    out.println(
        "== 7b. Any engine: capture process "
            + PROCESS
            + "'s next session as a change table (it references the new data files, nothing is"
            + " copied), write it with a Flink SQL job on the plain Iceberg catalog into the"
            + " target's audit branch, then commit (audits, data and HWM in one publish).");
    String captured =
        invoke(
            warehouse,
            out,
            err,
            true,
            "capture",
            "--process",
            PROCESS,
            "--source",
            SOURCE,
            "--change-range-column",
            "event_ts",
            "--format",
            "json");
    out.println(captured.trim());
    JsonNode json = new ObjectMapper().readTree(captured);
    String session = json.get("session_id").asText();
    String changeTable = json.get("change_table").asText();
    invoke(
        warehouse,
        out,
        err,
        false,
        "sql",
        "--execute",
        "CREATE TABLE IF NOT EXISTS lake."
            + TARGET
            + " (event_id STRING, account_id BIGINT,"
            + " plan STRING, event_ts TIMESTAMP(6)) WITH ('format-version' = '2');"
            + " INSERT INTO lake."
            + TARGET
            + " /*+ OPTIONS('branch'='"
            + ChangeCommit.auditBranchOf(session)
            + "') */"
            + " SELECT event_id, account_id, plan, event_ts FROM lake.membership.`"
            + changeTable.substring(changeTable.indexOf('.') + 1)
            + "` WHERE event_type = 'SIGNUP'");
    invoke(
        warehouse,
        out,
        err,
        false,
        "commit",
        "--process",
        PROCESS,
        "--session",
        session,
        "--target",
        TARGET,
        "--audit-not-null",
        "event_id,account_id",
        "--audit-min-rows",
        "1");
    out.println(
        "(the change table "
            + ChangeTables.defaultName(SOURCE, PROCESS)
            + " stays readable; the next capture replaces its content with the next session)");
  }

  /** Runs one CLI command, echoing it; returns its output when {@code capture} is set. */
  private static String invoke(
      String warehouse, PrintStream out, PrintStream err, boolean capture, String... args)
      throws CommandException {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--warehouse");
    all.add(warehouse);
    String line = String.join(" ", args).replaceAll("\\s+", " ");
    out.println("$ psyberg-examples " + line.substring(0, Math.min(160, line.length())));
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream target = capture ? new PrintStream(buffer, true, StandardCharsets.UTF_8) : out;
    int code = new PsybergCli().run(all.toArray(new String[0]), target, err == null ? out : err);
    if (code != 0) {
      throw new CommandException("demo step '" + args[0] + "' failed with exit code " + code);
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }
}
