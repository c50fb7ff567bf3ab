package io.psyberg.flink.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.session.SessionStatus;
import io.psyberg.flink.testutils.Failures;
import io.psyberg.flink.testutils.Jobs;
import io.psyberg.flink.testutils.Pipelines;
import io.psyberg.flink.testutils.Waits;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class SqlConnectorITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  private static final LocalDateTime DAY1 = LocalDateTime.of(2026, 1, 1, 8, 0);
  private static final Schema FACTS =
      new Schema(
          Types.NestedField.required(1, "event_id", Types.StringType.get()),
          Types.NestedField.required(2, "account_id", Types.LongType.get()),
          Types.NestedField.optional(3, "plan", Types.StringType.get()),
          Types.NestedField.required(4, "event_ts", Types.TimestampType.withoutZone()),
          Types.NestedField.optional(5, "src_snapshot", Types.LongType.get()));

  @TempDir Path dir;
  private Warehouse wh;
  private TableEnvironment tEnv;

  @BeforeEach
  void setUp() {
    wh = new Warehouse(dir);
    wh.createEventsTable("membership.events");
    tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    tEnv.getConfig().getConfiguration().setString("parallelism.default", "2");
    // Catalog defaults, as the examples CLI sets them: DDL then names only table and process.
    tEnv.getConfig()
        .getConfiguration()
        .setString("psyberg.catalog.warehouse", wh.spec().warehouse());
  }

  @AfterEach
  void tearDown() throws Exception {
    wh.close();
  }

  private void ddl(String process, String extraSink) {
    tEnv.executeSql(
        "CREATE TEMPORARY TABLE src (event_id STRING, account_id BIGINT, event_type STRING, plan"
            + " STRING, event_ts TIMESTAMP(6), snap BIGINT METADATA FROM 'snapshot-id' VIRTUAL, sid"
            + " STRING METADATA FROM 'session-id' VIRTUAL) WITH ('connector' = 'psyberg', 'table' ="
            + " 'membership.events', 'process-name' = '"
            + process
            + "',"
            + " 'change-range-column' = 'event_ts')");
    tEnv.executeSql(
        "CREATE TEMPORARY TABLE dst (event_id STRING NOT NULL, account_id BIGINT NOT NULL, plan"
            + " STRING, event_ts TIMESTAMP(6) NOT NULL, src_snapshot BIGINT) WITH ('connector' ="
            + " 'psyberg', 'table' = 'facts.signups', 'process-name' = '"
            + process
            + "'"
            + extraSink
            + ")");
  }

  private void insert() throws Exception {
    tEnv.executeSql(
            "INSERT INTO dst SELECT event_id, account_id, plan, event_ts, snap FROM src WHERE"
                + " event_type = 'SIGNUP'")
        .await(120, TimeUnit.SECONDS);
  }

  @Test
  void statelessAppendOverTwoSessionsWithLateRows() throws Exception {
    wh.createTable("facts.signups", FACTS);
    List<Record> first = new ArrayList<>(Warehouse.events("a", 4, DAY1));
    first.add(Warehouse.event("x1", 9, "CANCEL", "basic", DAY1));
    long s1 = wh.append("membership.events", first);
    ddl(
        "sql_p1",
        ", 'audit.not-null' = 'account_id,event_ts', 'audit.row-count' = 'match-source',"
            + " 'audit.row-count.source-filter' = 'event_type = ''SIGNUP'''");
    insert();
    assertThat(Pipelines.ids(wh.load("facts.signups")))
        .containsExactlyInAnyOrder("a-0", "a-1", "a-2", "a-3");
    assertThat(Pipelines.column(wh.load("facts.signups"), "src_snapshot"))
        .containsOnly(Long.toString(s1));

    wh.append("membership.events", Warehouse.events("late", 2, DAY1.minusDays(2)));
    insert();
    assertThat(Pipelines.ids(wh.load("facts.signups")))
        .hasSize(6)
        .contains("late-0", "late-1")
        .doesNotHaveDuplicates();
    List<Session> sessions = new SessionLog(wh.catalog(), "psyberg").sessions("sql_p1");
    assertThat(sessions)
        .extracting(Session::status)
        .containsExactly(SessionStatus.PUBLISHED, SessionStatus.PUBLISHED);
    assertThat(sessions.get(1).range("membership.events").changeRange().min())
        .startsWith("2025-12-30T08:00");

    // Nothing new: EMPTY, nothing published twice.
    insert();
    assertThat(Pipelines.ids(wh.load("facts.signups"))).hasSize(6);
  }

  @Test
  void selectExposesMetadataColumns() throws Exception {
    long s1 = wh.append("membership.events", Warehouse.events("a", 2, DAY1));
    ddl("sql_meta", "");
    List<String> rows = new ArrayList<>();
    try (CloseableIterator<Row> it =
        tEnv.executeSql("SELECT event_id, snap, sid FROM src").collect()) {
      it.forEachRemaining(
          r -> rows.add(r.getField(0) + "|" + r.getField(1) + "|" + (r.getField(2) != null)));
    }
    assertThat(rows).containsExactlyInAnyOrder("a-0|" + s1 + "|true", "a-1|" + s1 + "|true");
  }

  @Test
  void upsertWithPrimaryKey() throws Exception {
    wh.createTable(
        "facts.latest",
        new Schema(
            List.of(
                Types.NestedField.required(1, "account_id", Types.LongType.get()),
                Types.NestedField.optional(2, "plan", Types.StringType.get())),
            Set.of(1)));
    wh.append(
        "membership.events",
        List.of(
            Warehouse.event("e1", 1, "SIGNUP", "basic", DAY1),
            Warehouse.event("e2", 2, "SIGNUP", "basic", DAY1)));
    tEnv.executeSql(
        "CREATE TEMPORARY TABLE src (event_id STRING, account_id BIGINT, event_type STRING, plan"
            + " STRING, event_ts TIMESTAMP(6)) WITH ('connector' = 'psyberg', 'table' ="
            + " 'membership.events', 'process-name' = 'sql_up')");
    tEnv.executeSql(
        "CREATE TEMPORARY TABLE latest (account_id BIGINT NOT NULL, plan STRING, PRIMARY KEY"
            + " (account_id) NOT ENFORCED) WITH ('connector' = 'psyberg', 'table' = 'facts.latest',"
            + " 'process-name' = 'sql_up', 'write-mode' = 'upsert')");
    tEnv.executeSql("INSERT INTO latest SELECT account_id, plan FROM src")
        .await(120, TimeUnit.SECONDS);
    wh.append(
        "membership.events",
        List.of(Warehouse.event("e3", 2, "PLAN_CHANGE", "premium", DAY1.plusDays(1))));
    tEnv.executeSql("INSERT INTO latest SELECT account_id, plan FROM src")
        .await(120, TimeUnit.SECONDS);
    List<String> rows = new ArrayList<>();
    Pipelines.rows(wh.load("facts.latest"))
        .forEach(r -> rows.add(r.getField("account_id") + ":" + r.getField("plan")));
    assertThat(rows).containsExactlyInAnyOrder("1:basic", "2:premium");
  }

  @Test
  void retractMovesRowsBetweenPartitionsAsTheQueryRetractsThem() throws Exception {
    Schema counts =
        new Schema(
            List.of(
                Types.NestedField.required(1, "plan", Types.StringType.get()),
                Types.NestedField.required(2, "accounts", Types.LongType.get())),
            Set.of(1));
    // Partitioned by the count itself: every new count moves the plan's row to another partition.
    wh.catalog()
        .createTable(
            TableIdentifier.parse("facts.plan_counts"),
            counts,
            PartitionSpec.builderFor(counts).identity("accounts").build(),
            Map.of(TableProperties.FORMAT_VERSION, "2"));
    wh.append(
        "membership.events",
        List.of(
            Warehouse.event("e1", 1, "SIGNUP", "basic", DAY1),
            Warehouse.event("e2", 2, "SIGNUP", "basic", DAY1),
            Warehouse.event("e3", 3, "SIGNUP", "premium", DAY1)));
    tEnv.executeSql(
        "CREATE TEMPORARY TABLE src (event_id STRING, account_id BIGINT, event_type STRING, plan"
            + " STRING, event_ts TIMESTAMP(6)) WITH ('connector' = 'psyberg', 'table' ="
            + " 'membership.events', 'process-name' = 'sql_rt')");
    tEnv.executeSql(
        "CREATE TEMPORARY TABLE plan_counts (plan STRING NOT NULL, accounts BIGINT NOT NULL,"
            + " PRIMARY KEY (plan) NOT ENFORCED) WITH ('connector' = 'psyberg', 'table' ="
            + " 'facts.plan_counts', 'process-name' = 'sql_rt', 'write-mode' = 'retract')");
    tEnv.executeSql("INSERT INTO plan_counts SELECT plan, COUNT(*) FROM src GROUP BY plan")
        .await(120, TimeUnit.SECONDS);
    List<String> rows = new ArrayList<>();
    Pipelines.rows(wh.load("facts.plan_counts"))
        .forEach(r -> rows.add(r.getField("plan") + ":" + r.getField("accounts")));
    assertThat(rows).containsExactlyInAnyOrder("basic:2", "premium:1");

    tEnv.executeSql(
        "CREATE TEMPORARY TABLE plan_counts_upsert (plan STRING NOT NULL, accounts BIGINT NOT"
            + " NULL, PRIMARY KEY (plan) NOT ENFORCED) WITH ('connector' = 'psyberg', 'table' ="
            + " 'facts.plan_counts', 'process-name' = 'sql_rt2', 'write-mode' = 'upsert')");
    assertThatThrownBy(
            () ->
                tEnv.executeSql(
                        "INSERT INTO plan_counts_upsert SELECT plan, COUNT(*) FROM src GROUP BY"
                            + " plan")
                    .await(120, TimeUnit.SECONDS))
        .hasStackTraceContaining("partitioned by column 'accounts'")
        .hasStackTraceContaining("write-mode 'retract'");
  }

  @Test
  void overwriteRangeReplacesTheSessionsWindow() throws Exception {
    wh.createEventsTable("facts.daily");
    wh.append("membership.events", Warehouse.events("d1", 2, DAY1));
    wh.append("membership.events", Warehouse.events("d2", 2, DAY1.plusDays(1)));
    String ddl =
        "CREATE TEMPORARY TABLE src (event_id STRING, account_id BIGINT, event_type STRING, plan"
            + " STRING, event_ts TIMESTAMP(6)) WITH ('connector' = 'psyberg', 'table' ="
            + " 'membership.events', 'process-name' = 'sql_ow', 'change-range-column' ="
            + " 'event_ts');CREATE TEMPORARY TABLE daily (event_id STRING NOT NULL, account_id"
            + " BIGINT NOT NULL, event_type STRING NOT NULL, plan STRING, event_ts TIMESTAMP(6) NOT"
            + " NULL) WITH ('connector' = 'psyberg', 'table' = 'facts.daily', 'process-name' ="
            + " 'sql_ow', 'write-mode' = 'overwrite-range', 'overwrite-range-column' = 'event_ts')";
    for (String stmt : ddl.split(";")) {
      tEnv.executeSql(stmt);
    }
    tEnv.executeSql("INSERT INTO daily SELECT * FROM src").await(120, TimeUnit.SECONDS);
    // Day 2 is recomputed: one row replaces the two of that window.
    wh.append(
        "membership.events",
        List.of(
            Warehouse.event("d2-redo", 5, "SIGNUP", "premium", DAY1.plusDays(1)),
            Warehouse.event("d2-redo2", 6, "SIGNUP", "premium", DAY1.plusDays(1).plusMinutes(1))));
    tEnv.executeSql("INSERT INTO daily SELECT * FROM src").await(120, TimeUnit.SECONDS);
    assertThat(Pipelines.ids(wh.load("facts.daily")))
        .containsExactlyInAnyOrder("d1-0", "d1-1", "d2-redo", "d2-redo2");
  }

  @Test
  void failingAuditFromSqlPublishesNothing() throws Exception {
    wh.createTable("facts.signups", FACTS);
    wh.append("membership.events", Warehouse.events("a", 3, DAY1));
    ddl("sql_fail", ", 'audit.max-rows' = '2'");
    assertThatThrownBy(this::insert)
        .satisfies(
            e ->
                assertThat(Failures.messages(e))
                    .contains(
                        "sql_fail",
                        "failed its audits",
                        "max-rows",
                        "observed 3 rows staged",
                        "nothing was published"));
    assertThat(wh.load("facts.signups").currentSnapshot()).isNull();
  }

  @Test
  void userAuditLoadedByClassNameWithSeverity() throws Exception {
    wh.createTable("facts.signups", FACTS);
    wh.append("membership.events", Warehouse.events("a", 9, DAY1)); // accounts 0..8: includes 7
    ddl("sql_user", ", 'audit.classes' = '" + NoAccountSevenAudit.class.getName() + "'");
    assertThatThrownBy(this::insert)
        .satisfies(
            e ->
                assertThat(Failures.messages(e))
                    .contains("no-account-seven", "observed 1 rows of account 7"));
    assertThat(wh.load("facts.signups").currentSnapshot()).isNull();

    tEnv.executeSql("DROP TEMPORARY TABLE src");
    tEnv.executeSql("DROP TEMPORARY TABLE dst");
    ddl(
        "sql_user",
        ", 'audit.classes' = '"
            + NoAccountSevenAudit.class.getName()
            + "',"
            + " 'audit.no-account-seven.severity' = 'warn'");
    insert();
    assertThat(Pipelines.ids(wh.load("facts.signups"))).hasSize(9);

    tEnv.executeSql("DROP TEMPORARY TABLE dst");
    tEnv.executeSql(
        "CREATE TEMPORARY TABLE dst (event_id STRING NOT NULL, account_id BIGINT NOT NULL, plan"
            + " STRING, event_ts TIMESTAMP(6) NOT NULL, src_snapshot BIGINT) WITH ('connector' ="
            + " 'psyberg', 'table' = 'facts.signups', 'process-name' = 'sql_user', 'audit.classes'"
            + " = 'com.example.Missing')");
    assertThatThrownBy(this::insert)
        .satisfies(
            e ->
                assertThat(Failures.messages(e))
                    .contains("com.example.Missing", "audit.classes", "classpath"));
  }

  @Test
  void continuousModeReadsNewSnapshotsAsTheyLand() throws Exception {
    wh.createTable("facts.signups", FACTS);
    wh.append("membership.events", Warehouse.events("a", 2, DAY1));
    tEnv.getConfig().getConfiguration().setString("execution.checkpointing.interval", "300ms");
    tEnv.executeSql(
        "CREATE TEMPORARY TABLE src (event_id STRING, account_id BIGINT, event_type STRING, plan"
            + " STRING, event_ts TIMESTAMP(6), snap BIGINT METADATA FROM 'snapshot-id' VIRTUAL)"
            + " WITH ('connector' = 'psyberg', 'table' = 'membership.events', 'process-name' ="
            + " 'sql_cont', 'mode' = 'continuous', 'monitor-interval' = '200ms')");
    tEnv.executeSql(
        "CREATE TEMPORARY TABLE dst (event_id STRING NOT NULL, account_id BIGINT NOT NULL, plan"
            + " STRING, event_ts TIMESTAMP(6) NOT NULL, src_snapshot BIGINT) WITH ('connector' ="
            + " 'psyberg', 'table' = 'facts.signups', 'process-name' = 'sql_cont')");
    TableResult job =
        tEnv.executeSql(
            "INSERT INTO dst SELECT event_id, account_id, plan, event_ts, snap FROM src");
    try {
      awaitRows("facts.signups", 2);
      wh.append("membership.events", Warehouse.events("b", 3, DAY1));
      awaitRows("facts.signups", 5);
    } finally {
      Jobs.cancelAndWait(job.getJobClient().get());
    }
    assertThat(Pipelines.ids(wh.load("facts.signups"))).hasSize(5).doesNotHaveDuplicates();
  }

  private void awaitRows(String table, int n) throws Exception {
    Waits.await(
        table + " reaches " + n + " rows",
        Duration.ofSeconds(180),
        () -> Pipelines.ids(wh.load(table)).size() >= n,
        () -> Pipelines.ids(wh.load(table)).size() + " rows");
  }

  @Test
  void clearErrorsForBadOptionsTablesAndSchemas() {
    wh.createTable("facts.signups", FACTS);
    String cols =
        "(event_id STRING, account_id BIGINT, event_type STRING, plan STRING, event_ts"
            + " TIMESTAMP(6))";
    assertThat(
            planError(
                "CREATE TEMPORARY TABLE t1 "
                    + cols
                    + " WITH ('connector'='psyberg', 'table'='membership.events',"
                    + " 'process-name'='p', 'mood'='bounded')",
                "SELECT * FROM t1"))
        .contains("Unsupported options", "mood", "process-name", "start-from");
    assertThat(
            planError(
                "CREATE TEMPORARY TABLE t2 "
                    + cols
                    + " WITH ('connector'='psyberg', 'table'='membership.events',"
                    + " 'process-name'='p', 'mode'='sometimes')",
                "SELECT * FROM t2"))
        .contains("'mode'", "sometimes", "Valid values: bounded, continuous");
    assertThat(
            planError(
                "CREATE TEMPORARY TABLE t3 "
                    + cols
                    + " WITH ('connector'='psyberg', 'table'='membership.events')",
                "SELECT * FROM t3"))
        .contains("Missing required options", "process-name");
    assertThat(
            planError(
                "CREATE TEMPORARY TABLE t4 "
                    + cols
                    + " WITH ('connector'='psyberg', 'table'='membership.nope',"
                    + " 'process-name'='p')",
                "SELECT * FROM t4"))
        .contains("membership.nope", "does not exist");
    assertThat(
            planError(
                "CREATE TEMPORARY TABLE t5 (event_id INT, wrong STRING) WITH"
                    + " ('connector'='psyberg', 'table'='membership.events', 'process-name'='p')",
                "SELECT * FROM t5"))
        .contains(
            "does not match Iceberg table 'membership.events'",
            "event_id",
            "INT",
            "'wrong' is not in the Iceberg table");
    assertThat(
            planError(
                "CREATE TEMPORARY TABLE t6 "
                    + cols
                    + " WITH ('connector'='psyberg', 'table'='membership.events',"
                    + " 'process-name'='p', 'start-from'='yesterday')",
                "SELECT * FROM t6"))
        .contains("start-from", "yesterday", "earliest, latest, snapshot:<snapshot id>");
    assertThat(
            planError(
                "CREATE TEMPORARY TABLE t7 "
                    + cols
                    + " WITH ('connector'='psyberg', 'table'='membership.events',"
                    + " 'process-name'='p', 'non-append-snapshots'='ignore')",
                "SELECT * FROM t7"))
        .contains("non-append-snapshots", "ignore", "fail, skip");
    assertThat(
            planError(
                "CREATE TEMPORARY TABLE t8 (event_id STRING NOT NULL, account_id BIGINT NOT NULL,"
                    + " plan STRING, event_ts TIMESTAMP(6) NOT NULL, src_snapshot BIGINT) WITH"
                    + " ('connector'='psyberg', 'table'='facts.signups', 'process-name'='p',"
                    + " 'write-mode'='merge')",
                "INSERT INTO t8 SELECT 'a', 1, 'b', TIMESTAMP '2026-01-01 00:00:00', 1"))
        .contains("write-mode", "merge", "append, upsert, retract, overwrite-range");
    assertThat(
            planError(
                "CREATE TEMPORARY TABLE t9 (event_id STRING NOT NULL, account_id BIGINT NOT NULL,"
                    + " plan STRING, event_ts TIMESTAMP(6) NOT NULL, src_snapshot BIGINT) WITH"
                    + " ('connector'='psyberg', 'table'='facts.signups', 'process-name'='p',"
                    + " 'audit.not-nul'='x')",
                "INSERT INTO t9 SELECT 'a', 1, 'b', TIMESTAMP '2026-01-01 00:00:00', 1"))
        .contains("audit.not-nul", "audit.not-null");
    assertThat(
            planError(
                "CREATE TEMPORARY TABLE t10 (event_id STRING NOT NULL, account_id BIGINT NOT NULL)"
                    + " WITH ('connector'='psyberg', 'table'='facts.signups', 'process-name'='p')",
                "INSERT INTO t10 SELECT 'a', 1"))
        .contains("does not match Iceberg table 'facts.signups'", "declares 2 columns", "has 5");
  }

  private String planError(String ddl, String query) {
    tEnv.executeSql(ddl);
    try {
      tEnv.explainSql(query);
    } catch (Exception e) {
      return Failures.messages(e);
    }
    throw new AssertionError("no error for " + ddl);
  }
}
