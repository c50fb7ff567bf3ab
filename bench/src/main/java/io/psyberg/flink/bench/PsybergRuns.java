package io.psyberg.flink.bench;

import io.psyberg.flink.examples.PsybergCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Bounded runs of the example jobs exactly as a user starts them: {@code psyberg signups|lifecycle
 * ...}.
 */
final class PsybergRuns {
  private PsybergRuns() {}

  /**
   * One bounded signups session: new snapshots of {@code source} since the last publish, into
   * {@code target}.
   */
  static void signups(String warehouse, String process, String source, String target) {
    cli(
        "signups",
        "--warehouse",
        warehouse,
        "--process",
        process,
        "--source",
        source,
        "--target",
        target);
  }

  /**
   * One bounded lifecycle session (new events + lookback) into {@code target} and {@code
   * anomalies}.
   */
  static void lifecycle(
      String warehouse, String process, String source, String target, String anomalies) {
    cli(
        "lifecycle",
        "--warehouse",
        warehouse,
        "--process",
        process,
        "--source",
        source,
        "--target",
        target,
        "--anomalies",
        anomalies);
  }

  /**
   * A Flink SQL script run by the {@code sql} command over the warehouse's catalog {@code lake}.
   */
  static void sql(String warehouse, Path script) {
    cli("sql", "--warehouse", warehouse, "--file", script.toString());
  }

  private static void cli(String... args) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    int code = new PsybergCli().run(args, out, out);
    if (code != 0) {
      throw new IllegalStateException(
          "psyberg "
              + String.join(" ", args)
              + " exited with "
              + code
              + ":\n"
              + buffer.toString(StandardCharsets.UTF_8));
    }
  }
}
