package io.psyberg.flink.backfill;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * One managed backfill as recorded in {@code psyberg.backfills}: which process and job it rebuilds,
 * over which event-time range ({@code [rangeFrom, rangeTo)}, both null for the whole history), from
 * which source snapshots (fixed at start, so the backfill is reproducible and resumable), into
 * which targets, and how far it got.
 *
 * @param sourceSnapshots source table to the snapshot the backfill reads it at (null: the table had
 *     no snapshot)
 * @param maxSnapshotsPerSession the chunk size asked for at start, 0 when not given
 */
@PublicEvolving
public record Backfill(
    String backfillId,
    String processName,
    String job,
    @Nullable LocalDateTime rangeFrom,
    @Nullable LocalDateTime rangeTo,
    BackfillStatus status,
    int chunksDone,
    int chunksTotal,
    long rowsWritten,
    @Nullable String validation,
    @Nullable String validationReport,
    Map<String, Long> sourceSnapshots,
    List<String> targetTables,
    int maxSnapshotsPerSession,
    @Nullable String error,
    Instant startedAt,
    @Nullable Instant finishedAt) {

  /** A backfill just started: nothing built yet. */
  public static Backfill started(
      String backfillId,
      String processName,
      String job,
      @Nullable LocalDateTime rangeFrom,
      @Nullable LocalDateTime rangeTo,
      Map<String, Long> sourceSnapshots,
      List<String> targetTables,
      int maxSnapshotsPerSession,
      int chunksTotal) {
    return new Backfill(
        backfillId,
        processName,
        job,
        rangeFrom,
        rangeTo,
        BackfillStatus.STARTED,
        0,
        chunksTotal,
        0L,
        null,
        null,
        Collections.unmodifiableMap(new LinkedHashMap<>(sourceSnapshots)),
        List.copyOf(targetTables),
        maxSnapshotsPerSession,
        null,
        Instant.now(),
        null);
  }

  /** The branch of every target that this backfill writes. */
  public String branch() {
    return BackfillBranch.name(backfillId);
  }

  /** Whether the backfill covers the whole history rather than a range. */
  public boolean coversAll() {
    return rangeFrom == null && rangeTo == null;
  }

  public Backfill withStatus(BackfillStatus newStatus) {
    return copy(
        newStatus,
        chunksDone,
        rowsWritten,
        validation,
        validationReport,
        newStatus == BackfillStatus.FAILED ? error : null,
        newStatus.isFinal() ? Instant.now() : finishedAt);
  }

  public Backfill withProgress(int done, long rows) {
    return copy(status, done, rows, validation, validationReport, error, finishedAt);
  }

  public Backfill withValidation(String summary, String report) {
    return copy(status, chunksDone, rowsWritten, summary, report, error, finishedAt);
  }

  /** The backfill failed with {@code message}; resume may continue it. */
  public Backfill failed(String message) {
    return copy(
        BackfillStatus.FAILED,
        chunksDone,
        rowsWritten,
        validation,
        validationReport,
        message,
        finishedAt);
  }

  /** An error kept without changing the status (a publish refused because main moved). */
  public Backfill withError(@Nullable String message) {
    return copy(status, chunksDone, rowsWritten, validation, validationReport, message, finishedAt);
  }

  /** This backfill with the fields that change over its life replaced. */
  private Backfill copy(
      BackfillStatus newStatus,
      int newChunksDone,
      long newRowsWritten,
      @Nullable String newValidation,
      @Nullable String newValidationReport,
      @Nullable String newError,
      @Nullable Instant newFinishedAt) {
    return new Backfill(
        backfillId,
        processName,
        job,
        rangeFrom,
        rangeTo,
        newStatus,
        newChunksDone,
        chunksTotal,
        newRowsWritten,
        newValidation,
        newValidationReport,
        sourceSnapshots,
        targetTables,
        maxSnapshotsPerSession,
        newError,
        startedAt,
        newFinishedAt);
  }
}
