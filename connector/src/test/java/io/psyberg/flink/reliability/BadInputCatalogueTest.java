package io.psyberg.flink.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.sink.PsybergSink;
import io.psyberg.flink.sink.WriteMode;
import io.psyberg.flink.sink.audit.Audit;
import io.psyberg.flink.sink.audit.AuditContext;
import io.psyberg.flink.sink.audit.AuditResult;
import io.psyberg.flink.sink.audit.Severity;
import io.psyberg.flink.source.PsybergSource;
import io.psyberg.flink.testutils.Failures;
import io.psyberg.flink.testutils.Warehouse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input caught before any job runs: SQL options and DDL checked at planning time, and the
 * DataStream builders. Each case asserts that the message names what is wrong and says what to do,
 * and that the target, its high watermark and the session log are untouched.
 */
class BadInputCatalogueTest {
  private static final LocalDateTime DAY1 = LocalDateTime.of(2026, 1, 1, 8, 0);
  private static final String PROCESS = "bad_input";
  private static final String SRC = "membership.events";
  private static final String DST = "facts.signups";
  static final Schema FACTS =
      new Schema(
          Types.NestedField.required(1, "event_id", Types.StringType.get()),
          Types.NestedField.required(2, "account_id", Types.LongType.get()),
          Types.NestedField.optional(3, "plan", Types.StringType.get()),
          Types.NestedField.required(4, "event_ts", Types.TimestampType.withoutZone()),
          Types.NestedField.optional(5, "src_snapshot", Types.LongType.get()));
  private static final String SRC_COLS =
      "(event_id STRING, account_id BIGINT, event_type STRING, plan STRING, event_ts TIMESTAMP(6))";
  private static final String DST_COLS =
      "(event_id STRING NOT NULL, account_id BIGINT NOT NULL, plan STRING, event_ts TIMESTAMP(6)"
          + " NOT NULL, src_snapshot BIGINT)";
  private static final String INSERT =
      "INSERT INTO dst SELECT event_id, account_id, plan, event_ts, CAST(NULL AS BIGINT) FROM src";

  @TempDir Path dir;
  private Warehouse wh;
  private TableEnvironment tEnv;
  private PublishState before;

  @BeforeEach
  void setUp() throws Exception {
    wh = new Warehouse(dir);
    wh.createEventsTable(SRC);
    wh.createTable(DST, FACTS);
    wh.append(SRC, Warehouse.events("a", 3, DAY1));
    tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    before = PublishState.capture(wh, PROCESS, DST);
  }

  @AfterEach
  void tearDown() throws Exception {
    before.assertUnchanged();
    wh.close();
  }

  // ---------------------------------------------------------------- helpers

  private Map<String, String> src() {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("connector", "psyberg");
    o.put("warehouse", wh.spec().warehouse());
    o.put("table", SRC);
    o.put("process-name", PROCESS);
    return o;
  }

  private Map<String, String> dst() {
    Map<String, String> o = src();
    o.put("table", DST);
    return o;
  }

  private static Map<String, String> with(Map<String, String> base, String... kv) {
    for (int i = 0; i < kv.length; i += 2) {
      if (kv[i + 1] == null) {
        base.remove(kv[i]);
      } else {
        base.put(kv[i], kv[i + 1]);
      }
    }
    return base;
  }

  private void create(String name, String columns, Map<String, String> options) {
    String with =
        options.entrySet().stream()
            .map(e -> "'" + e.getKey() + "' = '" + e.getValue().replace("'", "''") + "'")
            .collect(Collectors.joining(", "));
    tEnv.executeSql("CREATE TEMPORARY TABLE " + name + " " + columns + " WITH (" + with + ")");
  }

  /**
   * The messages of the error that planning {@code SELECT * FROM src} raises with these source
   * options.
   */
  private String sourceError(String columns, Map<String, String> options) {
    create("src", columns, options);
    return planError("SELECT * FROM src");
  }

