package io.psyberg.flink.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the JVM of a bounded {@code signups} or {@code lifecycle} command with SIGKILL at seeded
 * random moments of its job, several times while new batches land, then re-runs the command to
 * completion: exactly once must hold (the published targets equal the expected result, no session
 * published twice, {@code psyberg.sessions} and {@code psyberg.high_watermarks} agree with what was
 * published), and after every kill what was published must match the published high watermark. Run
 * with {@code -Dpsyberg.faults.seed=N} to vary the moments.
 */
class ProcessCrashITCase {
  static final long SEED = Long.getLong("psyberg.faults.seed", 20261125L);

  /**
   * Logged by the source when the job has planned its session (not the client-side lookback plan).
   */
  private static final String PLANNED = "planned session s-";

  /**
   * Logged by the committer when it published a session (the job's last step before its metadata
   * update).
   */
  private static final String PUBLISHED = "published session s-";

  private static final String EVENTS = "membership.events";

  @TempDir Path dir;
  private Warehouse wh;
  private final List<String> kills = new ArrayList<>();

  @BeforeEach
  void open() {
    wh = new Warehouse(dir.resolve("warehouse"));
  }

  @AfterEach
  void close() throws Exception {
    wh.close();
  }

  @Test
  void signupsSurviveSigkill() throws Exception {
    String process = "signups_crash";
    ExactlyOnce check = new ExactlyOnce(wh.catalog(), process, EVENTS);
    crashRounds(
        "signups",
        process,
        3,
        new Random(SEED + 31),
        new EventBatches(wh, EVENTS, SEED + 41, "e", false).create(),
        List.of("signups", "--process", process, "--source", EVENTS, "--target", "facts.signups"),
        () -> check.signupsAtHighWatermark("facts.signups"),
        () -> check.signupsExact("facts.signups"));
  }

  @Test
  void lifecycleSurvivesSigkill() throws Exception {
    String process = "lifecycle_crash";
    ExactlyOnce check = new ExactlyOnce(wh.catalog(), process, EVENTS);
    crashRounds(
        "lifecycle",
        process,
        3,
        new Random(SEED + 32),
        new EventBatches(wh, EVENTS, SEED + 42, "e", true).create(),
        List.of(
            "lifecycle",
            "--process",
            process,
            "--source",
            EVENTS,
            "--target",
            "facts.account_lifecycle"),
        () ->
            check.lifecycleAtHighWatermarks("facts.account_lifecycle", "facts.lifecycle_anomalies"),
        () -> check.lifecycleExact("facts.account_lifecycle", "facts.lifecycle_anomalies"));
  }

  /**
   * A first run to completion measures how long the job takes from planning its session to
   * publishing it; then rounds of: land a batch, start the command, SIGKILL it a random time within
   * that span after it planned, check; until {@code wantedKills} kills (a run that finishes first
   * must exit 0); then one run to completion, after which the result must be exact.
   */
  private void crashRounds(
      String name,
      String process,
      int wantedKills,
      Random rnd,
      EventBatches batches,
      List<String> command,
      FaultInjectionITCase.Check atHighWatermark,
      FaultInjectionITCase.Check exact)
      throws Exception {
    List<String> args = new ArrayList<>(command);
    args.addAll(List.of("--warehouse", dir.resolve("warehouse").toString()));
    int runs = 0;
    try {
      batches.land(40);
      ChildJvm first = ChildJvm.start(dir.resolve("tmp-first"), args.toArray(String[]::new));
      assertThat(first.waitFor(180))
          .as("a run without a kill succeeds:%n%s", first.output())
          .isZero();
      int window =
          (int)
              Math.max(
                  500, millisBetween(first.lastLine(PLANNED), first.lastLine(PUBLISHED)) + 300);
      runs++;
      while (kills.size() < wantedKills) {
        assertThat(runs).as("runs needed for %d kills", wantedKills).isLessThan(wantedKills * 3);
        batches.land(30 + rnd.nextInt(30));
        int delay = rnd.nextInt(window);
        ChildJvm child = ChildJvm.start(dir.resolve("tmp-" + runs), args.toArray(String[]::new));
        runs++;
        assertThat(child.awaitOutput(PLANNED, 180_000))
            .as("the job planned a session:%n%s", child.output())
            .isTrue();
        Thread.sleep(delay);
        if (child.isAlive()) {
          child.kill();
          String last = child.lastLine("Process " + process);
          String step = last.substring(last.indexOf(" - ") + 3);
          kills.add(
              String.format(
                  "kill %d: %d of ~%d ms after planning; last step logged: %s; sessions now: %s",
                  kills.size() + 1,
                  delay,
                  window,
                  step.substring(0, Math.min(step.length(), 110)),
                  sessions(process)));
        } else {
          assertThat(child.waitFor(10))
              .as("a run that was not killed succeeds:%n%s", child.output())
              .isZero();
        }
        atHighWatermark.check();
      }
      ChildJvm last = ChildJvm.start(dir.resolve("tmp-last"), args.toArray(String[]::new));
      assertThat(last.waitFor(180))
          .as("the re-run after the kills succeeds:%n%s", last.output())
          .isZero();
      runs++;
      exact.check();
    } catch (Throwable t) {
      throw new AssertionError(
          String.format(
              "%s crash test failed with -Dpsyberg.faults.seed=%d after:%n%s%n%s",
              name, SEED, String.join("\n", kills), t.getMessage()),
          t);
    }
    System.out.printf(
        "%s: %d SIGKILLs in %d runs, then exact (seed %d)%n  %s%n",
        name, kills.size(), runs, SEED, String.join("\n  ", kills));
  }

  /** Milliseconds between the timestamps ({@code HH:mm:ss.SSS}) that start two log lines. */
  private static long millisBetween(String from, String to) {
    return Duration.between(
            LocalTime.parse(from.substring(0, 12)), LocalTime.parse(to.substring(0, 12)))
        .toMillis();
  }

  /** Status of each session of the process, oldest first: where the kill left it. */
  private String sessions(String process) {
    return new SessionLog(wh.catalog(), "psyberg")
        .sessions(process).stream()
            .map(Session::status)
            .map(Enum::name)
            .collect(Collectors.joining(","));
  }
}
