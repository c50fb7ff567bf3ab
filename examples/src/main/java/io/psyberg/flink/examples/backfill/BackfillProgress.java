package io.psyberg.flink.examples.backfill;

import io.psyberg.flink.backfill.Backfill;
import io.psyberg.flink.examples.progress.ProgressLine;
import java.time.Duration;
import java.time.Instant;

/** The status of a running backfill for its {@link ProgressLine}: chunks, rows, rate and ETA. */
final class BackfillProgress {
  private static final int WIDTH = 24;

  private BackfillProgress() {}

  static String of(Backfill b, Instant now) {
    int total = Math.max(1, b.chunksTotal());
    int filled = (int) ((long) WIDTH * b.chunksDone() / total);
    Duration elapsed = Duration.between(b.startedAt(), now);
    String eta =
        b.chunksDone() == 0
            ? "?"
            : ProgressLine.clock(
                Duration.ofMillis(
                    Math.max(0, elapsed.toMillis()) * (total - b.chunksDone()) / b.chunksDone()));
    return String.format(
        "[%s%s] %d/%d chunks, %,d rows, %,d rows/s, ETA %s",
        "#".repeat(filled),
        "-".repeat(WIDTH - filled),
        b.chunksDone(),
        b.chunksTotal(),
        b.rowsWritten(),
        ProgressLine.perSecond(b.rowsWritten(), elapsed),
        eta);
  }
}
