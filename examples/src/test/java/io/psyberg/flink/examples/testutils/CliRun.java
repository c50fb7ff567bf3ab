package io.psyberg.flink.examples.testutils;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.examples.PsybergCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** One in-process run of the CLI: exit code, stdout and stderr. */
public record CliRun(int exitCode, String out, String err) {

  /** Runs {@code args} through {@link PsybergCli#run}. */
  public static CliRun of(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = new PsybergCli().run(args, o, e);
    }
    return new CliRun(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Asserts that {@code run} exited 0 (the message shows its output) and returns it. */
  public static CliRun ok(CliRun run) {
    assertThat(run.exitCode()).as(run.toString()).isZero();
    return run;
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
  }

  /** Starts {@code args} on a thread of its own: a command that runs until stopped. */
  public static Running start(String threadName, String... args) {
    AtomicReference<CliRun> result = new AtomicReference<>();
    Thread thread = new Thread(() -> result.set(of(args)), threadName);
    thread.start();
    return new Running(thread, result);
  }

  /** A command running on its own thread (e.g. a continuous job) until {@link #stop()}. */
  public record Running(Thread thread, AtomicReference<CliRun> result) {
    public boolean isAlive() {
      return thread.isAlive();
    }

    /**
     * Interrupts the command, as Ctrl-C does, and returns its run once it has returned (null when
     * it did not return within a minute).
     */
    public CliRun stop() throws InterruptedException {
      thread.interrupt();
      thread.join(TimeUnit.SECONDS.toMillis(60));
      return result.get();
    }
  }
}
