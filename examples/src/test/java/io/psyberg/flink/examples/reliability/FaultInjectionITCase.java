package io.psyberg.flink.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.lifecycle.LifecycleJob;
import io.psyberg.flink.examples.signups.SignupFacts;
import io.psyberg.flink.examples.signups.SignupsJob;
import io.psyberg.flink.examples.signups.SignupsSettings;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.testutils.Jobs;
import io.psyberg.flink.testutils.Waits;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.apache.flink.api.common.restartstrategy.RestartStrategies;
import org.apache.flink.api.common.time.Time;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Injects seeded faults (exceptions and task kills) at the reader, writer, stage, audit, publish,
 * metadata-update and planning points of the examples' signups (stateless) and lifecycle (stateful)
 * jobs, bounded and continuous, and checks that after recovery the published tables equal an
 * independent expected result: no duplicate, no lost row, no session published twice, metadata
 * tables in agreement.
 *
 * <p>Bounded runs recover the way a scheduler does, by running the same job again; continuous jobs
 * by Flink's fixed-delay restart from the last checkpoint. The four scenarios inject at least
 * {@value #SIGNUPS_BOUNDED} + {@value #LIFECYCLE_BOUNDED} + {@value #SIGNUPS_CONTINUOUS} + {@value
 * #LIFECYCLE_CONTINUOUS} = 52 faults. Run with {@code -Dpsyberg.faults.seed=N} to vary the choices;
 * a failure reports the seed and every fault fired.
 */
class FaultInjectionITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  static final long SEED = Long.getLong("psyberg.faults.seed", 20261125L);
  static final int SIGNUPS_BOUNDED = 8;
  static final int LIFECYCLE_BOUNDED = 6;
  static final int SIGNUPS_CONTINUOUS = 30;
  static final int LIFECYCLE_CONTINUOUS = 8;

  private static final String EVENTS = "membership.events";
  private static final String FACTS = "facts.signups";
  private static final String LIFECYCLE = "facts.account_lifecycle";
  private static final String ANOMALIES = "facts.lifecycle_anomalies";
  private static final Duration INTERVAL = Duration.ofMillis(200);

  /**
   * Only guards against a hung job: every wait ends on an event long before it on any machine that
   * runs the suite.
   */
  private static final Duration HANG_GUARD = Duration.ofMinutes(5);

  @TempDir Path dir;
  private Warehouse wh;
  private CatalogSpec faulty;

  @BeforeEach
  void open() {
    wh = new Warehouse(dir);
    faulty =
        CatalogSpec.fromOptions(
            Map.of("warehouse", dir.toString(), "catalog.io-impl", FaultyFileIO.class.getName()),
            Map.<String, String>of(),
            "fault injection");
  }

  @AfterEach
  void close() throws Exception {
    FaultInjector.disarm();
    wh.close();
  }

  /** When the four scenarios ran: at least 50 faults in all, and every point among them. */
  @AfterAll
  static void report() {
    System.out.printf(
        "FaultInjectionITCase seed %d: %d faults fired, by point %s%n",
        SEED, FaultInjector.fired().size(), FaultInjector.countByPoint());
    long scenarios =
        FaultInjector.fired().stream().map(FaultInjector.Fired::scenario).distinct().count();
    if (scenarios == 4) {
      assertThat(FaultInjector.fired())
          .as("faults fired (seed %d)", SEED)
          .hasSizeGreaterThanOrEqualTo(50);
      assertThat(FaultInjector.countByPoint())
          .as("points hit (seed %d)", SEED)
          .containsOnlyKeys(FaultPoint.values());
    }
  }

  // ---- bounded: recovery is running the same job again

  @Test
  void boundedSignupsRecoverByReRunning() throws Exception {
    String scenario = "signups-bounded";
    reporting(
        scenario,
        () -> {
          Random rnd = new Random(SEED + 1);
          EventBatches batches = new EventBatches(wh, EVENTS, SEED + 11, "e", false).create();
          SignupsSettings settings = signups("signups_bounded", false);
          Table target = SignupFacts.loadOrCreate(wh.catalog(), settings.target()).table();
          ExactlyOnce check = new ExactlyOnce(wh.catalog(), settings.process(), EVENTS);
          boundedRounds(
              scenario,
              SIGNUPS_BOUNDED,
              rnd,
              batches,
              () -> runBounded(env -> new SignupsJob(settings).addTo(env, target)),
              () -> check.signupsAtHighWatermark(FACTS),
              () -> check.signupsExact(FACTS));
        });
  }

  @Test
  void boundedLifecycleRecoversByReRunning() throws Exception {
    String scenario = "lifecycle-bounded";
    reporting(
        scenario,
        () -> {
          Random rnd = new Random(SEED + 2);
          EventBatches batches = new EventBatches(wh, EVENTS, SEED + 12, "e", true).create();
          LifecycleJob job =
              new LifecycleJob(faulty, "lifecycle_bounded", List.of(EVENTS), LIFECYCLE, ANOMALIES);
          job.ensureTargets();
          ExactlyOnce check = new ExactlyOnce(wh.catalog(), "lifecycle_bounded", EVENTS);
          boundedRounds(
              scenario,
              LIFECYCLE_BOUNDED,
              rnd,
              batches,
              () -> runBounded(job::bounded),
              () -> check.lifecycleAtHighWatermarks(LIFECYCLE, ANOMALIES),
              () -> check.lifecycleExact(LIFECYCLE, ANOMALIES));
        });
  }

  /**
   * Rounds of: land a batch; one to three runs, each with one armed fault (a run whose fault fired
   * must fail, and one whose fault did not fire must succeed); then a run without faults, after
   * which the result must be exact. After every failed run, what is published must match the
   * published high watermark.
   */
  private void boundedRounds(
      String scenario,
      int quota,
      Random rnd,
      EventBatches batches,
      Run run,
      Check afterFailure,
      Check exact)
      throws Exception {
    List<FaultPoint> order = new ArrayList<>();
    int runs = 0;
    while (FaultInjector.fired(scenario).size() < quota) {
      assertThat(runs).as("runs needed to fire %d faults", quota).isLessThan(quota * 5);
      batches.land(20 + rnd.nextInt(20));
      int faultyRuns = 1 + rnd.nextInt(3);
      for (int i = 0; i < faultyRuns; i++) {
        if (order.isEmpty()) {
          order.addAll(List.of(FaultPoint.values()));
          Collections.shuffle(order, rnd);
        }
        FaultInjector.arm(FaultInjector.choose(rnd, scenario, List.of(order.remove(0))));
        Throwable failure = attempt(run);
        boolean fired = !FaultInjector.disarm();
        runs++;
        if (fired) {
          assertThat(failure).as("a run whose fault fired fails").isNotNull();
          assertThat(messages(failure)).contains("injected fault");
        } else if (failure != null) {
          throw new AssertionError("a run failed without an injected fault", failure);
        }
        afterFailure.check();
      }
      run.run();
      runs++;
      exact.check();
    }
  }

  // ---- continuous: recovery is Flink's restart from the last checkpoint

  @Test
  void continuousSignupsRecoverFromCheckpoints(@InjectClusterClient RestClusterClient<?> client)
      throws Exception {
    String scenario = "signups-continuous";
    reporting(
        scenario,
        () -> {
          Random rnd = new Random(SEED + 3);
          EventBatches batches = new EventBatches(wh, EVENTS, SEED + 13, "e", false).create();
          SignupsSettings settings = signups("signups_continuous", true);
          Table target = SignupFacts.loadOrCreate(wh.catalog(), settings.target()).table();
          ExactlyOnce check = new ExactlyOnce(wh.catalog(), settings.process(), EVENTS);
          StreamExecutionEnvironment env = environment();
          new SignupsJob(settings).addTo(env, target);
          restartOften(env);
          JobClient job = env.executeAsync("signups under faults");
          continuous(
              scenario,
              settings.process(),
              SIGNUPS_CONTINUOUS,
              rnd,
              batches,
              job,
              client,
              () -> check.signupsExact(FACTS));
        });
  }

  @Test
  void continuousLifecycleRecoversFromCheckpoints(@InjectClusterClient RestClusterClient<?> rest)
      throws Exception {
    String scenario = "lifecycle-continuous";
    reporting(
        scenario,
        () -> {
          Random rnd = new Random(SEED + 4);
          EventBatches batches = new EventBatches(wh, EVENTS, SEED + 14, "e", true).create();
          LifecycleJob job =
              new LifecycleJob(
                  faulty, "lifecycle_continuous", List.of(EVENTS), LIFECYCLE, ANOMALIES);
          job.ensureTargets();
          ExactlyOnce check = new ExactlyOnce(wh.catalog(), "lifecycle_continuous", EVENTS);
          StreamExecutionEnvironment env = environment();
          env.enableCheckpointing(INTERVAL.toMillis());
          job.continuous(env, INTERVAL, null);
          restartOften(env);
          JobClient client = env.executeAsync("lifecycle under faults");
          continuous(
              scenario,
              "lifecycle_continuous",
              LIFECYCLE_CONTINUOUS,
              rnd,
              batches,
              client,
              rest,
              () -> check.lifecycleExact(LIFECYCLE, ANOMALIES));
        });
  }

  /**
   * Arms one fault at a time and lands batches until it fires; a fault not reached while three
   * sessions are published is given up for another one (its point was passed more often than it
   * skips). Every wait ends on an event: the fault fired or a session was published. Then lands a
   * last batch and waits until the published result is exact.
   */
  private void continuous(
      String scenario,
      String process,
      int quota,
      Random rnd,
      EventBatches batches,
      JobClient job,
      RestClusterClient<?> rest,
      Check exact)
      throws Exception {
    try {
      int armed = 0;
      while (FaultInjector.fired(scenario).size() < quota) {
        assertThat(armed++)
            .as("faults armed to fire %d (%d fired)", quota, FaultInjector.fired(scenario).size())
            .isLessThan(quota * 4);
        FaultInjector.arm(FaultInjector.choose(rnd, scenario, List.of(FaultPoint.values())));
        for (int sessions = 0; sessions < 3 && FaultInjector.isArmed(); sessions++) {
          long before = publishedSessions(process);
          batches.land(10 + rnd.nextInt(15));
          Waits.await(
              "the armed fault fires or a session of " + process + " is published",
              HANG_GUARD,
              () -> {
                assertRunning(job);
                return !FaultInjector.isArmed() || publishedSessions(process) > before;
              },
              () -> JobFailures.unexplained(rest, job.getJobID()));
        }
        FaultInjector.disarm();
      }
      batches.land(15);
      try {
        awaitExact(job, exact, HANG_GUARD);
      } catch (AssertionError notExact) {
        throw new AssertionError(
            notExact.getMessage() + "\n" + JobFailures.unexplained(rest, job.getJobID()), notExact);
      }
    } finally {
      FaultInjector.disarm();
      cancel(job);
    }
  }

  /** Sessions of the process recorded PUBLISHED; a read racing a commit counts as none new. */
  private long publishedSessions(String process) {
    try {
      return new SessionLog(wh.catalog(), "psyberg")
          .sessions(process).stream().filter(s -> s.status() == SessionStatus.PUBLISHED).count();
    } catch (RuntimeException racingCommit) {
      return -1;
    }
  }

  // ---- checks

  private void awaitExact(JobClient job, Check exact, Duration guard) throws Exception {
    boolean exactInTime =
        Waits.holdsWithin(
            guard,
            () -> {
              assertRunning(job);
              try {
                exact.check();
                return true;
              } catch (AssertionError notYet) {
                return false;
              }
            });
    if (!exactInTime) {
      exact.check(); // fails with what is still wrong
    }
  }

  // ---- helpers

  private SignupsSettings signups(String process, boolean continuous) {
    return new SignupsSettings(
        process,
        List.of(TableIdentifier.parse(EVENTS)),
        TableIdentifier.parse(FACTS),
        continuous,
        INTERVAL,
        faulty);
  }

  private static StreamExecutionEnvironment environment() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    return env;
  }

  /**
   * Enough fixed-delay restarts for every fault of a scenario (the jobs' own setting allows three).
   */
  private static void restartOften(StreamExecutionEnvironment env) {
    env.setRestartStrategy(RestartStrategies.fixedDelayRestart(1000, Time.milliseconds(100)));
  }

  private void runBounded(Consumer<StreamExecutionEnvironment> job) throws Exception {
    StreamExecutionEnvironment env = environment();
    job.accept(env);
    env.execute("bounded under faults");
  }

  private static void assertRunning(JobClient job) throws Exception {
    if (job.getJobStatus().get().isGloballyTerminalState()) {
      try {
        job.getJobExecutionResult().get();
      } catch (Exception e) {
        throw new AssertionError("the continuous job ended: " + messages(e), e);
      }
      throw new AssertionError("the continuous job ended");
    }
  }

  private static void cancel(JobClient job) throws Exception {
    Jobs.cancelAndWait(job);
  }

  private static Throwable attempt(Run run) {
    try {
      run.run();
      return null;
    } catch (Throwable t) {
      return t;
    }
  }

  static String messages(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      sb.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append('\n');
    }
    return sb.toString();
  }

  /**
   * Runs a scenario; on failure, the error names the seed and lists the faults fired in the
   * scenario.
   */
  private static void reporting(String scenario, Run body) throws Exception {
    try {
      body.run();
    } catch (Throwable t) {
      StringBuilder sb = new StringBuilder();
      FaultInjector.fired(scenario).forEach(f -> sb.append("  ").append(f).append('\n'));
      AssertionError e =
          new AssertionError(
              String.format(
                  "%s failed with -Dpsyberg.faults.seed=%d after these faults:%n%s%s",
                  scenario, SEED, sb, t.getMessage()),
              t);
      throw e;
    }
    int fired = FaultInjector.fired(scenario).size();
    System.out.printf(
        "%s: %d faults fired, all recovered exactly (seed %d)%n", scenario, fired, SEED);
  }

  @FunctionalInterface
  interface Run {
    void run() throws Exception;
  }

  @FunctionalInterface
  interface Check {
    void check() throws Exception;
  }
}
