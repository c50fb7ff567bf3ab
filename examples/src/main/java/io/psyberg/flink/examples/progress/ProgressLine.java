package io.psyberg.flink.examples.progress;

import java.io.PrintStream;
import java.time.Duration;

/**
 * A one-line status of a long command (rows written, sessions published, rate), redrawn in place on
 * a terminal. It is quiet, printing nothing at all, when the JVM has no console (output piped or
 * redirected) or when the command writes to a stream other than the process's own, as in tests and
 * the demo's captured steps.
 */
public final class ProgressLine implements AutoCloseable {
  private static final long REDRAW_NANOS = Duration.ofMillis(200).toNanos();
  private static final String CLEAR_TO_END = "\u001b[K";

  private final PrintStream stream;
  private final boolean enabled;
  private long lastDraw;
  private volatile boolean shown;
  private Thread endOnExit;

  ProgressLine(PrintStream stream, boolean enabled) {
    this.stream = stream;
    this.enabled = enabled;
  }

  /** A line on {@code stream}, enabled only when it is the terminal of this process. */
  public static ProgressLine on(PrintStream stream) {
    return new ProgressLine(stream, onTerminal(stream));
  }

  /** Whether {@code stream} is this process's standard output or error on a terminal. */
  public static boolean onTerminal(PrintStream stream) {
    return System.console() != null && (stream == System.out || stream == System.err);
  }

  public boolean enabled() {
    return enabled;
  }

  /** Redraws the line with {@code text}, at most every 200 ms. */
  public void update(String text) {
    long now = System.nanoTime();
    if (shown && now - lastDraw < REDRAW_NANOS) {
      return;
    }
    draw(text);
    lastDraw = now;
  }

  /** Redraws the line with {@code text} now. */
  public void draw(String text) {
    if (!enabled) {
      return;
    }
    if (endOnExit == null) {
      // Ctrl-C ends the JVM: the shell's prompt then starts on a line of its own.
      endOnExit = new Thread(this::endLine, "psyberg-progress-line");
      try {
        Runtime.getRuntime().addShutdownHook(endOnExit);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is ending; close() or nobody ends the line
      }
    }
    stream.print("\r" + text + CLEAR_TO_END);
    stream.flush();
    shown = true;
  }

  /** Erases the line, so that other output starts on a clean line; the next update redraws. */
  public void clear() {
    if (enabled && shown) {
      stream.print("\r" + CLEAR_TO_END);
      stream.flush();
      shown = false;
    }
  }

  /** Ends the line: the last status stays on screen and later output starts below it. */
  @Override
  public void close() {
    endLine();
    if (endOnExit != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(endOnExit);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs or has run
      }
      endOnExit = null;
    }
  }

  private synchronized void endLine() {
    if (enabled && shown) {
      stream.println();
      stream.flush();
      shown = false;
    }
  }

  /** {@code count} per second over {@code elapsed}. */
  public static long perSecond(long count, Duration elapsed) {
    double seconds = Math.max(0.001, elapsed.toMillis() / 1000.0);
    return Math.round(count / seconds);
  }

  /** {@code H:MM:SS}. */
  public static String clock(Duration d) {
    return String.format("%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
  }
}
