package io.psyberg.flink.examples.backfill;

import io.psyberg.flink.PsybergException;
import io.psyberg.flink.backfill.Backfill;
import io.psyberg.flink.backfill.BackfillBranch;
import io.psyberg.flink.backfill.BackfillPublish;
import io.psyberg.flink.backfill.BackfillStatus;
import io.psyberg.flink.backfill.SnapshotFiles;
import io.psyberg.flink.examples.cli.CommandException;
import io.psyberg.flink.metadata.BackfillLog;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * Publishes a validated backfill. The rule: rows the live process published meanwhile survive, none
 * lost and none doubled. First each branch is brought up to the live process's current high
 * watermark: the source snapshots between the backfill's fixed snapshots and that watermark are
 * processed into the branch, restricted to the range. Then each target's range on main is replaced
 * by its branch's rows in one commit, refused (nothing published, retry) when the range on main
 * changed after the watermark was read. The process's high watermark and tag are not touched.
 */
public final class BackfillPublishing {
  private BackfillPublishing() {}

  /**
   * Publishes and returns the backfill as recorded now ({@code PUBLISHED}, branches dropped).
   *
   * @throws CommandException when the backfill is not validated, the live process's targets are not
   *     level, or main moved in the range meanwhile (retry)
   */
  public static Backfill publish(
      Catalog catalog, BackfillLog log, Backfill backfill, BackfillJob job)
      throws CommandException {
    String id = backfill.backfillId();
    if (backfill.status() == BackfillStatus.PUBLISHED) {
      return backfill;
    }
    if (backfill.status() != BackfillStatus.VALIDATED) {
      throw new CommandException(
          "backfill "
              + id
              + " is "
              + backfill.status()
              + "; only a VALIDATED backfill is published. "
              + (backfill.status() == BackfillStatus.BUILT
                  ? "Review it first with: backfill validate " + id
                  : backfill.status().canBuild()
                      ? "Finish it first with: backfill resume " + id + ", then validate it"
                      : "Start a new backfill of the range"));
    }
    List<ProcessTargets.Target> live = new ArrayList<>();
    for (String name : job.ranges().keySet()) {
      Table table = catalog.loadTable(TableIdentifier.parse(name));
      live.add(ProcessTargets.read(name, table, backfill.processName()));
    }
    Map<String, Long> hwm = ProcessTargets.sharedHighWatermark(backfill.processName(), live);
    try {
      for (ProcessTargets.Target target : live) {
        catchUp(catalog, target, backfill, hwm, job);
      }
      for (ProcessTargets.Target target : live) {
        BackfillPublish.publish(
            target.table(), id, job.ranges().get(target.name()), target.mainSnapshot());
      }
    } catch (PsybergException e) {
      log.record(backfill.withError(e.getMessage()));
      throw new CommandException(e.getMessage(), e);
    }
    for (ProcessTargets.Target target : live) {
      BackfillBranch.drop(target.table(), id);
    }
    Backfill published = backfill.withStatus(BackfillStatus.PUBLISHED);
    log.record(published);
    return published;
  }

  /** Brings the target's branch from where it is up to the live high watermark {@code hwm}. */
  private static void catchUp(
      Catalog catalog,
      ProcessTargets.Target target,
      Backfill backfill,
      Map<String, Long> hwm,
      BackfillJob job)
      throws CommandException {
    String id = backfill.backfillId();
    Map<String, Long> at =
        BackfillBranch.caughtUpTo(target.table(), id).orElse(backfill.sourceSnapshots());
    if (at.equals(hwm)) {
      return;
    }
    for (Map.Entry<String, Long> source : at.entrySet()) {
      Table table = target.table();
      Table sourceTable = catalog.loadTable(TableIdentifier.parse(source.getKey()));
      long from = SnapshotFiles.sequenceNumber(sourceTable, source.getValue());
      long to = SnapshotFiles.sequenceNumber(sourceTable, hwm.get(source.getKey()));
      if (!hwm.containsKey(source.getKey()) || to < from) {
        throw new CommandException(
            String.format(
                "the high watermark of process %s in %s (%s) is behind the source snapshots of"
                    + " backfill %s (%s): was the process reset? Abort the backfill (backfill"
                    + " abort %s) and start a new one.",
                backfill.processName(), table.name(), hwm, id, at, id));
      }
    }
    BackfillJob.Replacement replacement =
        job.catchUp(new LinkedHashMap<>(at), hwm).get(target.name());
    BackfillBranch.commitCatchUp(
        target.table(), id, hwm, replacement.replaced(), replacement.rows());
  }
}
