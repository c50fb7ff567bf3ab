package io.psyberg.flink.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psyberg.flink.catalog.CatalogSpec;
import io.psyberg.flink.metadata.SessionLog;
import io.psyberg.flink.session.Session;
import io.psyberg.flink.sink.PsybergSink;
import io.psyberg.flink.source.PsybergSource;
import io.psyberg.flink.testutils.Failures;
import io.psyberg.flink.testutils.Pipelines;
import io.psyberg.flink.testutils.Warehouse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Catalog credentials given as options ({@code catalog.jdbc.password}, {@code
 * catalog.s3.secret-access-key}, a password in a JDBC URI, a {@code psyberg.catalog.*} default in
 * the Flink configuration) must not show up anywhere a person or a log shipper reads: log output at
 * DEBUG for psyberg and Iceberg and INFO for everything else, error messages and their causes,
 * toStrings, plans, the metadata tables and the files of the warehouse.
 */
class NoSecretsInLogsITCase {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final LocalDateTime DAY1 = LocalDateTime.of(2026, 1, 1, 8, 0);
  private static final String JDBC_PASSWORD = "S3cr3t-jdbc-pw-8d1f";
  private static final String S3_SECRET = "S3cr3t-s3-key-42aa";
  private static final String DEFAULT_SECRET = "S3cr3t-default-c0fe";
  private static final String URI_PASSWORD = "S3cr3t-in-uri-77b3";
  private static final List<String> SECRETS =
      List.of(JDBC_PASSWORD, S3_SECRET, DEFAULT_SECRET, URI_PASSWORD);

  @TempDir Path dir;
  private Warehouse wh;
  private LogCapture logs;

  /** Everything the test has seen besides the log: messages, stack traces, toStrings, plans. */
  private final StringBuilder seen = new StringBuilder();

  @BeforeEach
  void setUp() {
    wh = new Warehouse(dir);
    wh.createEventsTable("membership.events");
    wh.createEventsTable("facts.copy");
    logs = LogCapture.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    logs.close();
    wh.close();
  }

  private Map<String, String> secretOptions() {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("catalog.jdbc.password", JDBC_PASSWORD);
    o.put("catalog.s3.secret-access-key", S3_SECRET);
    return o;
  }

  private static String with(Map<String, String> options) {
    StringBuilder sb = new StringBuilder();
    options.forEach(
        (k, v) ->
            sb.append(", '").append(k).append("' = '").append(v.replace("'", "''")).append("'"));
    return sb.toString();
  }

  private TableEnvironment tableEnv() {
    TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    tEnv.getConfig().getConfiguration().setString("parallelism.default", "1");
    tEnv.getConfig()
        .getConfiguration()
        .setString("psyberg.catalog.warehouse", wh.spec().warehouse());
    // A credential among the Flink configuration's catalog defaults reaches the catalog as
    // 'jdbc.token'.
    tEnv.getConfig().getConfiguration().setString("psyberg.catalog.jdbc.token", DEFAULT_SECRET);
    return tEnv;
  }

  private void record(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    seen.append(Failures.messages(t)).append(w).append('\n');
  }

