package io.psyberg.flink.examples.changes;

import io.psyberg.flink.changes.ChangeSettings;
import io.psyberg.flink.changes.PendingData;
import io.psyberg.flink.examples.cli.CatalogOptions;
import io.psyberg.flink.examples.cli.ExitCodes;
import io.psyberg.flink.examples.cli.FormatOption;
import io.psyberg.flink.examples.cli.PsybergCommand;
import io.psyberg.flink.examples.cli.UsageException;
import java.io.PrintStream;
import java.time.Duration;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pending --process P --source NS.T [--wait] [--timeout DURATION]}: a scheduler's trigger.
 * Exits 0 and prints what is new since the process's high watermark, or 3 when nothing is (with
 * {@code --wait}: once the timeout passed without new data).
 */
@Command(
    name = "pending",
    description =
        "Exit 0 when a source has new data since the process's high watermark, 3 when not.",
    customSynopsis =
        "${COMMAND-FULL-NAME} --process P --source NS.T [--wait] [--timeout DURATION] [--format"
            + " table|json] [catalog options]",
    exitCodeList = {
      "0:new data since the high watermark",
      "1:the check failed",
      "2:bad arguments: nothing was run",
      "3:nothing new (with --wait: until the timeout)"
    })
public final class PendingCommand extends PsybergCommand {
  /** Exit code: nothing new since the high watermark. */
  public static final int NOTHING_PENDING = 3;

  /** Printed to stderr once, when {@code --wait} starts waiting. */
  public static final String WAITING = "Nothing new yet; waiting";

  @Mixin private PlanningOptions planning;

  @Option(names = "--wait", description = "wait for new data until --timeout")
  private boolean wait;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "1h",
      description = "how long --wait waits, e.g. 30s, 10min (default: ${DEFAULT-VALUE})")
  private String timeoutOption;

  @Option(
      names = "--poll-interval",
      paramLabel = "DURATION",
      defaultValue = "5s",
      description = "how often --wait looks for new snapshots (default: ${DEFAULT-VALUE})")
  private String pollOption;

  @Mixin private FormatOption format;

  @Mixin private CatalogOptions catalog;

  @Override
  protected int execute(PrintStream out, PrintStream err) throws Exception {
    boolean json = format.json();
    ChangeSettings settings = planning.settings(catalog);
    Duration timeout = duration("timeout", timeoutOption);
    Duration interval = duration("poll-interval", pollOption);
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean announced = false;
    while (true) {
      PendingData pending = PendingData.check(settings);
      if (pending.hasNewData()) {
        new RangeReport()
            .put("process_name", settings.processName())
            .put("pending", true)
            .range(pending.range())
            .print(out, json);
        return ExitCodes.OK;
      }
      long left = deadline - System.nanoTime();
      if (!wait || left <= 0) {
        new RangeReport()
            .put("process_name", settings.processName())
            .put("pending", false)
            .range(pending.range())
            .print(out, json);
        return NOTHING_PENDING;
      }
      if (!announced) {
        err.println(
            WAITING
                + " up to "
                + TimeUtils.formatWithHighestUnit(timeout)
                + " for new snapshots of "
                + settings.sourceTable()
                + " after the high watermark of process "
                + settings.processName()
                + ".");
        err.flush();
        announced = true;
      }
      Thread.sleep(Math.max(1, Math.min(interval.toMillis(), left / 1_000_000)));
    }
  }

  private static Duration duration(String option, String value) throws UsageException {
    try {
      Duration d = TimeUtils.parseDuration(value);
      if (d.isNegative()) {
        throw new IllegalArgumentException("negative");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new UsageException(
          "--" + option + " must be a duration such as 30s, 10min or 1h, not '" + value + "'");
    }
  }
}
