package io.psyberg.flink.examples.demo;

import io.psyberg.flink.examples.PsybergCli;
import io.psyberg.flink.examples.cli.CommandException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's backfill step: rebuilds one day of the signup facts in a branch, shows its status,
 * validates it against main and publishes it.
 */
final class BackfillDemo {
  private static final Pattern ID = Pattern.compile("\"backfill_id\":\"([^\"]+)\"");

  private BackfillDemo() {}

  static void run(String warehouse, PrintStream out, PrintStream err) throws CommandException {
    out.println();
    out.println(
        "== Managed backfill: rebuild the signup facts of 2026-01-01 in branch"
            + " psyberg-backfill-<id>, validate against main, publish.");
    String started =
        run(
            warehouse,
            out,
            err,
            "backfill",
            "start",
            "--process",
            "signup_fact_load",
            "--job",
            "signups",
            "--from-time",
            "2026-01-01",
            "--to-time",
            "2026-01-02",
            "--max-snapshots-per-session",
            "1",
            "--format",
            "json");
    Matcher id = ID.matcher(started);
    if (!id.find()) {
      throw new CommandException("demo step 'backfill start' printed no backfill id: " + started);
    }
    run(warehouse, out, err, "backfill", "status", id.group(1));
    run(warehouse, out, err, "backfill", "validate", id.group(1));
    run(warehouse, out, err, "backfill", "publish", id.group(1));
    run(warehouse, out, err, "backfill", "status");
  }

  /** Runs one CLI command, echoing it and its output; returns what it printed. */
  private static String run(String warehouse, PrintStream out, PrintStream err, String... args)
      throws CommandException {
    out.println("$ psyberg-examples " + String.join(" ", args));
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--warehouse");
    all.add(warehouse);
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    int code;
    try (PrintStream captured = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      code = new PsybergCli().run(all.toArray(new String[0]), captured, err == null ? out : err);
    }
    String printed = buffer.toString(StandardCharsets.UTF_8);
    out.print(printed);
    out.flush();
    if (code != 0) {
      throw new CommandException(
          "demo step '" + String.join(" ", args) + "' failed with exit code " + code);
    }
    return printed;
  }
}