  /**
   * Asserts no secret is in the log, in what the test saw, in the metadata tables or in the
   * warehouse files.
   */
  private void assertNoSecretAnywhere() throws IOException {
    String log = logs.text();
    assertThat(log).as("captured log output").isNotEmpty();
    StringBuilder metadata = new StringBuilder();
    for (Session s : new SessionLog(wh.catalog(), "psyberg").allSessions()) {
      metadata.append(s).append(s.auditResults()).append('\n');
    }
    for (String name : List.of("psyberg.sessions", "psyberg.high_watermarks")) {
      if (!wh.catalog().tableExists(TableIdentifier.parse(name))) {
        continue;
      }
      try (CloseableIterable<Record> rows = IcebergGenerics.read(wh.load(name)).build()) {
        rows.forEach(r -> metadata.append(r).append('\n'));
      }
    }
    for (String name : List.of("facts.copy", "membership.events")) {
      Table t = wh.load(name);
      metadata.append(t.properties()).append('\n');
      for (Snapshot s : t.snapshots()) {
        metadata.append(s.summary()).append('\n');
      }
    }
    List<String> filesWithSecrets = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        if (SECRETS.stream().anyMatch(content::contains)) {
          filesWithSecrets.add(f.toString());
        }
      }
    }
    for (String secret : SECRETS) {
      assertThat(log).as("log output").doesNotContain(secret);
      assertThat(seen.toString()).as("messages, stack traces and toStrings").doesNotContain(secret);
      assertThat(metadata.toString())
          .as("metadata tables and snapshot summaries")
          .doesNotContain(secret);
    }
    assertThat(filesWithSecrets).as("warehouse files holding a secret").isEmpty();
  }

  @Test
  void sqlJobsWithSecretCatalogPropertiesShowNoSecret() throws Exception {
    wh.append("membership.events", Warehouse.events("a", 3, DAY1));
    TableEnvironment tEnv = tableEnv();
    String secrets = with(secretOptions());
    tEnv.executeSql(
        "CREATE TEMPORARY TABLE src (event_id STRING, account_id BIGINT, event_type STRING, plan"
            + " STRING, event_ts TIMESTAMP(6)) WITH ('connector' = 'psyberg', 'catalog-type' ="
            + " 'hadoop', 'table' = 'membership.events', 'process-name' = 'secret_p',"
            + " 'change-range-column' = 'event_ts'"
            + secrets
            + ")");
    tEnv.executeSql(
        "CREATE TEMPORARY TABLE dst (event_id STRING NOT NULL, account_id BIGINT NOT NULL,"
            + " event_type STRING NOT NULL, plan STRING, event_ts TIMESTAMP(6) NOT NULL) WITH"
            + " ('connector' = 'psyberg', 'table' = 'facts.copy', 'process-name' = 'secret_p',"
            + " 'audit.max-rows' = '4'"
            + secrets
            + ")");
    String insert = "INSERT INTO dst SELECT * FROM src";
    seen.append(tEnv.explainSql(insert)).append('\n');

    tEnv.executeSql(insert).await(120, TimeUnit.SECONDS);
    assertThat(Pipelines.ids(wh.load("facts.copy"))).hasSize(3);

    // A failing audit: the job's failure travels through Flink's logs and the exception chain.
    wh.append("membership.events", Warehouse.events("b", 5, DAY1));
    assertThatThrownBy(() -> tEnv.executeSql(insert).await(120, TimeUnit.SECONDS))
        .satisfies(this::record)
        .satisfies(e -> assertThat(Failures.messages(e)).contains("failed its audits", "max-rows"));

    // A planning failure prints the table's options.
    tEnv.executeSql(
        "CREATE TEMPORARY TABLE bad (event_id STRING) WITH ('connector' = 'psyberg',"
            + " 'table' = 'membership.events', 'process-name' = 'secret_p', 'mood' = 'x'"
            + secrets
            + ")");
    assertThatThrownBy(() -> tEnv.explainSql("SELECT * FROM bad"))
        .satisfies(this::record)
        .satisfies(e -> assertThat(Failures.messages(e)).contains("Unsupported options", "mood"));
    // The capture works: psyberg's own log lines about this process are in it.
    assertThat(logs.text())
        .contains("Process secret_p: planned session", "Process secret_p: published session");
    assertNoSecretAnywhere();
  }

  @Test
  void unreachableJdbcCatalogFailsClearlyWithoutShowingTheSecret() throws Exception {
    TableEnvironment tEnv = tableEnv();
    Map<String, String> options = secretOptions();
    options.put("catalog.jdbc.user", "etl");
    tEnv.executeSql(
        "CREATE TEMPORARY TABLE src (event_id STRING) WITH ('connector' = 'psyberg', 'catalog-type'"
            + " = 'jdbc', 'uri' = 'jdbc:psyberg-missing-driver://db.invalid:5432/lake', 'warehouse'"
            + " = '"
            + wh.spec().warehouse()
            + "',"
            + " 'table' = 'membership.events', 'process-name' = 'secret_jdbc'"
            + with(options)
            + ")");
    assertThatThrownBy(() -> tEnv.explainSql("SELECT * FROM src"))
        .satisfies(this::record)
        .satisfies(
            e ->
                assertThat(Failures.messages(e))
                    .contains(
                        "default_catalog.default_database.src (process secret_jdbc)",
                        "Could not open Iceberg catalog",
                        "catalog-type jdbc",
                        "uri jdbc:psyberg-missing-driver://db.invalid:5432/lake",
                        "No suitable driver",
                        "Check options 'catalog-type' or 'catalog-impl', 'uri', 'warehouse' and"
                            + " 'catalog.*'"));
    assertNoSecretAnywhere();
  }

  @Test
  void passwordInsideAJdbcUriIsNotShown() throws Exception {
    TableEnvironment tEnv = tableEnv();
    tEnv.executeSql(
        "CREATE TEMPORARY TABLE src (event_id STRING) WITH ('connector' = 'psyberg', 'catalog-type'"
            + " = 'jdbc', 'uri' ="
            + " 'jdbc:psyberg-missing-driver://db.invalid:5432/lake?user=etl&password="
            + URI_PASSWORD
            + "&ssl=true',"
            + " 'warehouse' = '"
            + wh.spec().warehouse()
            + "', 'table' = 'membership.events', 'process-name' = 'secret_uri')");
    assertThatThrownBy(() -> tEnv.explainSql("SELECT * FROM src"))
        .satisfies(this::record)
        .satisfies(
            e ->
                assertThat(Failures.messages(e))
                    .contains(
                        "default_catalog.default_database.src (process secret_uri)",
                        "Could not open Iceberg catalog",
                        "uri jdbc:psyberg-missing-driver://db.invalid:5432/lake?user=etl&password=***&ssl=true",
                        // the driver got the URI without the password (it went as the 'password'
                        // property)
                        "No suitable driver found for"
                            + " jdbc:psyberg-missing-driver://db.invalid:5432/lake?user=etl&ssl=true",
                        "'catalog-type'",
                        "classpath"));
    CatalogSpec spec =
        CatalogSpec.fromOptions(
            Map.of(
                "catalog-type",
                "jdbc",
                "warehouse",
                "/tmp/w",
                "uri",
                "jdbc:postgresql://db.invalid/lake?user=etl&password=" + URI_PASSWORD),
            Map.<String, String>of(),
            "test");
    seen.append(spec).append('\n');
    assertNoSecretAnywhere();
  }

  @Test
  void dataStreamJobsWithSecretCatalogPropertiesShowNoSecret() throws Exception {
    wh.append("membership.events", Warehouse.events("a", 3, DAY1));
    Map<String, String> options = secretOptions();
    options.put("warehouse", wh.spec().warehouse());
    CatalogSpec spec =
        CatalogSpec.fromOptions(
            options, Map.of("psyberg.catalog.jdbc.token", DEFAULT_SECRET), "test");
    seen.append(spec).append('\n');
    assertThat(spec.toString()).contains("jdbc.password", "s3.secret-access-key", "jdbc.token");

    Pipelines.run(
        PsybergSource.builder()
            .catalog(spec)
            .processName("secret_ds")
            .tables("membership.events")
            .build(),
        PsybergSink.builder().catalog(spec).processName("secret_ds").table("facts.copy").build(),
        1);
    assertThat(Pipelines.ids(wh.load("facts.copy"))).hasSize(3);

    wh.append("membership.events", Warehouse.events("b", 2, DAY1));
    assertThatThrownBy(
            () ->
                Pipelines.run(
                    PsybergSource.builder()
                        .catalog(spec)
                        .processName("secret_ds")
                        .tables("membership.events")
                        .build(),
                    PsybergSink.builder()
                        .catalog(spec)
                        .processName("secret_ds")
                        .table("facts.copy")
                        .auditRowBounds(null, 1L)
                        .build(),
                    1))
        .satisfies(this::record)
        .satisfies(e -> assertThat(Failures.messages(e)).contains("failed its audits"));
    assertThat(logs.text())
        .contains("Process secret_ds: planned session", "DEBUG org.apache.iceberg");
    assertNoSecretAnywhere();
  }

  /**
   * Captures log output while a test runs: psyberg and Iceberg at DEBUG, everything else at INFO.
   */
  static final class LogCapture implements AutoCloseable {
    private static final List<String> DEBUG_LOGGERS = List.of("io.psyberg", "org.apache.iceberg");
    private final StringWriter out = new StringWriter();
    private final LoggerContext context;
    private final WriterAppender appender;
    private final Map<String, Level> previous = new LinkedHashMap<>();
    private final List<String> added = new ArrayList<>();

    private LogCapture() {
      context = (LoggerContext) LogManager.getContext(false);
      Configuration config = context.getConfiguration();
      PatternLayout layout =
          PatternLayout.newBuilder()
              .withConfiguration(config)
              .withPattern("%p %c - %m%n%throwable")
              .build();
      appender =
          WriterAppender.newBuilder()
              .setName("no-secrets-capture")
              .setTarget(out)
              .setLayout(layout)
              .setConfiguration(config)
              .build();
      appender.start();
      config.addAppender(appender);
      LoggerConfig root = config.getRootLogger();
      previous.put("", root.getLevel());
      root.setLevel(Level.INFO);
      root.addAppender(appender, Level.ALL, null);
      for (String name : DEBUG_LOGGERS) {
        LoggerConfig own = config.getLoggers().get(name);
        if (own == null) {
          own = new LoggerConfig(name, Level.DEBUG, true);
          config.addLogger(name, own);
          added.add(name);
        } else {
          previous.put(name, own.getLevel());
          own.setLevel(Level.DEBUG);
        }
      }
      context.updateLoggers();
    }

    static LogCapture start() {
      return new LogCapture();
    }

    String text() {
      synchronized (out) {
        return out.toString();
      }
    }

    @Override
    public void close() {
      Configuration config = context.getConfiguration();
      config.getRootLogger().removeAppender(appender.getName());
      previous.forEach(
          (name, level) -> {
            if (name.isEmpty()) {
              config.getRootLogger().setLevel(level);
            } else {
              config.getLoggers().get(name).setLevel(level);
            }
          });
      added.forEach(config::removeLogger);
      context.updateLoggers();
      appender.stop();
    }
  }
}
