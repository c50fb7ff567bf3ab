package io.psyberg.flink.examples.generate;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.cli.CatalogArgs;
import io.psyberg.flink.examples.cli.Command;
import io.psyberg.flink.examples.cli.ExitCodes;
import io.psyberg.flink.examples.cli.OptionSpec;
import io.psyberg.flink.examples.cli.ParsedArgs;
import io.psyberg.flink.examples.cli.TableNames;
import io.psyberg.flink.examples.cli.UsageException;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * {@code generate --table NS.T --accounts N --events M [--late-fraction F] [--bad-fraction F]
 * [--seed S]}: appends one snapshot of synthetic membership events to an Iceberg table, creating it
 * when missing. Written with Iceberg's generic Parquet writer, no Flink job.
 */
public final class GenerateCommand implements Command {

  @Override
  public String name() {
    return "generate";
  }

  @Override
  public String summary() {
    return "Appends one snapshot of synthetic membership events (with late and bad ones) to a"
        + " table, creating it if needed";
  }

  @Override
  public String synopsis() {
    return "--table NS.T --accounts N --events M [--late-fraction F] [--bad-fraction F] [--seed S]";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(
        OptionSpec.value("table", "NS.T", "the event table, e.g. membership.events"),
        OptionSpec.value("accounts", "N", "events go to accounts 1..N"),
        OptionSpec.value("events", "M", "rows in the snapshot"),
        OptionSpec.value(
            "late-fraction",
            "F",
            "share of rows dated in the "
                + EventBatchGenerator.LATE_DAYS
                + " days before the batch's day",
            "0"),
        OptionSpec.value(
            "bad-fraction",
            "F",
            "share of rows that are anomalies (unknown type, missing plan, invalid transition)",
            "0"),
        OptionSpec.value(
            "seed", "S", "random seed; the same seed on the same table gives the same rows"));
  }

  @Override
  public int execute(ParsedArgs args, PrintStream out, PrintStream err) throws Exception {
    TableIdentifier id = TableNames.parse("table", args.required("table"));
    GenerateSettings settings = settings(args);
    CatalogSpec catalogSpec = CatalogArgs.spec(args);
    Catalog catalog = catalogSpec.open();
    try {
      Table table = MembershipTable.loadOrCreate(catalog, id);
      EventHistory history = MembershipTable.readHistory(table);
      GeneratedBatch batch = new EventBatchGenerator(settings, history).generate();
      Snapshot snapshot = BatchWriter.append(table, batch.events());
      out.printf(
          "generated table=%s snapshot=%d rows=%d late=%d bad=%d accounts=%d day=%s seed=%d%n",
          id,
          snapshot.snapshotId(),
          batch.events().size(),
          batch.late(),
          batch.bad(),
          settings.accounts(),
          batch.day(),
          settings.seed());
      return ExitCodes.OK;
    } finally {
      CatalogSpec.close(catalog);
    }
  }

  private static GenerateSettings settings(ParsedArgs args) throws UsageException {
    long accounts = args.requiredLong("accounts", 1);
    long events = args.requiredLong("events", 1);
    if (accounts > Integer.MAX_VALUE) {
      throw new UsageException("option '--accounts' must be at most " + Integer.MAX_VALUE);
    }
    if (events > 100_000_000L) {
      throw new UsageException(
          "option '--events' must be at most 100000000 per snapshot (call generate again)");
    }
    double late = args.fraction("late-fraction");
    double bad = args.fraction("bad-fraction");
    if (late + bad > 1.0) {
      throw new UsageException(
          "options '--late-fraction' and '--bad-fraction' add up to more than 1");
    }
    long seed = args.optionalLong("seed").orElseGet(() -> ThreadLocalRandom.current().nextLong());
    return new GenerateSettings((int) accounts, (int) events, late, bad, seed);
  }
}
