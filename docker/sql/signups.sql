-- The signup process in Flink SQL: each SIGNUP event that is new since the process's high watermark
-- becomes one row of membership.sql_signups, audited, and published with the new high watermark.
-- Running it again processes only the snapshots committed since.
--
-- Docker:        docker compose run --rm sql-client bin/sql-client.sh -f /opt/psyberg/sql/signups.sql
-- Local cluster: run by local-cluster/e2e.sh (which points the 'lake' catalog at its own warehouse).
--
-- The psyberg tables name only 'table' and 'process-name': the catalog comes from the cluster
-- configuration's psyberg.catalog.warehouse (file:///warehouse in docker-compose.yml).
SET 'table.dml-sync' = 'true';
SET 'sql-client.execution.result-mode' = 'TABLEAU';

-- An Iceberg catalog over the same warehouse, to create the target table once.
CREATE CATALOG lake WITH (
  'type' = 'iceberg',
  'catalog-type' = 'hadoop',
  'warehouse' = 'file:///warehouse'
);
CREATE TABLE IF NOT EXISTS lake.membership.sql_signups (
  event_id STRING NOT NULL,
  account_id BIGINT NOT NULL,
  plan STRING,
  event_ts TIMESTAMP(6) NOT NULL,
  src_snapshot BIGINT
) WITH ('format-version' = '2');

CREATE TEMPORARY TABLE new_events (
  event_id STRING,
  account_id BIGINT,
  event_type STRING,
  plan STRING,
  event_ts TIMESTAMP(6),
  src_snapshot BIGINT METADATA FROM 'snapshot-id' VIRTUAL
) WITH (
  'connector' = 'psyberg',
  'table' = 'membership.events',
  'process-name' = 'sql_signups',
  'mode' = 'bounded',
  'change-range-column' = 'event_ts'
);

CREATE TEMPORARY TABLE sql_signups_sink (
  event_id STRING NOT NULL,
  account_id BIGINT NOT NULL,
  plan STRING,
  event_ts TIMESTAMP(6) NOT NULL,
  src_snapshot BIGINT
) WITH (
  'connector' = 'psyberg',
  'table' = 'membership.sql_signups',
  'process-name' = 'sql_signups',
  'write-mode' = 'append',
  'audit.not-null' = 'event_id,account_id,event_ts',
  'audit.row-count' = 'match-source',
  'audit.row-count.source-filter' = 'event_type = ''SIGNUP'''
);

INSERT INTO sql_signups_sink
SELECT event_id, account_id, plan, event_ts, src_snapshot FROM new_events WHERE event_type = 'SIGNUP';

-- Read back through Iceberg's own source, on the cluster too.
SET 'execution.runtime-mode' = 'batch';
SELECT COUNT(*) AS sql_signups_rows FROM lake.membership.sql_signups;
