package io.psyberg.flink.examples.generate;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.cli.CatalogOptions;
import io.psyberg.flink.examples.cli.ExitCodes;
import io.psyberg.flink.examples.cli.PsybergCommand;
import io.psyberg.flink.examples.cli.TableNames;
import io.psyberg.flink.examples.cli.UsageException;
import io.psyberg.flink.examples.progress.ProgressLine;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import javax.annotation.Nullable;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code generate --table NS.T --accounts N --events M [--late-fraction F] [--bad-fraction F]
 * [--seed S]}: appends one snapshot of synthetic membership events to an Iceberg table, creating it
 * when missing. Written with Iceberg's generic Parquet writer, no Flink job.
 */
@Command(
    name = "generate",
    description =
        "Appends one snapshot of synthetic membership events (with late and bad ones) to a table,"
            + " creating it if needed.",
    customSynopsis =
        "${COMMAND-FULL-NAME} --table NS.T --accounts N --events M [--late-fraction F]"
            + " [--bad-fraction F] [--seed S] [catalog options]")
public final class GenerateCommand extends PsybergCommand {
  private static final long MAX_EVENTS = 100_000_000L;

  @Option(
      names = "--table",
      paramLabel = "NS.T",
      required = true,
      description = "the event table, e.g. membership.events")
  private String table;

  @Option(
      names = "--accounts",
      paramLabel = "N",
      required = true,
      description = "events go to accounts 1..N")
  private long accounts;

  @Option(
      names = "--events",
      paramLabel = "M",
      required = true,
      description = "rows in the snapshot")
  private long events;

  @Option(
      names = "--late-fraction",
      paramLabel = "F",
      defaultValue = "0",
      description =
          "share of rows dated in the "
              + EventBatchGenerator.LATE_DAYS
              + " days before the batch's day (default: ${DEFAULT-VALUE})")
  private double late;

  @Option(
      names = "--bad-fraction",
      paramLabel = "F",
      defaultValue = "0",
      description =
          "share of rows that are anomalies (unknown type, missing plan, invalid transition)"
              + " (default: ${DEFAULT-VALUE})")
  private double bad;

  @Option(
      names = "--seed",
      paramLabel = "S",
      description = "random seed; the same seed on the same table gives the same rows")
  @Nullable
  private Long seed;

  @Mixin private CatalogOptions catalog;

  @Override
  protected int execute(PrintStream out, PrintStream err) throws Exception {
    TableIdentifier id = TableNames.parse("table", table);
    GenerateSettings settings = settings();
    CatalogSpec catalogSpec = catalog.spec();
    Catalog opened = catalogSpec.open();
    try (ProgressLine progress = ProgressLine.on(err)) {
      Table target = MembershipTable.loadOrCreate(opened, id);
      EventHistory history = MembershipTable.readHistory(target);
      progress.draw("generate: making " + String.format("%,d", settings.events()) + " events ...");
      GeneratedBatch batch = new EventBatchGenerator(settings, history).generate();
      long start = System.nanoTime();
      Snapshot snapshot =
          BatchWriter.append(
              target,
              batch.events(),
              written -> progress.update(written(written, batch.events().size(), start)));
      progress.draw(written(batch.events().size(), batch.events().size(), start));
      progress.close();
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
      CatalogSpec.close(opened);
    }
  }

  private static String written(long rows, long total, long startNanos) {
    Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
    return String.format(
        "generate: %,d/%,d rows written (%d%%), %,d rows/s",
        rows, total, total == 0 ? 100 : rows * 100 / total, ProgressLine.perSecond(rows, elapsed));
  }

  private GenerateSettings settings() throws UsageException {
    if (accounts < 1 || accounts > Integer.MAX_VALUE) {
      throw new UsageException(
          "option '--accounts' must be between 1 and " + Integer.MAX_VALUE + ", got " + accounts);
    }
    if (events < 1 || events > MAX_EVENTS) {
      throw new UsageException(
          "option '--events' must be between 1 and "
              + MAX_EVENTS
              + " per snapshot (call generate again for more), got "
              + events);
    }
    fraction("late-fraction", late);
    fraction("bad-fraction", bad);
    if (late + bad > 1.0) {
      throw new UsageException(
          "options '--late-fraction' and '--bad-fraction' add up to more than 1");
    }
    long s = seed != null ? seed : ThreadLocalRandom.current().nextLong();
    return new GenerateSettings((int) accounts, (int) events, late, bad, s);
  }

  private static void fraction(String option, double value) throws UsageException {
    if (!(value >= 0.0 && value <= 1.0)) {
      throw new UsageException(
          "option '--" + option + "' must be a number between 0 and 1, got " + value);
    }
  }
}
