package io.psyberg.flink.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.examples.testutils.CliRun;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.sink.PsybergSink;
import io.psyberg.flink.testservers.RestCatalogOnS3;
import io.psyberg.flink.testutils.Waits;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * psyberg end to end on Iceberg's REST catalog protocol, served by Iceberg's own REST catalog
 * server, with every table file on an S3 API server through Iceberg's {@code S3FileIO}: both
 * servers are separate processes this test starts ({@link RestCatalogOnS3}). The CLI reaches them
 * through its catalog options only. A bounded and a continuous signups process, a SQL process whose
 * audit fails, and a bounded run killed with SIGKILL and run again all end exact.
 */
class RestCatalogOnS3ITCase {
  private static final long SEED = 20261205L;

  @TempDir static Path dir;
  private static RestCatalogOnS3 servers;
  private static Warehouse lake;
  private static String secret;

  @BeforeAll
  static void startServers() throws Exception {
    servers = RestCatalogOnS3.start(dir.resolve("servers"));
    Map<String, String> options = servers.catalogOptions();
    secret = options.get("catalog.s3.secret-access-key");
    lake = new Warehouse(CatalogSpec.fromOptions(options, Map.<String, String>of(), "test"));
  }

  @AfterAll
  static void stopServers() throws Exception {
    if (lake != null) {
      lake.close();
    }
    if (servers != null) {
      servers.close();
    }
  }

  @Test
  void boundedSignupsPublishThroughTheAuditBranchOntoS3() throws Exception {
    String events = "rest_bounded.events";
    String facts = "rest_bounded.facts";
    ok(
        "generate",
        "--table",
        events,
        "--accounts",
        "30",
        "--events",
        "200",
        "--late-fraction",
        "0.1",
        "--seed",
        "3");
    CliRun run = ok("signups", "--process", "rest_bounded", "--source", events, "--target", facts);
    assertThat(run.out()).contains("PUBLISHED");
    CliRun sessions = ok("sessions", "--process", "rest_bounded");
    assertThat(sessions.out()).contains("PUBLISHED").contains("2/2 passed");

    new ExactlyOnce(lake.catalog(), "rest_bounded", events).signupsExact(facts);
    Table table = lake.load(facts);
    assertThat(table.location()).startsWith(RestCatalogOnS3.WAREHOUSE);
    assertThat(table.currentSnapshot().addedDataFiles(table.io()))
        .isNotEmpty()
        .map(DataFile::path)
        .allSatisfy(path -> assertThat(path.toString()).startsWith("s3://"));
    assertThat(table.refs().keySet())
        .as("main was fast-forwarded to the audited branch, which is gone")
        .contains("main")
        .noneMatch(ref -> ref.startsWith(PsybergSink.AUDIT_BRANCH_PREFIX));
  }

  @Test
  void continuousSignupsPublishEachNewSnapshot() throws Exception {
    String events = "rest_continuous.events";
    String facts = "rest_continuous.facts";
    EventBatches batches = new EventBatches(lake, events, SEED, "c", false).create();
    ExactlyOnce check = new ExactlyOnce(lake.catalog(), "rest_continuous", events);
    batches.land(60);
    AtomicReference<CliRun> result = new AtomicReference<>();
    String[] command =
        cli(
            "signups",
            "--process",
            "rest_continuous",
            "--source",
            events,
            "--target",
            facts,
            "--mode",
            "continuous",
            "--interval",
            "1");
    Thread runner = new Thread(() -> result.set(CliRun.of(command)), "signups-continuous");
    runner.start();
    try {
      awaitExact(check, facts, runner);
      batches.land(40);
      awaitExact(check, facts, runner);
    } finally {
      runner.interrupt();
      runner.join(TimeUnit.SECONDS.toMillis(60));
    }
    assertThat(result.get()).as("the command returned").isNotNull();
    assertThat(result.get().exitCode()).as(result.get().toString()).isZero();
    assertThat(result.get().toString()).doesNotContain(secret);
    assertThat(statuses("rest_continuous")).contains(SessionStatus.PUBLISHED);
  }

