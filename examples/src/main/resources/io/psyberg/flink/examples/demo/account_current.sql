-- Second stage: membership.account_current, each account's current lifecycle segment, kept exact
-- from membership.account_lifecycle's changes (the lifecycle process rewrites segments when late
-- events correct them). Run it after lifecycle sessions, as often as wanted:
--   psyberg-examples sql --file account_current.sql
-- Streaming runtime mode: a bounded changelog session read gives -U/+U/-D, which SQL passes on.
SET 'execution.runtime-mode' = 'streaming';
-- The target is keyed like the source, (account_id, segment_no): a segment that is no longer open
-- comes as -U (or -D) of its open row and deletes exactly that row, whatever order the changes of
-- other segments of the account take within one lifecycle snapshot. One open segment per account
-- makes it one row per account.
CREATE TABLE IF NOT EXISTS lake.membership.account_current (
  account_id BIGINT NOT NULL,
  segment_no INT NOT NULL,
  state STRING NOT NULL,
  plan STRING,
  since TIMESTAMP(6) NOT NULL,
  PRIMARY KEY (account_id, segment_no) NOT ENFORCED
) WITH ('format-version' = '2');
CREATE TEMPORARY TABLE lifecycle_changes (
  account_id BIGINT NOT NULL,
  segment_no INT NOT NULL,
  state STRING NOT NULL,
  plan STRING,
  valid_from TIMESTAMP(6) NOT NULL,
  valid_to TIMESTAMP(6),
  opened_by_event_id STRING NOT NULL,
  PRIMARY KEY (account_id, segment_no) NOT ENFORCED
) WITH (
  'connector' = 'psyberg',
  'table' = 'membership.account_lifecycle',
  'process-name' = 'account_current_load',
  'non-append-snapshots' = 'changelog'
);
CREATE TEMPORARY TABLE account_current (
  account_id BIGINT NOT NULL,
  segment_no INT NOT NULL,
  state STRING NOT NULL,
  plan STRING,
  since TIMESTAMP(6) NOT NULL,
  PRIMARY KEY (account_id, segment_no) NOT ENFORCED
) WITH (
  'connector' = 'psyberg',
  'table' = 'membership.account_current',
  'process-name' = 'account_current_load',
  'write-mode' = 'upsert'
);
INSERT INTO account_current
SELECT account_id, segment_no, state, plan, valid_from
FROM lifecycle_changes
WHERE valid_to IS NULL;