  /** The messages of the error that planning the INSERT raises with these sink options. */
  private String sinkError(String columns, Map<String, String> options) {
    create("src", SRC_COLS, src());
    create("dst", columns, options);
    return planError(INSERT);
  }

  private String planError(String query) {
    try {
      tEnv.explainSql(query);
    } catch (Exception e) {
      return Failures.messages(e);
    }
    throw new AssertionError("planning succeeded: " + query);
  }

  private static final String SRC_TABLE = "default_catalog.default_database.src";
  private static final String DST_TABLE = "default_catalog.default_database.dst";

  // ---------------------------------------------------------------- options

  @Test
  void unknownOption() {
    assertThat(sourceError(SRC_COLS, with(src(), "mood", "bounded")))
        .contains(
            SRC_TABLE, "Unsupported options", "mood", "Supported options", "mode", "process-name");
  }

  @Test
  void unknownAuditOption() {
    assertThat(sinkError(DST_COLS, with(dst(), "audit.not-nul", "account_id")))
        .contains(
            DST_TABLE,
            "unsupported option 'audit.not-nul'",
            "audit.not-null",
            "audit.<name>.severity");
  }

  @Test
  void invalidMode() {
    assertThat(sourceError(SRC_COLS, with(src(), "mode", "sometimes")))
        .contains(SRC_TABLE, PROCESS, "'mode'", "sometimes", "Valid values: bounded, continuous");
  }

  @Test
  void invalidStartFrom() {
    assertThat(sourceError(SRC_COLS, with(src(), "start-from", "yesterday")))
        .contains(
            SRC_TABLE,
            PROCESS,
            "'start-from'",
            "yesterday",
            "earliest, latest, snapshot:<snapshot id>",
            "timestamp:<ISO-8601");
  }

  @Test
  void invalidStartFromSnapshotId() {
    assertThat(sourceError(SRC_COLS, with(src(), "start-from", "snapshot:abc")))
        .contains(SRC_TABLE, PROCESS, "'start-from'", "snapshot:abc", "snapshot:<snapshot id>");
  }

  @Test
  void invalidNonAppendSnapshots() {
    assertThat(sourceError(SRC_COLS, with(src(), "non-append-snapshots", "ignore")))
        .contains(
            SRC_TABLE, PROCESS, "'non-append-snapshots'", "ignore", "Valid values: fail, skip");
  }

  @Test
  void invalidOnLostHwm() {
    assertThat(sourceError(SRC_COLS, with(src(), "on-lost-hwm", "latest")))
        .contains(
            SRC_TABLE,
            PROCESS,
            "'on-lost-hwm'",
            "latest",
            "Valid values: fail, earliest, reprocess-by-key");
  }

  @Test
  void invalidProcessing() {
    assertThat(sourceError(SRC_COLS, with(src(), "processing", "magic")))
        .contains(PROCESS, "'processing'", "magic", "stateless, stateful");
  }

  @Test
  void invalidWriteMode() {
    assertThat(sinkError(DST_COLS, with(dst(), "write-mode", "merge")))
        .contains(
            DST_TABLE,
            PROCESS,
            "'write-mode'",
            "merge",
            "append, upsert, retract, overwrite-range");
  }

  @Test
  void invalidAuditRowCount() {
    assertThat(sinkError(DST_COLS, with(dst(), "audit.row-count", "exact")))
        .contains(DST_TABLE, PROCESS, "'audit.row-count'", "exact", "none, match-source");
  }

  @Test
  void invalidAuditSeverity() {
    assertThat(
            sinkError(
                DST_COLS,
                with(dst(), "audit.not-null", "account_id", "audit.not-null.severity", "fatal")))
        .contains(DST_TABLE, "'audit.not-null.severity'", "fatal", "error, warn");
  }

  @Test
  void severityForAnAuditThatIsNotConfigured() {
    assertThat(sinkError(DST_COLS, with(dst(), "audit.unique.severity", "warn")))
        .contains(
            PROCESS,
            "severity is set for audit 'unique'",
            "not configured",
            "remove its severity (option 'audit.unique.severity')");
  }

