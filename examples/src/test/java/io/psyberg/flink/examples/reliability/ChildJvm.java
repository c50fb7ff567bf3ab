package io.psyberg.flink.examples.reliability;

import io.psyberg.flink.examples.PsybergCli;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The command line ({@link PsybergCli}) in a child JVM with the test's classpath and Java 17 flags,
 * so that a test can kill it with SIGKILL at any moment: {@link Process#destroyForcibly()} sends
 * SIGKILL on Linux, and the child's embedded MiniCluster dies with it, with no shutdown hook or
 * finally block running.
 */
final class ChildJvm {
  private final Process process;
  private final StringBuffer output = new StringBuffer();

  private ChildJvm(Process process) {
    this.process = process;
    Thread reader = new Thread(this::drain, "child-jvm-output");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Psyberg's INFO lines (planned, staged, audited, published ...) on the child's output, so that a
   * test can see how far the job got; everything else stays at WARN.
   */
  private static final String LOG_CONFIG =
      String.join(
          "\n",
          "rootLogger.level = WARN",
          "rootLogger.appenderRef.console.ref = console",
          "appender.console.type = Console",
          "appender.console.name = console",
          "appender.console.layout.type = PatternLayout",
          "appender.console.layout.pattern = %d{HH:mm:ss.SSS} %-5p %c{1} - %m%n",
          "logger.psyberg.name = io.psyberg.flink",
          "logger.psyberg.level = INFO",
          "logger.hadoop.name = org.apache.hadoop",
          "logger.hadoop.level = ERROR",
          "");

  /** Starts {@code PsybergCli args}; the child's temp files go under {@code tmp}. */
  static ChildJvm start(Path tmp, String... args) throws IOException {
    return start(tmp, PsybergCli.class, args);
  }

  /** Starts the {@code main} of a class on the test's classpath. */
  static ChildJvm start(Path tmp, Class<?> main, String... args) throws IOException {
    Files.createDirectories(tmp);
    Path logConfig = Files.writeString(tmp.resolve("log4j2-child.properties"), LOG_CONFIG);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-") || arg.startsWith("-XX:+IgnoreUnrecognizedVMOptions")) {
        cmd.add(arg); // the Java 17 flags Flink needs (the parent pom's java17.flags)
      }
    }
    cmd.add("-Xmx512m");
    cmd.add("-XX:TieredStopAtLevel=1"); // a short-lived JVM: start fast rather than peak
    cmd.add("-Djava.io.tmpdir=" + tmp);
    cmd.add("-Dlog4j.configurationFile=" + logConfig.toUri());
    cmd.add("-cp");
    cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    return new ChildJvm(new ProcessBuilder(cmd).redirectErrorStream(true).start());
  }

  private void drain() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        output.append(line).append('\n');
      }
    } catch (IOException ignored) {
      // the child was killed
    }
  }

  /**
   * Waits until the output contains {@code text}; false when the child ended or the time ran out
   * first.
   */
  boolean awaitOutput(String text, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (System.nanoTime() < deadline) {
      if (output.indexOf(text) >= 0) {
        return true;
      }
      if (!process.isAlive()) {
        return output.indexOf(text) >= 0;
      }
      Thread.sleep(10);
    }
    return false;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL, then waits for the process to be gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** Waits for the child to end by itself; returns its exit code. */
  int waitFor(long timeoutSeconds) throws InterruptedException {
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      kill();
      throw new AssertionError(
          "the child JVM did not finish in " + timeoutSeconds + " s:\n" + output);
    }
    return process.exitValue();
  }

  /** The last output line that contains {@code text}, or "-" if none does. */
  String lastLine(String text) {
    String[] lines = output.toString().split("\n");
    for (int i = lines.length - 1; i >= 0; i--) {
      if (lines[i].contains(text)) {
        return lines[i];
      }
    }
    return "-";
  }

  String output() {
    return output.toString();
  }
}
