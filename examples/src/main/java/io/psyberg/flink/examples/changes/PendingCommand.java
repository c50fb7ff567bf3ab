package io.psyberg.flink.examples.changes;

import io.psyberg.flink.changes.ChangeSettings;
import io.psyberg.flink.changes.PendingData;
import io.psyberg.flink.examples.cli.Command;
import io.psyberg.flink.examples.cli.ExitCodes;
import io.psyberg.flink.examples.cli.OptionSpec;
import io.psyberg.flink.examples.cli.ParsedArgs;
import io.psyberg.flink.examples.cli.UsageException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.TimeUtils;

/**
 * {@code pending --process P --source NS.T [--wait] [--timeout DURATION]}: a scheduler's trigger.
 * Exits 0 and prints what is new since the process's high watermark, or 3 when nothing is (with
 * {@code --wait}: once the timeout passed without new data).
 */
public final class PendingCommand implements Command {
  /** Exit code: nothing new since the high watermark. */
  public static final int NOTHING_PENDING = 3;

  /** Printed to stderr once, when {@code --wait} starts waiting. */
  public static final String WAITING = "Nothing new yet; waiting";

  @Override
  public String name() {
    return "pending";
  }

  @Override
  public String summary() {
    return "Exit 0 when a source has new data since the process's high watermark, 3 when not";
  }

  @Override
  public String synopsis() {
    return "--process P --source NS.T [--wait] [--timeout DURATION] [--format table|json]";
  }

  @Override
  public List<OptionSpec> options() {
    List<OptionSpec> all = new ArrayList<>(ChangeArgs.PLANNING);
    all.add(OptionSpec.flag("wait", "wait for new data until --timeout"));
    all.add(
        OptionSpec.value("timeout", "DURATION", "how long --wait waits (e.g. 30s, 10min)", "1h"));
    all.add(
        OptionSpec.value(
            "poll-interval", "DURATION", "how often --wait looks for new snapshots", "5s"));
    all.add(ChangeArgs.FORMAT);
    return all;
  }

  @Override
  public int execute(ParsedArgs args, PrintStream out, PrintStream err) throws Exception {
    boolean json = ChangeArgs.json(args);
    ChangeSettings settings = ChangeArgs.settings(args);
    Duration timeout = duration(args, "timeout");
    Duration interval = duration(args, "poll-interval");
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
      if (!args.has("wait") || left <= 0) {
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

  private static Duration duration(ParsedArgs args, String option) throws UsageException {
    String value = args.required(option);
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
