package io.psyberg.flink.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the JVM of a bounded {@code signups} or {@code lifecycle} command with SIGKILL right after
 * each step its job logs (planned, staged, published; one kill per step, in a seeded order) while
 * new batches land, then re-runs the command to completion: exactly once must hold (the published
 * targets equal the expected result, no session published twice, {@code psyberg.sessions} and
 * {@code psyberg.high_watermarks} agree with what was published), and after every kill what was
 * published must match the published high watermark. The checks hold for any kill moment, so a run
 * that finishes before its kill is just one more run. The lifecycle is also halted exactly between
 * the publishes of its two targets, each first once (the next run recovers from each). Run with
 * {@code -Dpsyberg.faults.seed=N} to vary the order and the batches.
 */
class ProcessCrashITCase {
  static final long SEED = Long.getLong("psyberg.faults.seed", 20261125L);

  /** Steps the jobs log, after which a kill lands. */
  private static final List<String> STEPS =
      List.of("planned session s-", "staged session s-", "published session s-");

  private static final String EVENTS = "membership.events";
  private static final String LIFECYCLE = "facts.account_lifecycle";
  private static final String ANOMALIES = "facts.lifecycle_anomalies";

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
    EventBatches batches = new EventBatches(wh, EVENTS, SEED + 41, "e", false).create();
    List<String> command =
        List.of("signups", "--process", process, "--source", EVENTS, "--target", "facts.signups");
    crashing(
        "signups",
        () -> {
          crashRounds(
              process,
              new Random(SEED + 31),
              batches,
              command,
              () -> check.signupsAtHighWatermark("facts.signups"));
          runToEnd(command);
          check.signupsExact("facts.signups");
        });
  }

  @Test
  void lifecycleSurvivesSigkill() throws Exception {
    String process = "lifecycle_crash";
    ExactlyOnce check = new ExactlyOnce(wh.catalog(), process, EVENTS);
    EventBatches batches = new EventBatches(wh, EVENTS, SEED + 42, "e", true).create();
    List<String> command =
        List.of("lifecycle", "--process", process, "--source", EVENTS, "--target", LIFECYCLE);
    FaultInjectionITCase.Check atHighWatermarks =
        () -> check.lifecycleAtHighWatermarks(LIFECYCLE, ANOMALIES);
    crashing(
        "lifecycle",
        () -> {
          crashRounds(process, new Random(SEED + 32), batches, command, atHighWatermarks);
          // Each target published first once; the halt after LIFECYCLE's publish runs on the
          // state the first halt left, and the run to the end recovers from the second.
          for (String first : List.of(ANOMALIES, LIFECYCLE)) {
            batches.land(40);
            haltBetweenPublishes(process, first);
            atHighWatermarks.check();
          }
          batches.land(40);
          runToEnd(command);
          check.lifecycleExact(LIFECYCLE, ANOMALIES);
        });
  }

  /**
   * A first run to completion, then one round per step, in a seeded order, of: land a batch, start
   * the command, SIGKILL it as soon as it logs the step (the event, not a delay, places the kill;
   * unless it finished first, which it must do with exit code 0), check.
   */
  private void crashRounds(
      String process,
      Random rnd,
      EventBatches batches,
      List<String> command,
      FaultInjectionITCase.Check atHighWatermark)
      throws Exception {
    List<String> steps = new ArrayList<>(STEPS);
    Collections.shuffle(steps, rnd);
    batches.land(40);
    runToEnd(command);
    for (int round = 1; round <= steps.size(); round++) {
      batches.land(30 + rnd.nextInt(30));
      String step = steps.get(round - 1);
      ChildJvm child = ChildJvm.start(dir.resolve("tmp-" + round), args(command));
      boolean killed = false;
      if (child.awaitOutput(step, 180_000) && child.isAlive()) {
        killed = child.isAlive();
        child.kill();
      }
      if (killed) {
        String last = child.lastLine("Process " + process);
        String logged = last.substring(last.indexOf(" - ") + 3);
        kills.add(
            String.format(
                "kill %d: at '%s'; last step logged: %s; sessions now: %s",
                kills.size() + 1,
                step,
                logged.substring(0, Math.min(logged.length(), 110)),
                sessions(process)));
      } else {
        assertThat(child.waitFor(180))
            .as("a run that was not killed succeeds:%n%s", child.output())
            .isZero();
        kills.add(String.format("round %d finished before its kill (at %s)", round, step));
      }
      atHighWatermark.check();
    }
  }

  /** A bounded lifecycle run whose JVM halts right after {@code first}'s publish commit. */
  private void haltBetweenPublishes(String process, String first) throws Exception {
    ChildJvm child =
        ChildJvm.start(
            dir.resolve("tmp-halt-" + kills.size()),
            HaltBetweenPublishes.class,
            dir.resolve("warehouse").toString(),
            process,
            EVENTS,
            LIFECYCLE,
            ANOMALIES,
            first);
    assertThat(child.waitFor(180))
        .as("the run halted after publishing to %s:%n%s", first, child.output())
        .isEqualTo(StopAfterFirstPublish.HALTED);
    kills.add(
        String.format(
            "halt right after publishing to %s; sessions now: %s", first, sessions(process)));
  }

  private void runToEnd(List<String> command) throws Exception {
    ChildJvm run = ChildJvm.start(dir.resolve("tmp-run-" + kills.size()), args(command));
    assertThat(run.waitFor(180)).as("a run without a kill succeeds:%n%s", run.output()).isZero();
  }

  private String[] args(List<String> command) {
    List<String> args = new ArrayList<>(command);
    args.addAll(List.of("--warehouse", dir.resolve("warehouse").toString()));
    return args.toArray(String[]::new);
  }

  /** Runs a scenario; a failure names the seed and every kill so far. */
  private void crashing(String name, FaultInjectionITCase.Run body) {
    try {
      body.run();
    } catch (Throwable t) {
      throw new AssertionError(
          String.format(
              "%s crash test failed with -Dpsyberg.faults.seed=%d after:%n%s%n%s",
              name, SEED, String.join("\n", kills), t.getMessage()),
          t);
    }
    System.out.printf("%s: then exact (seed %d)%n  %s%n", name, SEED, String.join("\n  ", kills));
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
