package io.psyberg.flink.examples.backfill;

import io.psyberg.flink.backfill.Backfill;
import io.psyberg.flink.backfill.BackfillBranch;
import io.psyberg.flink.backfill.BackfillStatus;
import io.psyberg.flink.backfill.SnapshotFiles;
import io.psyberg.flink.examples.cli.CommandException;
import io.psyberg.flink.metadata.BackfillLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;

/**
 * Validates a built backfill: per target, audits on its branch and a comparison with main over the
 * range, kept in the backfill's row (a one-line summary in {@code validation}, the JSON report in
 * {@code validation_report}). Passing audits make it {@code VALIDATED}, ready to publish.
 */
public final class BackfillValidation {

  /** The outcome: the backfill as recorded now, and one comparison per target. */
  public record Result(Backfill backfill, List<TargetComparison> targets) {
    public boolean passed() {
      return targets.stream().allMatch(TargetComparison::auditsPassed);
    }
  }

  private BackfillValidation() {}

  public static Result validate(
      Catalog catalog, BackfillLog log, Backfill backfill, BackfillJob job)
      throws CommandException {
    if (backfill.status() != BackfillStatus.BUILT
        && backfill.status() != BackfillStatus.VALIDATED) {
      throw new CommandException(
          "backfill "
              + backfill.backfillId()
              + " is "
              + backfill.status()
              + "; only a BUILT backfill can be validated (or a VALIDATED one again)"
              + (backfill.status().canBuild()
                  ? ". Finish it first: backfill resume " + backfill.backfillId()
                  : "."));
    }
    List<TargetComparison> out = new ArrayList<>();
    for (Map.Entry<String, Expression> target : job.ranges().entrySet()) {
      Table table = catalog.loadTable(TableIdentifier.parse(target.getKey()));
      table.refresh();
      List<Record> main =
          table.currentSnapshot() == null
              ? List.of()
              : SnapshotFiles.read(
                  table, table.currentSnapshot().snapshotId(), target.getValue(), seq -> true);
      List<Record> branch = BackfillBranch.rows(table, backfill.backfillId(), target.getValue());
      out.add(TargetComparison.of(target.getKey(), table.schema(), main, branch));
    }
    boolean passed = out.stream().allMatch(TargetComparison::auditsPassed);
    String summary =
        (passed ? "audits passed; " : "AUDITS FAILED; ")
            + out.stream().map(TargetComparison::summary).collect(Collectors.joining("; "));
    Backfill validated =
        backfill
            .withValidation(summary, ValidationReport.json(backfill, out))
            .withStatus(passed ? BackfillStatus.VALIDATED : BackfillStatus.BUILT);
    log.record(validated);
    return new Result(validated, out);
  }
}
