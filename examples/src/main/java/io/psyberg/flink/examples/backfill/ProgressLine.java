package io.psyberg.flink.examples.backfill;

import io.psyberg.flink.backfill.Backfill;
import java.time.Duration;
import java.time.Instant;

/**
 * A one-line progress bar of a running backfill: chunks, rows, rate and ETA. Shown only on a
 * terminal (it redraws itself with a carriage return), never when output is piped.
 */
final class ProgressLine {
  private static final int WIDTH = 24;

  private ProgressLine() {}

  static boolean onTerminal() {
    return System.console() != null;
  }

  static String of(Backfill b, Instant now) {
    int total = Math.max(1, b.chunksTotal());
    int filled = (int) ((long) WIDTH * b.chunksDone() / total);
    double seconds = Math.max(0.001, Duration.between(b.startedAt(), now).toMillis() / 1000.0);
    long rate = Math.round(b.rowsWritten() / seconds);
    String eta =
        b.chunksDone() == 0
            ? "?"
            : format(
                Duration.ofMillis(
                    Math.round(seconds * 1000 * (total - b.chunksDone()) / b.chunksDone())));
    return String.format(
        "[%s%s] %d/%d chunks, %,d rows, %,d rows/s, ETA %s",
        "#".repeat(filled),
        "-".repeat(WIDTH - filled),
        b.chunksDone(),
        b.chunksTotal(),
        b.rowsWritten(),
        rate,
        eta);
  }

  private static String format(Duration d) {
    return String.format("%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
  }
}
