package io.psyberg.flink.planning;

import io.psyberg.flink.PsybergException;
import java.util.Locale;
import org.apache.iceberg.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What planning does where a source's history cannot say which rows are new since the high
 * watermark: fail with a message that says why and what to do, or go on by the process's
 * 'on-lost-hwm' / 'non-append-snapshots' choice (logged).
 */
final class LostHistory {
  private static final Logger LOG = LoggerFactory.getLogger(LostHistory.class);

  private final SessionSettings settings;

  LostHistory(SessionSettings settings) {
    this.settings = settings;
  }

  /**
   * The high watermark is not on main's lineage and cannot be placed after an expired stretch:
   * fails, or (on-lost-hwm = earliest | reprocess-by-key) goes on reading every live row.
   */
  void lost(String name, Table table, long hwm, boolean expiredStretch) {
    if (settings.onLostHighWatermark() == OnLostHighWatermark.FAIL) {
      throw lostError(name, table, hwm, expiredStretch);
    }
    LOG.warn(
        "Process {}: high watermark {} of {} is lost ({}); reprocessing every live row"
            + " ('on-lost-hwm' = '{}').",
        settings.processName(),
        hwm,
        name,
        whyLost(table, expiredStretch),
        policy());
  }

  /** The error {@link #lost} fails with (also for code that re-reads what was processed). */
  PsybergException lostError(String name, Table table, long hwm, boolean expiredStretch) {
    return new PsybergException(
        String.format(
            "Process %s: the high watermark of source table %s is snapshot %d, %s. Nothing was"
                + " read or published. For a target keyed by its primary key (write-mode upsert)"
                + " set 'on-lost-hwm' = 'reprocess-by-key' to reprocess every live row once (the"
                + " target absorbs the repeats); 'on-lost-hwm' = 'earliest' does the same for any"
                + " target, which doubles rows in an append target.",
            settings.processName(), name, hwm, whyLost(table, expiredStretch)));
  }

  private static String whyLost(Table table, boolean expiredStretch) {
    return !expiredStretch
        ? "which is no longer an ancestor of main (the table was rolled back, or the snapshot"
            + " replaced)"
        : AddedFiles.formatVersion(table) < 2
            ? "which was expired together with the snapshots after it, and a format v1 table"
                + " has no sequence numbers to tell the rows added since"
            : "which was expired together with the snapshots after it, and no record of its"
                + " sequence number was found (it was published by an earlier version of"
                + " psyberg, or is not on main's lineage)";
  }

  void rewritten(String name, Long from, ExpiredStretch stretch) {
    if (settings.onLostHighWatermark() == OnLostHighWatermark.FAIL) {
      throw rewrittenError(name, stretch);
    }
    LOG.warn(
        "Process {}: {} was compacted in snapshots expired before they were read ({} processed rows"
            + " rewritten); reprocessing every live row after {} ('on-lost-hwm' = '{}').",
        settings.processName(),
        name,
        stretch.from.totalRecords() - stretch.processedRows,
        from,
        policy());
  }

  /** The error {@link #rewritten} fails with (also for code that re-reads what was processed). */
  PsybergException rewrittenError(String name, ExpiredStretch stretch) {
    long missing = stretch.from.totalRecords() - stretch.processedRows;
    return new PsybergException(
        String.format(
            "Process %s: source table %s was compacted (data files rewritten) or had rows"
                + " deleted in snapshots that were expired before this process read them: %d of"
                + " the %d rows it had processed up to its high watermark, %s, are no longer in"
                + " files of their own, so the history cannot tell the new rows from the"
                + " processed ones. Nothing was read or published. For a target keyed by its"
                + " primary key (write-mode upsert) set 'on-lost-hwm' = 'reprocess-by-key' to"
                + " reprocess every live row once (the target absorbs the repeats); an append"
                + " target cannot absorb them (rebuild it, e.g. with a backfill). To avoid this,"
                + " expire a source's snapshots only after the process has read them (README,"
                + " 'Tables under maintenance').",
            settings.processName(), name, missing, stretch.from.totalRecords(), stretch.from));
  }

  void checkDeletes(String name, ExpiredStretch stretch) {
    if (stretch.newDeleteFiles > 0 && settings.nonAppendSnapshots() == NonAppendSnapshots.FAIL) {
      throw new PsybergException(
          String.format(
              "Process %s: source table %s has %d row-level delete files written in snapshots"
                  + " that were expired before this process read them (after %s); incremental"
                  + " processing reads appended rows only. Nothing was read or published. Set"
                  + " 'non-append-snapshots' = 'skip' to read the rows added there without the"
                  + " deletes, or repair the source table.",
              settings.processName(), name, stretch.newDeleteFiles, stretch.from));
    }
  }

  private String policy() {
    return settings.onLostHighWatermark().name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
