package io.psyberg.flink.examples.changes;

import io.psyberg.flink.changes.ChangeSettings;
import io.psyberg.flink.examples.cli.CatalogOptions;
import io.psyberg.flink.examples.cli.TableNames;
import io.psyberg.flink.examples.cli.UsageException;
import io.psyberg.flink.planning.NonAppendSnapshots;
import io.psyberg.flink.planning.StartFrom;
import javax.annotation.Nullable;
import picocli.CommandLine.Option;

/**
 * The options {@code capture} and {@code pending} share, as a mixin: how the next session is
 * planned.
 */
final class PlanningOptions {

  @Option(names = "--process", paramLabel = "P", required = true, description = "the process name")
  private String process;

  @Option(
      names = "--source",
      paramLabel = "NS.T",
      required = true,
      description = "the source table")
  private String source;

  @Option(
      names = "--change-range-column",
      paramLabel = "COL",
      description = "column whose min/max is the session's change range")
  @Nullable
  private String changeRangeColumn;

  @Option(
      names = "--max-snapshots-per-session",
      paramLabel = "N",
      defaultValue = "0",
      description = "catch-up threshold: at most N new snapshots per session (0: no cap)")
  private int maxSnapshotsPerSession;

  @Option(
      names = "--non-append-snapshots",
      paramLabel = "fail|skip",
      defaultValue = "fail",
      description = "overwrite or delete snapshots in a range (default: ${DEFAULT-VALUE})")
  private NonAppendChoice nonAppendSnapshots;

  @Option(
      names = "--start-from",
      paramLabel = "WHERE",
      defaultValue = "earliest",
      description =
          "first run: earliest | latest | snapshot:<id> | timestamp:<ISO-8601> (default:"
              + " ${DEFAULT-VALUE})")
  private String startFrom;

  @Option(
      names = "--target",
      paramLabel = "NS.T",
      description = "a target of the process, where its high watermark is read first")
  @Nullable
  private String target;

  /**
   * The values of {@code --non-append-snapshots} here: a change table references new data files, so
   * {@code changelog} (the changes of non-append snapshots) is for jobs' sources only.
   */
  enum NonAppendChoice {
    FAIL(NonAppendSnapshots.FAIL),
    SKIP(NonAppendSnapshots.SKIP);

    final NonAppendSnapshots planning;

    NonAppendChoice(NonAppendSnapshots planning) {
      this.planning = planning;
    }

    @Override
    public String toString() {
      return planning.toString();
    }
  }

  String process() {
    return process;
  }

  ChangeSettings settings(CatalogOptions catalog) throws UsageException {
    TableNames.parse("source", source);
    if (maxSnapshotsPerSession < 0) {
      throw new UsageException(
          "option '--max-snapshots-per-session' must be 0 or more, got " + maxSnapshotsPerSession);
    }
    ChangeSettings.Builder b =
        ChangeSettings.builder()
            .catalog(catalog.spec())
            .processName(process)
            .sourceTable(source)
            .changeRangeColumn(changeRangeColumn)
            .maxSnapshotsPerSession(maxSnapshotsPerSession)
            .nonAppendSnapshots(nonAppendSnapshots.planning)
            .startFrom(startFrom(startFrom));
    if (target != null) {
      TableNames.parse("target", target);
      b.targetTable(target);
    }
    return b.build();
  }

  private static StartFrom startFrom(String value) throws UsageException {
    try {
      return StartFrom.parse(value);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--start-from: " + e.getMessage());
    }
  }
}