  @Test
  void invalidMonitorInterval() {
    assertThat(sourceError(SRC_COLS, with(src(), "mode", "continuous", "monitor-interval", "soon")))
        .contains(SRC_TABLE, "monitor-interval", "soon");
  }

  @Test
  void zeroMonitorInterval() {
    assertThat(sourceError(SRC_COLS, with(src(), "mode", "continuous", "monitor-interval", "0 s")))
        .contains(PROCESS, "'monitor-interval' must be positive");
  }

  @Test
  void negativeMaxSnapshotsPerSession() {
    assertThat(sourceError(SRC_COLS, with(src(), "max-snapshots-per-session", "-1")))
        .contains(PROCESS, "'max-snapshots-per-session'", "0 (no cap) or positive", "-1");
  }

  @Test
  void maxSnapshotsPerSessionNotANumber() {
    assertThat(sourceError(SRC_COLS, with(src(), "max-snapshots-per-session", "many")))
        .contains(SRC_TABLE, "max-snapshots-per-session", "many");
  }

  @Test
  void invalidAuditMaxRows() {
    assertThat(sinkError(DST_COLS, with(dst(), "audit.max-rows", "lots")))
        .contains(DST_TABLE, "audit.max-rows", "lots");
  }

  @Test
  void missingTableOption() {
    assertThat(sourceError(SRC_COLS, with(src(), "table", null)))
        .contains(SRC_TABLE, "Missing required options", "table");
  }

  @Test
  void missingProcessName() {
    assertThat(sinkError(DST_COLS, with(dst(), "process-name", null)))
        .contains(DST_TABLE, "Missing required options", "process-name");
  }

  @Test
  void sourceTableWithoutNamespace() {
    assertThat(sourceError(SRC_COLS, with(src(), "table", "events")))
        .contains(PROCESS, "'events' does not exist", "option 'table'");
  }

  // ---------------------------------------------------------------- catalog

  @Test
  void missingWarehouseForHadoopCatalog() {
    assertThat(sourceError(SRC_COLS, with(src(), "warehouse", null)))
        .contains(
            SRC_TABLE,
            PROCESS,
            "'warehouse' is required for catalog-type 'hadoop'",
            "psyberg.catalog.warehouse");
  }

  @Test
  void invalidCatalogType() {
    assertThat(sourceError(SRC_COLS, with(src(), "catalog-type", "oracle")))
        .contains(
            SRC_TABLE,
            PROCESS,
            "'catalog-type'",
            "oracle",
            "hadoop, jdbc, rest, hive",
            "catalog-impl");
  }

  @Test
  void jdbcCatalogWithoutUri() {
    assertThat(sourceError(SRC_COLS, with(src(), "catalog-type", "jdbc")))
        .contains(SRC_TABLE, PROCESS, "'uri' is required for catalog-type 'jdbc'");
  }

  @Test
  void catalogImplThatDoesNotExist() {
    assertThat(sourceError(SRC_COLS, with(src(), "catalog-impl", "com.example.NoSuchCatalog")))
        .contains(
            SRC_TABLE,
            PROCESS,
            "Could not open Iceberg catalog",
            "catalog-impl com.example.NoSuchCatalog",
            "ClassNotFoundException",
            "on the job's classpath");
  }

  // ---------------------------------------------------------------- tables and schemas

  @Test
  void missingSourceTable() {
    assertThat(sourceError(SRC_COLS, with(src(), "table", "membership.nope")))
        .contains(
            SRC_TABLE,
            PROCESS,
            "'membership.nope' does not exist",
            "Create it, or fix option 'table'");
  }

  @Test
  void missingTargetTable() {
    assertThat(sinkError(DST_COLS, with(dst(), "table", "facts.nope")))
        .contains(
            DST_TABLE, PROCESS, "'facts.nope' does not exist", "Create it, or fix option 'table'");
  }

