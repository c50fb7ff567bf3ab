package io.psyberg.flink.examples.signups;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.cli.CatalogArgs;
import io.psyberg.flink.examples.cli.Command;
import io.psyberg.flink.examples.cli.OptionSpec;
import io.psyberg.flink.examples.cli.ParsedArgs;
import io.psyberg.flink.examples.cli.TableNames;
import io.psyberg.flink.examples.cli.UsageException;
import io.psyberg.flink.examples.jobs.CatalogHandle;
import io.psyberg.flink.examples.jobs.EventSources;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * {@code signups --process P --source NS.T[,NS.T2] --target NS.T [--mode bounded|continuous]
 * [--interval SECONDS]}: the stateless signup job. Checks its tables (creating the target when
 * missing), then runs one audited session (bounded) or keeps running (continuous), and reports the
 * sessions: planned ranges, rows, audits, what was published.
 */
public final class SignupsCommand implements Command {
  static final long DEFAULT_INTERVAL_SECONDS = 5;
  private static final Pattern PROCESS_NAME = Pattern.compile("[A-Za-z0-9_.\\-]+");

  @Override
  public String name() {
    return "signups";
  }

  @Override
  public String summary() {
    return "The stateless signup job: one audited target row per source SIGNUP event, published"
        + " per session with the high watermark";
  }

  @Override
  public String synopsis() {
    return "--process P --source NS.T[,NS.T2] --target NS.T [--mode bounded|continuous]"
        + " [--interval SECONDS]";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(
        OptionSpec.value(
            "process",
            "P",
            "the process name, e.g. signup_fact_load; runs resume where it stopped"),
        OptionSpec.value(
            "source", "NS.T[,NS.T2]", "membership event table(s), e.g. membership.events"),
        OptionSpec.value(
            "target", "NS.T", "the signup fact table, created when missing, e.g. facts.signups"),
        OptionSpec.value(
            "mode",
            "bounded|continuous",
            "bounded: process what is new since the last run, then stop; continuous: keep"
                + " processing new snapshots until stopped (Ctrl-C)",
            "bounded"),
        OptionSpec.value(
            "interval",
            "SECONDS",
            "continuous mode: how often to look for new snapshots and to checkpoint",
            Long.toString(DEFAULT_INTERVAL_SECONDS)));
  }

  @Override
  public int execute(ParsedArgs args, PrintStream out, PrintStream err) throws Exception {
    SignupsSettings settings = settings(args);
    try (CatalogHandle catalog = CatalogHandle.open(settings.catalog())) {
      EventSources.check(
          catalog.catalog(),
          CatalogArgs.location(args, settings.catalog()),
          CatalogArgs.hint(args),
          settings.sources());
      SignupFacts.Target target = SignupFacts.loadOrCreate(catalog.catalog(), settings.target());
      SignupsRun run = new SignupsRun(settings, catalog, target.table(), out);
      run.printPlan(target.created());
      return settings.continuous() ? run.continuous() : run.bounded();
    }
  }

  static SignupsSettings settings(ParsedArgs args) throws UsageException {
    String process = args.required("process").trim();
    if (!PROCESS_NAME.matcher(process).matches()) {
      throw new UsageException(
          "option '--process' must be letters, digits, '_', '-' or '.', e.g. signup_fact_load;"
              + " got '"
              + process
              + "'");
    }
    List<TableIdentifier> sources = TableNames.parseList("source", args.required("source"));
    TableIdentifier target = TableNames.parse("target", args.required("target"));
    if (sources.contains(target)) {
      throw new UsageException(
          "option '--target' names "
              + target
              + ", which is also a --source; write the facts to"
              + " another table");
    }
    CatalogSpec catalog = CatalogArgs.spec(args);
    String metadata = catalog.metadataNamespace();
    List<TableIdentifier> all = new ArrayList<>(sources);
    all.add(target);
    for (TableIdentifier id : all) {
      if (id.namespace().levels().length == 1 && id.namespace().level(0).equals(metadata)) {
        throw new UsageException(
            "table "
                + id
                + " is in namespace '"
                + metadata
                + "', which holds psyberg's own"
                + " session log and high watermarks; use another namespace");
      }
    }
    String mode = args.get("mode").orElse("bounded").trim().toLowerCase(Locale.ROOT);
    if (!mode.equals("bounded") && !mode.equals("continuous")) {
      throw new UsageException(
          "option '--mode' must be 'bounded' or 'continuous', got '"
              + args.get("mode").get()
              + "'");
    }
    boolean continuous = mode.equals("continuous");
    if (args.has("interval") && !continuous) {
      throw new UsageException(
          "option '--interval' applies to --mode continuous only (a bounded run reads one session"
              + " and stops)");
    }
    long seconds = args.optionalLong("interval").orElse(DEFAULT_INTERVAL_SECONDS);
    if (seconds < 1 || seconds > 3600) {
      throw new UsageException(
          "option '--interval' must be between 1 and 3600 seconds, got " + seconds);
    }
    return new SignupsSettings(
        process, sources, target, continuous, Duration.ofSeconds(seconds), catalog);
  }
}