  @Test
  void aFailedAuditPublishesNothingAndKeepsTheStagedRowsOnItsBranch() throws Exception {
    String events = "rest_audit.events";
    String target = "rest_audit.plans";
    EventBatches batches = new EventBatches(lake, events, SEED + 1, "a", false).create();
    batches.land(80); // about a quarter of the events have no plan
    String script =
        String.join(
            ";\n",
            "CREATE TABLE lake."
                + target
                + " (event_id STRING NOT NULL, account_id BIGINT NOT NULL, plan STRING,"
                + " event_ts TIMESTAMP(6) NOT NULL) WITH ('format-version' = '2')",
            // no catalog options: the CLI's catalog options are the connector's defaults
            "CREATE TEMPORARY TABLE src (event_id STRING, account_id BIGINT, event_type STRING,"
                + " plan STRING, event_ts TIMESTAMP(6)) WITH ('connector' = 'psyberg', 'table' = '"
                + events
                + "', 'process-name' = 'rest_audit', 'mode' = 'bounded')",
            "CREATE TEMPORARY TABLE sink (event_id STRING NOT NULL, account_id BIGINT NOT NULL,"
                + " plan STRING, event_ts TIMESTAMP(6) NOT NULL) WITH ('connector' = 'psyberg',"
                + " 'table' = '"
                + target
                + "', 'process-name' = 'rest_audit', 'write-mode' = 'append',"
                + " 'audit.not-null' = 'plan')",
            "INSERT INTO sink SELECT event_id, account_id, plan, event_ts FROM src");
    CliRun run = CliRun.of(cli("sql", "--execute", script));
    assertThat(run.exitCode()).as(run.toString()).isNotZero();
    assertThat(run.err()).as(run.toString()).contains("not-null");
    assertThat(run.toString()).doesNotContain(secret);

    Table table = lake.load(target);
    assertThat(table.currentSnapshot()).as("nothing published on main").isNull();
    assertThat(statuses("rest_audit")).containsExactly(SessionStatus.AUDIT_FAILED);
    List<String> branches =
        table.refs().keySet().stream()
            .filter(ref -> ref.startsWith(PsybergSink.AUDIT_BRANCH_PREFIX))
            .collect(Collectors.toList());
    assertThat(branches).as("the staged session stays on its audit branch").hasSize(1);
    long staged = table.refs().get(branches.get(0)).snapshotId();
    try (CloseableIterable<Record> rows = IcebergGenerics.read(table).useSnapshot(staged).build()) {
      assertThat(rows).hasSize(batches.landedCount());
    }
  }

  @Test
  void aBoundedRunKilledWithSigkillEndsExactWhenRunAgain() throws Exception {
    String events = "rest_kill.events";
    String facts = "rest_kill.facts";
    EventBatches batches = new EventBatches(lake, events, SEED + 2, "k", false).create();
    ExactlyOnce check = new ExactlyOnce(lake.catalog(), "rest_kill", events);
    String[] command = {"signups", "--process", "rest_kill", "--source", events, "--target", facts};
    batches.land(40);
    ok(command);
    batches.land(40);
    ChildJvm child = ChildJvm.start(dir.resolve("tmp-kill"), cli(command));
    assertThat(child.awaitOutput("staged session s-", 180_000))
        .as("the run staged its session:%n%s", child.output())
        .isTrue();
    child.kill(); // SIGKILL between staging and publishing (or just after, if it was quick)
    assertThat(child.output()).doesNotContain(secret);
    check.signupsAtHighWatermark(facts);
    ok(command);
    check.signupsExact(facts);
  }

  private static void awaitExact(ExactlyOnce check, String facts, Thread runner) throws Exception {
    AtomicReference<String> last = new AtomicReference<>("-");
    Waits.await(
        "the continuous run publishes exactly the source's SIGNUP events",
        Duration.ofSeconds(240),
        () -> {
          if (!runner.isAlive()) {
            throw new AssertionError("the continuous command ended");
          }
          try {
            check.signupsExact(facts);
            return true;
          } catch (AssertionError | RuntimeException notYet) {
            last.set(notYet.toString());
            return false;
          }
        },
        last::get);
  }

  private static List<SessionStatus> statuses(String process) {
    return new SessionLog(lake.catalog(), "psyberg")
        .sessions(process).stream().map(Session::status).collect(Collectors.toList());
  }

  /** The command with the REST catalog's options. */
  private static String[] cli(String... command) {
    List<String> args = new ArrayList<>(List.of(command));
    args.addAll(servers.cliArgs());
    return args.toArray(String[]::new);
  }

  private static CliRun ok(String... command) {
    CliRun run = CliRun.of(cli(command));
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.toString()).doesNotContain(secret);
    return run;
  }
}