  @Test
  void sourceColumnNotInTable() {
    assertThat(sourceError("(event_id STRING, acount_id BIGINT)", src()))
        .contains(
            SRC_TABLE,
            "does not match Iceberg table '" + SRC + "'",
            "'acount_id' is not in the Iceberg table",
            "The Iceberg table's columns are",
            "account_id BIGINT");
  }

  @Test
  void sourceColumnTypeMismatch() {
    assertThat(sourceError("(event_id STRING, account_id INT)", src()))
        .contains(SRC_TABLE, "'account_id' is declared INT but is BIGINT in the Iceberg table");
  }

  @Test
  void sinkColumnCountMismatch() {
    create("src", SRC_COLS, src());
    create("dst", "(event_id STRING NOT NULL, account_id BIGINT NOT NULL)", dst());
    assertThat(planError("INSERT INTO dst SELECT event_id, account_id FROM src"))
        .contains(
            DST_TABLE,
            "does not match Iceberg table '" + DST + "'",
            "declares 2 columns",
            "the Iceberg table has 5",
            "event_id STRING NOT NULL, account_id BIGINT NOT NULL, plan STRING");
  }

  @Test
  void sinkColumnOrderMismatch() {
    create("src", SRC_COLS, src());
    create(
        "dst",
        "(account_id BIGINT NOT NULL, event_id STRING NOT NULL, plan STRING, event_ts TIMESTAMP(6)"
            + " NOT NULL, src_snapshot BIGINT)",
        dst());
    assertThat(
            planError(
                "INSERT INTO dst SELECT account_id, event_id, plan, event_ts, CAST(NULL AS BIGINT)"
                    + " FROM src"))
        .contains(
            DST_TABLE,
            "column 1 is 'account_id' but the Iceberg table has 'event_id' there",
            "The Iceberg table's columns are");
  }

  @Test
  void sinkColumnTypeMismatch() {
    create("src", SRC_COLS, src());
    create(
        "dst",
        "(event_id STRING NOT NULL, account_id BIGINT NOT NULL, plan STRING, event_ts TIMESTAMP(6)"
            + " NOT NULL, src_snapshot STRING)",
        dst());
    assertThat(
            planError("INSERT INTO dst SELECT event_id, account_id, plan, event_ts, 'x' FROM src"))
        .contains(
            DST_TABLE, "'src_snapshot' is declared STRING but is BIGINT in the Iceberg table");
  }

  // ---------------------------------------------------------------- write modes

  @Test
  void upsertWithoutKey() {
    assertThat(sinkError(DST_COLS, with(dst(), "write-mode", "upsert")))
        .contains(
            PROCESS,
            DST,
            "write-mode 'upsert' needs a key",
            "PRIMARY KEY",
            "'upsert-key'",
            "identifier fields");
  }

  @Test
  void upsertKeyColumnNotInTable() {
    assertThat(sinkError(DST_COLS, with(dst(), "write-mode", "upsert", "upsert-key", "acount_id")))
        .contains(PROCESS, DST, "upsert key column 'acount_id'", "not a column");
  }

  @Test
  void overwriteRangeWithoutColumn() {
    assertThat(sinkError(DST_COLS, with(dst(), "write-mode", "overwrite-range")))
        .contains(PROCESS, "'overwrite-range' needs 'overwrite-range-column'", "e.g. event_ts");
  }

  @Test
  void overwriteRangeColumnNotInTable() {
    assertThat(
            sinkError(
                DST_COLS,
                with(dst(), "write-mode", "overwrite-range", "overwrite-range-column", "ts")))
        .contains(PROCESS, DST, "'overwrite-range-column' = 'ts' is not a column");
  }

  // ---------------------------------------------------------------- audits

  @Test
  void badAuditSourceFilter() {
    assertThat(
            sinkError(
                DST_COLS,
                with(
                    dst(),
                    "audit.row-count",
                    "match-source",
                    "audit.row-count.source-filter",
                    "event_type LIKE 'SIGN%'")))
        .contains(
            DST_TABLE,
            PROCESS,
            "'audit.row-count.source-filter'",
            "event_type LIKE",
            "column = 'value' or column IN ('a', 'b')");
  }

