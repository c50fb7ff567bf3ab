package io.psyberg.flink.examples.signups;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.cli.CatalogOptions;
import io.psyberg.flink.examples.cli.PsybergCommand;
import io.psyberg.flink.examples.cli.TableNames;
import io.psyberg.flink.examples.cli.UsageException;
import io.psyberg.flink.examples.jobs.CatalogHandle;
import io.psyberg.flink.examples.jobs.EventSources;
import io.psyberg.flink.examples.jobs.RunMode;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import org.apache.iceberg.catalog.TableIdentifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code signups --process P --source NS.T[,NS.T2] --target NS.T [--mode bounded|continuous]
 * [--interval SECONDS]}: the stateless signup job. Checks its tables (creating the target when
 * missing), then runs one audited session (bounded) or keeps running (continuous), and reports the
 * sessions: planned ranges, rows, audits, what was published.
 */
@Command(
    name = "signups",
    description =
        "The stateless signup job: one audited target row per source SIGNUP event, published per"
            + " session with the high watermark.",
    customSynopsis =
        "${COMMAND-FULL-NAME} --process P --source NS.T[,NS.T2] --target NS.T [--mode"
            + " bounded|continuous] [--interval SECONDS] [catalog options]")
public final class SignupsCommand extends PsybergCommand {
  static final long DEFAULT_INTERVAL_SECONDS = 5;
  private static final Pattern PROCESS_NAME = Pattern.compile("[A-Za-z0-9_.\\-]+");

  @Option(
      names = "--process",
      paramLabel = "P",
      required = true,
      description = "the process name, e.g. signup_fact_load; runs resume where it stopped")
  private String process;

  @Option(
      names = "--source",
      paramLabel = "NS.T[,NS.T2]",
      required = true,
      description = "membership event table(s), e.g. membership.events")
  private String source;

  @Option(
      names = "--target",
      paramLabel = "NS.T",
      required = true,
      description = "the signup fact table, created when missing, e.g. facts.signups")
  private String target;

  @Option(
      names = "--mode",
      paramLabel = "bounded|continuous",
      defaultValue = "bounded",
      description =
          "bounded: process what is new since the last run, then stop; continuous: keep"
              + " processing new snapshots until stopped (Ctrl-C) (default: ${DEFAULT-VALUE})")
  private RunMode mode;

  @Option(
      names = "--interval",
      paramLabel = "SECONDS",
      description =
          "continuous mode: how often to look for new snapshots and to checkpoint (default: "
              + DEFAULT_INTERVAL_SECONDS
              + ")")
  @Nullable
  private Long interval;

  @Mixin private CatalogOptions catalog;

  @Override
  protected int execute(PrintStream out, PrintStream err) throws Exception {
    SignupsSettings settings = settings();
    try (CatalogHandle opened = CatalogHandle.open(settings.catalog())) {
      EventSources.check(
          opened.catalog(),
          catalog.location(settings.catalog()),
          catalog.hint(),
          settings.sources());
      SignupFacts.Target facts = SignupFacts.loadOrCreate(opened.catalog(), settings.target());
      SignupsRun run = new SignupsRun(settings, opened, facts.table(), out, err);
      run.printPlan(facts.created());
      return settings.continuous() ? run.continuous() : run.bounded();
    }
  }

  private SignupsSettings settings() throws UsageException {
    String name = process.trim();
    if (!PROCESS_NAME.matcher(name).matches()) {
      throw new UsageException(
          "option '--process' must be letters, digits, '_', '-' or '.', e.g. signup_fact_load;"
              + " got '"
              + name
              + "'");
    }
    List<TableIdentifier> sources = TableNames.parseList("source", source);
    TableIdentifier targetId = TableNames.parse("target", target);
    if (sources.contains(targetId)) {
      throw new UsageException(
          "option '--target' names "
              + target
              + ", which is also a --source; write the facts to"
              + " another table");
    }
    CatalogSpec catalogSpec = catalog.spec();
    String metadata = catalogSpec.metadataNamespace();
    List<TableIdentifier> all = new ArrayList<>(sources);
    all.add(targetId);
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
    boolean continuous = mode == RunMode.CONTINUOUS;
    if (interval != null && !continuous) {
      throw new UsageException(
          "option '--interval' applies to --mode continuous only (a bounded run reads one session"
              + " and stops)");
    }
    long seconds = interval != null ? interval : DEFAULT_INTERVAL_SECONDS;
    if (seconds < 1 || seconds > 3600) {
      throw new UsageException(
          "option '--interval' must be between 1 and 3600 seconds, got " + seconds);
    }
    return new SignupsSettings(
        name, sources, targetId, continuous, Duration.ofSeconds(seconds), catalogSpec);
  }
}
