package io.psyberg.flink.examples.demo;

import io.psyberg.flink.examples.PsybergCli;
import io.psyberg.flink.examples.cli.CatalogOptions;
import io.psyberg.flink.examples.cli.CommandException;
import io.psyberg.flink.examples.cli.ExitCodes;
import io.psyberg.flink.examples.cli.PsybergCommand;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code demo}: the whole story on the embedded default. Lands membership events (with late and bad
 * ones), runs the stateless signup process and the stateful lifecycle process over several
 * sessions, shows a failed audit that publishes nothing, and prints the sessions and results.
 */
@Command(
    name = "demo",
    description =
        "End-to-end demo on the embedded catalog: batches with late and bad data, the signup and"
            + " lifecycle processes over several sessions, a failed audit.",
    customSynopsis = "${COMMAND-FULL-NAME} [--warehouse DIR]")
public final class DemoCommand extends PsybergCommand {
  static final String MARKER = ".psyberg-demo";

  @Mixin private CatalogOptions catalog;

  @Override
  protected int execute(PrintStream out, PrintStream err) throws Exception {
    String warehouse = catalog.embeddedWarehouse(spec().name());
    prepare(Path.of(warehouse), out);
    long start = System.nanoTime();
    Steps steps = new Steps(warehouse, out, err);

    steps.say(
        "1. Land the first batch of membership events (2% bad events: unknown types, missing plans,"
            + " invalid transitions).");
    steps.run(
        "generate",
        "--table",
        "membership.events",
        "--accounts",
        "300",
        "--events",
        "3000",
        "--late-fraction",
        "0",
        "--bad-fraction",
        "0.02",
        "--seed",
        "1");

    steps.say(
        "2. Stateless process signup_fact_load: one audited fact per SIGNUP event. The first"
            + " session reads everything since the start.");
    steps.run(
        "signups",
        "--process",
        "signup_fact_load",
        "--source",
        "membership.events",
        "--target",
        "membership.signup_facts");

    steps.say("3. Stateful process lifecycle_load: per-account segments and anomalies.");
    steps.run(
        "lifecycle",
        "--process",
        "lifecycle_load",
        "--source",
        "membership.events",
        "--target",
        "membership.account_lifecycle",
        "--anomalies",
        "membership.lifecycle_anomalies");

    steps.say("4. A second batch lands, 20% of it late (event times in the previous days).");
    steps.run(
        "generate",
        "--table",
        "membership.events",
        "--accounts",
        "300",
        "--events",
        "3000",
        "--late-fraction",
        "0.2",
        "--bad-fraction",
        "0.02",
        "--seed",
        "2");

    steps.say(
        "5. Both processes run again: each reads only the new snapshot. The lifecycle run reads a"
            + " lookback bounded by the session's change range and publishes only the"
            + " corrections.");
    steps.run(
        "signups",
        "--process",
        "signup_fact_load",
        "--source",
        "membership.events",
        "--target",
        "membership.signup_facts");
    steps.run(
        "lifecycle",
        "--process",
        "lifecycle_load",
        "--source",
        "membership.events",
        "--target",
        "membership.account_lifecycle",
        "--anomalies",
        "membership.lifecycle_anomalies");

    steps.say("6. Nothing new: an EMPTY session, nothing published.");
    steps.run(
        "signups",
        "--process",
        "signup_fact_load",
        "--source",
        "membership.events",
        "--target",
        "membership.signup_facts");

    steps.say(
        "7. A failed audit. Process premium_plan_changes (in SQL) guards its volume with"
            + " 'audit.max-rows' = '10'; this session stages more, so nothing is published and its"
            + " high watermark stays where it was.");
    steps.runExpectingFailure("sql", "--execute", DemoSql.PREMIUM_PLAN_CHANGES);
    steps.run(
        "sql",
        "--execute",
        "SET 'execution.runtime-mode' = 'batch';"
            + " SELECT COUNT(*) AS published_rows FROM lake.membership.premium_plan_changes");

    ChangeTableStep.run(warehouse, out, err);
    BackfillDemo.run(warehouse, out, err);

    steps.say("8. The session log (psyberg.sessions):");
    steps.run("sessions");

    steps.say("9. Results:");
    steps.run("sql", "--execute", DemoSql.RESULTS);

    out.printf(
        "%nDemo finished in %.0f s. Warehouse: %s%n",
        (System.nanoTime() - start) / 1e9, Path.of(warehouse).toAbsolutePath());
    out.println("Look next:");
    out.println(
        "  java -jar examples/target/psyberg-examples.jar sessions --warehouse " + warehouse);
    out.println(
        "  java -jar examples/target/psyberg-examples.jar sql --warehouse "
            + warehouse
            + " --execute \"SELECT * FROM lake.membership.account_lifecycle WHERE account_id ="
            + " 7\"");
    out.println(
        "  java -jar examples/target/psyberg-examples.jar sql --warehouse "
            + warehouse
            + " --execute \"SELECT * FROM lake.psyberg.high_watermarks\"");
    out.println(
        "  the failed session's staged data stays on branch psyberg-audit-<session id> of"
            + " membership.premium_plan_changes (see its audit_results in the session log).");
    return ExitCodes.OK;
  }

  /** The demo owns its warehouse: an earlier demo's is replaced, anything else is refused. */
  private static void prepare(Path warehouse, PrintStream out)
      throws IOException, CommandException {
    if (Files.isDirectory(warehouse)) {
      boolean empty;
      try (Stream<Path> entries = Files.list(warehouse)) {
        empty = entries.findAny().isEmpty();
      }
      if (!empty && !Files.exists(warehouse.resolve(MARKER))) {
        throw new CommandException(
            "the demo needs an empty warehouse, or one an earlier demo made; "
                + warehouse.toAbsolutePath()
                + " has other data. Pass --warehouse with a new folder.");
      }
      if (!empty) {
        out.println("Replacing the earlier demo's warehouse at " + warehouse.toAbsolutePath());
        List<Path> all = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(warehouse)) {
          walk.forEach(all::add);
        }
        all.sort(Comparator.reverseOrder());
        for (Path p : all) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(warehouse);
    Files.writeString(warehouse.resolve(MARKER), "made by psyberg-examples demo\n");
  }

  /** Runs CLI commands in this JVM, narrating each. */
  private static final class Steps {
    private final String warehouse;
    private final PrintStream out;
    private final PrintStream err;

    Steps(String warehouse, PrintStream out, PrintStream err) {
      this.warehouse = warehouse;
      this.out = out;
      this.err = err;
    }

    void say(String text) {
      out.println();
      out.println("== " + text);
      out.flush();
    }

    void run(String... args) throws CommandException {
      int code = invoke(args);
      if (code != 0) {
        throw new CommandException(
            "demo step '" + String.join(" ", args) + "' failed with exit code " + code);
      }
    }

    void runExpectingFailure(String... args) throws CommandException {
      int code = invoke(args);
      if (code == 0) {
        throw new CommandException(
            "demo step '" + args[0] + "' was expected to fail its audit but succeeded");
      }
      out.println("(as expected: the audit failed, the job failed, nothing was published)");
    }

    private int invoke(String... args) {
      List<String> all = new ArrayList<>(List.of(args));
      all.add("--warehouse");
      all.add(warehouse);
      out.println(
          "$ psyberg-examples "
              + String.join(" ", args)
                  .replaceAll("\\s+", " ")
                  .substring(
                      0, Math.min(160, String.join(" ", args).replaceAll("\\s+", " ").length())));
      out.flush();
      return new PsybergCli().run(all.toArray(new String[0]), out, err == null ? out : err);
    }
  }
}