  @Test
  void auditClassNotFound() {
    assertThat(sinkError(DST_COLS, with(dst(), "audit.classes", "com.example.MissingAudit")))
        .contains(
            DST_TABLE,
            PROCESS,
            "com.example.MissingAudit",
            "'audit.classes'",
            "not on the classpath",
            "Add its jar");
  }

  @Test
  void auditClassIsNotAnAudit() {
    assertThat(sinkError(DST_COLS, with(dst(), "audit.classes", "java.util.ArrayList")))
        .contains(
            DST_TABLE,
            PROCESS,
            "java.util.ArrayList",
            "'audit.classes'",
            "does not implement",
            "io.psyberg.flink.sink.audit.Audit");
  }

  @Test
  void auditClassWithoutNoArgumentConstructor() {
    assertThat(
            sinkError(DST_COLS, with(dst(), "audit.classes", NeedsArgumentAudit.class.getName())))
        .contains(
            DST_TABLE,
            PROCESS,
            NeedsArgumentAudit.class.getName(),
            "public no-argument constructor");
  }

  /** An audit Flink SQL cannot create: it has no no-argument constructor. */
  public static final class NeedsArgumentAudit implements Audit {
    private static final long serialVersionUID = 1L;

    public NeedsArgumentAudit(String unused) {}

    @Override
    public String name() {
      return "needs-argument";
    }

    @Override
    public AuditResult run(AuditContext ctx) {
      return AuditResult.of(name(), true, "", "");
    }
  }

  // ---------------------------------------------------------------- continuous without
  // checkpointing

  @Test
  void continuousSqlJobWithoutCheckpointing() {
    create("src", SRC_COLS, with(src(), "mode", "continuous", "monitor-interval", "1 s"));
    create("dst", DST_COLS, dst());
    assertThatThrownBy(() -> tEnv.executeSql(INSERT))
        .satisfies(
            e ->
                assertThat(Failures.messages(e))
                    .contains(
                        DST_TABLE,
                        PROCESS,
                        "continuous job publishes at checkpoints",
                        "checkpointing is off",
                        "SET 'execution.checkpointing.interval'"));
  }

  // ---------------------------------------------------------------- DataStream builders

  @Test
  void builderWithoutProcessName() {
    assertThatThrownBy(() -> PsybergSource.builder().catalog(wh.spec()).tables(SRC).build())
        .hasMessageContaining("'process-name' is required");
    assertThatThrownBy(() -> PsybergSink.builder().catalog(wh.spec()).table(DST).build())
        .hasMessageContaining("'process-name' is required");
  }

  @Test
  void builderWithoutCatalogOrTable() {
    assertThatThrownBy(() -> PsybergSource.builder().processName(PROCESS).tables(SRC).build())
        .hasMessageContaining(PROCESS)
        .hasMessageContaining("no catalog given")
        .hasMessageContaining("CatalogSpec");
    assertThatThrownBy(
            () -> PsybergSource.builder().processName(PROCESS).catalog(wh.spec()).build())
        .hasMessageContaining(PROCESS)
        .hasMessageContaining("option 'table' is required");
    assertThatThrownBy(
            () ->
                PsybergSink.builder()
                    .processName(PROCESS)
                    .catalog(wh.spec())
                    .table("signups")
                    .build())
        .hasMessageContaining(PROCESS)
        .hasMessageContaining("namespace.table")
        .hasMessageContaining("'signups'");
  }

