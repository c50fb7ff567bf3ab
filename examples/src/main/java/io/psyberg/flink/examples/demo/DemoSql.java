package io.psyberg.flink.examples.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The SQL the demo runs through the {@code sql} command (catalog defaults come from the command).
 */
final class DemoSql {
  private DemoSql() {}

  /** The second stage over account_lifecycle's changelog; the same script users run with --file. */
  static String accountCurrent() {
    try (InputStream in = DemoSql.class.getResourceAsStream("account_current.sql")) {
      if (in == null) {
        throw new IllegalStateException("account_current.sql is missing from the examples jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** account_current against a full recompute from account_lifecycle as it is now. */
  static final String ACCOUNT_CURRENT_CHECK =
      "SET 'execution.runtime-mode' = 'batch';\n"
          + "SELECT (SELECT COUNT(*) FROM lake.membership.account_current) AS current_rows, (SELECT"
          + " COUNT(*) FROM ((SELECT account_id, segment_no, state, plan, since FROM"
          + " lake.membership.account_current EXCEPT ALL SELECT account_id, segment_no, state,"
          + " plan, valid_from FROM lake.membership.account_lifecycle WHERE valid_to IS NULL) UNION"
          + " ALL (SELECT account_id, segment_no, state, plan, valid_from FROM"
          + " lake.membership.account_lifecycle WHERE valid_to IS NULL EXCEPT ALL SELECT"
          + " account_id, segment_no, state, plan, since FROM lake.membership.account_current)) AS"
          + " d) AS differing_from_recompute;\n";

  static final String PREMIUM_PLAN_CHANGES =
      "CREATE TABLE IF NOT EXISTS lake.membership.premium_plan_changes (event_id STRING NOT NULL,"
          + " account_id BIGINT NOT NULL, event_ts TIMESTAMP(6) NOT NULL) WITH ('format-version' ="
          + " '2');\n"
          + "CREATE TEMPORARY TABLE events (event_id STRING, account_id BIGINT, event_type STRING,"
          + " plan STRING, event_ts TIMESTAMP(6)) WITH ('connector' = 'psyberg', 'table' ="
          + " 'membership.events', 'process-name' = 'premium_plan_changes', 'change-range-column' ="
          + " 'event_ts');\n"
          + "CREATE TEMPORARY TABLE changes (event_id STRING NOT NULL, account_id BIGINT NOT NULL,"
          + " event_ts TIMESTAMP(6) NOT NULL) WITH ('connector' = 'psyberg', 'table' ="
          + " 'membership.premium_plan_changes', 'process-name' = 'premium_plan_changes',"
          + " 'audit.not-null' = 'account_id', 'audit.max-rows' = '10');\n"
          + "INSERT INTO changes SELECT event_id, account_id, event_ts FROM events WHERE event_type"
          + " = 'PLAN_CHANGE' AND plan = 'premium';\n";

  static final String RESULTS =
      "SET 'execution.runtime-mode' = 'batch';\n"
          + "SELECT 'membership.events' AS table_name, COUNT(*) AS row_count FROM"
          + " lake.membership.events\n"
          + "UNION ALL SELECT 'membership.signup_facts', COUNT(*) FROM"
          + " lake.membership.signup_facts\n"
          + "UNION ALL SELECT 'membership.account_lifecycle', COUNT(*) FROM"
          + " lake.membership.account_lifecycle\n"
          + "UNION ALL SELECT 'membership.lifecycle_anomalies', COUNT(*) FROM"
          + " lake.membership.lifecycle_anomalies;\n"
          + "SELECT state, COUNT(*) AS current_accounts FROM lake.membership.account_lifecycle"
          + " WHERE valid_to IS NULL GROUP BY state ORDER BY state;\n"
          + "SELECT reason, COUNT(*) AS anomalies FROM lake.membership.lifecycle_anomalies GROUP BY"
          + " reason ORDER BY reason;\n";
}
