package io.psyberg.flink.examples.signups;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.cli.CatalogOptions;
import io.psyberg.flink.examples.cli.JobOptions;
import io.psyberg.flink.examples.cli.PsybergCommand;
import io.psyberg.flink.examples.cli.TableNames;
import io.psyberg.flink.examples.cli.UsageException;
import io.psyberg.flink.examples.jobs.CatalogHandle;
import io.psyberg.flink.examples.jobs.EventSources;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.catalog.TableIdentifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code signups --process P --source NS.T[,NS.T2] --target NS.T [--mode bounded|continuous]
 * [--interval SECONDS] [--max-snapshots-per-session N]}: the stateless signup job. Checks its
 * tables (creating the target when missing), then runs one audited session (bounded; with a cap, as
 * many as the backlog needs) or keeps running (continuous), and reports the sessions: planned
 * ranges, rows, audits, what was published.
 */
@Command(
    name = "signups",
    description =
        "The stateless signup job: one audited target row per source SIGNUP event, published per"
            + " session with the high watermark.",
    customSynopsis =
        "${COMMAND-FULL-NAME} --process P --source NS.T[,NS.T2] --target NS.T [--mode"
            + " bounded|continuous] [--interval SECONDS] [--max-snapshots-per-session N]"
            + " [catalog options]")
public final class SignupsCommand extends PsybergCommand {
  @Mixin private JobOptions job;

  @Option(
      names = "--target",
      paramLabel = "NS.T",
      required = true,
      order = 3,
      description = "the signup fact table, created when missing, e.g. facts.signups")
  private String target;

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
    String name = job.process();
    List<TableIdentifier> sources = job.sources();
    TableIdentifier targetId = TableNames.parse("target", target);
    CatalogSpec catalogSpec = catalog.spec();
    job.checkTables(catalogSpec.metadataNamespace(), Map.of("target", targetId));
    return new SignupsSettings(
        name,
        sources,
        targetId,
        job.continuous(),
        job.interval(),
        catalogSpec,
        job.maxSnapshotsPerSession());
  }
}