  @Test
  void builderRejectsBadNumbersAndDuplicates() {
    assertThatThrownBy(
            () ->
                PsybergSource.builder()
                    .processName(PROCESS)
                    .catalog(wh.spec())
                    .tables(SRC)
                    .continuous(Duration.ZERO)
                    .build())
        .hasMessageContaining(PROCESS)
        .hasMessageContaining("'monitor-interval' must be positive");
    assertThatThrownBy(
            () ->
                PsybergSource.builder()
                    .processName(PROCESS)
                    .catalog(wh.spec())
                    .tables(SRC)
                    .maxSnapshotsPerSession(-3)
                    .build())
        .hasMessageContaining(PROCESS)
        .hasMessageContaining("'max-snapshots-per-session'")
        .hasMessageContaining("-3");
    assertThatThrownBy(
            () ->
                PsybergSource.builder()
                    .processName(PROCESS)
                    .catalog(wh.spec())
                    .tables(SRC, SRC)
                    .build())
        .hasMessageContaining(PROCESS)
        .hasMessageContaining("named twice");
    assertThatThrownBy(
            () ->
                PsybergSink.builder()
                    .processName(PROCESS)
                    .catalog(wh.spec())
                    .table(DST)
                    .auditNotNull(List.of("a"))
                    .auditNotNull(List.of("b"))
                    .build())
        .hasMessageContaining(PROCESS)
        .hasMessageContaining("two audits are named 'not-null'");
    assertThatThrownBy(
            () ->
                PsybergSink.builder()
                    .processName(PROCESS)
                    .catalog(wh.spec())
                    .table(DST)
                    .severity("row-count", Severity.WARN)
                    .build())
        .hasMessageContaining(PROCESS)
        .hasMessageContaining("'row-count', which is not configured");
    assertThatThrownBy(
            () ->
                PsybergSink.builder()
                    .processName(PROCESS)
                    .catalog(wh.spec())
                    .table(DST)
                    .writeMode(WriteMode.OVERWRITE_RANGE)
                    .build())
        .hasMessageContaining(PROCESS)
        .hasMessageContaining("overwrite-range-column");
    assertThatThrownBy(
            () ->
                PsybergSink.builder()
                    .processName(PROCESS)
                    .catalog(wh.spec())
                    .table(DST)
                    .parallelism(0)
                    .build())
        .hasMessageContaining(PROCESS)
        .hasMessageContaining("'sink.parallelism' must be positive");
  }

  private DataStream<RowData> sourceRows() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    return env.fromSource(
        PsybergSource.builder().catalog(wh.spec()).processName(PROCESS).tables(SRC).build(),
        WatermarkStrategy.noWatermarks(),
        "psyberg-source");
  }

  @Test
  void dataStreamSinkToAMissingTable() {
    assertThatThrownBy(
            () ->
                PsybergSink.builder()
                    .catalog(wh.spec())
                    .processName(PROCESS)
                    .table("facts.nope")
                    .build()
                    .append(sourceRows()))
        .hasMessageContaining(PROCESS)
        .hasMessageContaining("sink table facts.nope does not exist")
        .hasMessageContaining("Create it first");
  }

  @Test
  void dataStreamSourceTableMissing() {
    assertThatThrownBy(
            () ->
                PsybergSource.builder()
                    .catalog(wh.spec())
                    .processName(PROCESS)
                    .tables("membership.nope")
                    .build()
                    .rowType())
        .hasMessageContaining(PROCESS)
        .hasMessageContaining("source table membership.nope does not exist")
        .hasMessageContaining("option 'table'");
  }

  @Test
  void dataStreamRowsThatDoNotMatchTheTarget() {
    // The events rows (event_type among them) go unchanged into a table of another shape.
    assertThatThrownBy(
            () ->
                PsybergSink.builder()
                    .catalog(wh.spec())
                    .processName(PROCESS)
                    .table(DST)
                    .build()
                    .append(sourceRows()))
        .hasMessageContaining(PROCESS)
        .hasMessageContaining("sink table " + DST + " has columns")
        .hasMessageContaining("event_type")
        .hasMessageContaining("src_snapshot")
        .hasMessageContaining("Make the job's columns match the table's, in order");
  }

  @Test
  void catalogSpecFromOptionsNamesTheContext() {
    assertThatThrownBy(
            () ->
                CatalogSpec.fromOptions(
                    Map.of("catalog-type", "rest"), Map.<String, String>of(), "Process p"))
        .hasMessageContaining("Process p")
        .hasMessageContaining("'uri' is required for catalog-type 'rest'");
  }
}
