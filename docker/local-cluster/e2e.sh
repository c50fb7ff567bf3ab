#!/usr/bin/env bash
# End-to-end test on a real standalone Flink 1.18.1 cluster (separate JobManager and TaskManager JVMs
# on 127.0.0.1, no Docker): generates membership events into a fresh warehouse with the examples CLI,
# submits the examples' jobs to the cluster as a jar (CliFrontend run), runs a SQL script through
# Flink's SQL client (embedded mode) against the cluster, then checks the published tables.
# Two rounds by default: the second appends new events and runs everything again, which must process
# only the new snapshots (no duplicates, one more published session per process).
# Then a round on Iceberg's REST catalog with the tables on S3: Iceberg's REST catalog server and an S3
# API server (S3Mock) run as separate processes on 127.0.0.1 (test-servers' RestCatalogOnS3, started
# at the beginning so they come up while the cluster does); events are generated through the REST
# catalog and the signups job runs on the cluster against it (S3FileIO), then its result is checked.
#
# Builds nothing: run 'mvn -B -q install -DskipTests' in the repository root first.
# Usage: docker/local-cluster/e2e.sh        (settings: lib.sh; PSYBERG_E2E_ROUNDS=1|2, default 2)
# Exit code 0 only when every step and every check passed. The cluster is stopped on any exit.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS="${PSYBERG_E2E_ROUNDS:-2}"
STEP_TIMEOUT="${PSYBERG_E2E_STEP_TIMEOUT:-300}"
[[ "$ROUNDS" =~ ^[12]$ ]] || lc_die "PSYBERG_E2E_ROUNDS must be 1 or 2"

cd "$REPO_ROOT"
EX_JAR="$REPO_ROOT/examples/target/psyberg-examples.jar"
RUN_DIR="$LC_WORK/e2e"
WAREHOUSE="$RUN_DIR/warehouse"
E2E_LOG="$LC_LOG/e2e"
MAIN_CLASS=io.psyberg.flink.examples.PsybergCli

say() { echo "[e2e] $*"; }
fail() { echo "[e2e] FAILED: $*" >&2; exit 1; }

# --- cleanup: stop the running step and the cluster on any exit ---------------------------------------
STEP_PID=""
STEP_LOG=""
SERVERS_PID=""   # the REST catalog + S3 servers' launcher, stopped (with both servers) on exit
CLUSTER_OWNED=0   # set once this script starts the cluster: only then does it stop it
E2E_START=$SECONDS
on_exit() {
  local rc=$? interrupted=""
  set +e
  if [[ -n "$STEP_PID" ]] && kill -0 "$STEP_PID" 2>/dev/null; then
    say "stopping the running step (PID $STEP_PID)"
    kill -TERM "$STEP_PID" 2>/dev/null
    wait "$STEP_PID" 2>/dev/null
    interrupted="$STEP_LOG"
  fi
  if [[ $rc -ne 0 ]]; then
    # A finished step's output is printed already; an interrupted one's is not.
    if [[ -n "$interrupted" && -s "$interrupted" ]]; then
      echo "----- tail -n 40 $interrupted -----" >&2
      tail -n 40 "$interrupted" >&2
    fi
    lc_print_log_tails 60
  fi
  if [[ $CLUSTER_OWNED -eq 1 ]]; then
    "$LC_DIR/stop-cluster.sh"
  fi
  if [[ -n "$SERVERS_PID" ]] && kill -0 "$SERVERS_PID" 2>/dev/null; then
    say "stopping the REST catalog and S3 servers (PID $SERVERS_PID)"
    kill -TERM "$SERVERS_PID" 2>/dev/null
    wait "$SERVERS_PID" 2>/dev/null
  fi
  if [[ $rc -eq 0 ]]; then
    say "PASSED in $((SECONDS - E2E_START)) s"
  else
    say "FAILED (exit $rc) after $((SECONDS - E2E_START)) s; logs in $LC_LOG"
  fi
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# run_step NAME COMMAND...: runs one command in the background under a timeout, saving its PID (so
# on_exit can stop it) and its output in $E2E_LOG/NAME.out, then prints the output.
run_step() {
  local name="$1"; shift
  local rc=0 start=$SECONDS
  STEP_LOG="$E2E_LOG/$name.out"
  say "== $name"
  timeout --kill-after=15 "$STEP_TIMEOUT" "$@" > "$STEP_LOG" 2>&1 < /dev/null &
  STEP_PID=$!
  wait "$STEP_PID" || rc=$?
  STEP_PID=""
  sed 's/^/    /' "$STEP_LOG"
  if [[ $rc -eq 124 ]]; then
    fail "step '$name' timed out after ${STEP_TIMEOUT}s"
  elif [[ $rc -eq 137 ]]; then
    fail "step '$name' was killed (SIGKILL: after the timeout's grace period, or out of memory)"
  elif [[ $rc -ne 0 ]]; then
    fail "step '$name' exited with $rc (output above, also in $STEP_LOG)"
  fi
  say "   $name: ok in $((SECONDS - start)) s"
}

# The examples CLI, run locally (its embedded catalog reads and writes the warehouse directly).
CLI=("$JAVA" -jar "$EX_JAR")

# A job of the examples jar, submitted to the cluster: CliFrontend runs the jar's main() here and the
# job it builds runs on the cluster (the jar bundles Flink; Flink's classes are loaded parent-first,
# so the cluster's own are used).
flink_run() {
  local name="$1"; shift
  run_step "$name" "$JAVA" "${JAVA17_FLAGS[@]}" -Dlog.file="$E2E_LOG/$name.client.log" \
    -Dlog4j.configurationFile="file:$LC_CONF/log4j-cli.properties" -cp "$LC_LIB/*" \
    org.apache.flink.client.cli.CliFrontend run -m "$LC_HOST:$LC_REST_PORT" -c "$MAIN_CLASS" "$EX_JAR" "$@"
  grep -q "Job has been submitted with JobID" "$STEP_LOG" \
    || fail "step '$name' did not submit a job to the cluster"
}

# Flink's SQL client in embedded mode, submitting to the cluster named in flink-conf.yaml.
sql_client() {
  local name="$1" script="$2"
  run_step "$name" "$JAVA" "${JAVA17_FLAGS[@]}" -Dlog.file="$E2E_LOG/$name.client.log" \
    -Dlog4j.configurationFile="file:$LC_CONF/log4j-cli.properties" -cp "$LC_LIB/*:$LC_OPT/*" \
    org.apache.flink.table.client.SqlClient embedded -f "$script" -hist "$RUN_DIR/sql-history"
  # Flink 1.18's SQL client exits 0 even when a statement of the -f script fails.
  if grep -q '\[ERROR\]' "$STEP_LOG"; then
    fail "the SQL client reported an error (see above; client log: $E2E_LOG/$name.client.log)"
  fi
}

# --- preconditions --------------------------------------------------------------------------------------
lc_check_java
[[ -f "$EX_JAR" ]] || fail "missing $EX_JAR: build first with 'mvn -B -q install -DskipTests'"
lc_sql_connector_jar > /dev/null || fail "missing sql-connector/target/psyberg-flink-sql-connector-*.jar: build first"
rm -rf "$RUN_DIR" "$E2E_LOG"
mkdir -p "$RUN_DIR" "$E2E_LOG" "$WAREHOUSE"
WAREHOUSE="$(cd "$WAREHOUSE" && pwd)"
# The Docker example script, with its Iceberg catalog pointed at this run's warehouse (the psyberg
# tables in it take the warehouse from the cluster's psyberg.catalog.warehouse).
SQL_SCRIPT="$LC_DIR/../sql/signups.sql"
[[ "$(grep -c "'file:///warehouse'" "$SQL_SCRIPT")" -eq 1 ]] \
  || fail "$SQL_SCRIPT: expected exactly one 'file:///warehouse' (the Iceberg catalog's warehouse)"
sed "s#'file:///warehouse'#'file://$WAREHOUSE'#" "$SQL_SCRIPT" > "$RUN_DIR/signups.sql"

# Commands this build of the CLI has (a reserved but unimplemented one says "not available").
CLI_HELP="$("${CLI[@]}" --help)"
has_command() {
  local line
  line="$(echo "$CLI_HELP" | grep -E "^  $1 " || true)"
  [[ -n "$line" && "$line" != *"not available"* ]]
}
HAS_SIGNUPS=0; has_command signups && HAS_SIGNUPS=1
HAS_LIFECYCLE=0; has_command lifecycle && HAS_LIFECYCLE=1

# --- REST catalog + S3 servers, started now so that they come up while the cluster does -----------------
TS_JAR="$(ls "$REPO_ROOT"/test-servers/target/psyberg-flink-test-servers-*.jar 2>/dev/null | head -1 || true)"
[[ -n "$TS_JAR" ]] || fail "missing test-servers/target/psyberg-flink-test-servers-*.jar: build first"
REST_DIR="$RUN_DIR/rest-s3"
mkdir -p "$REST_DIR"
"$JAVA" -cp "$TS_JAR" io.psyberg.flink.testservers.RestCatalogOnS3 "$REST_DIR" \
  > "$E2E_LOG/rest-s3-servers.out" 2>&1 < /dev/null &
SERVERS_PID=$!

# --- cluster --------------------------------------------------------------------------------------------
if lc_pid_alive "$LC_PIDS/jobmanager.pid" "$JM_CLASS" || lc_pid_alive "$LC_PIDS/taskmanager.pid" "$TM_CLASS"; then
  fail "a local cluster from $LC_WORK is already running; stop it first with $LC_DIR/stop-cluster.sh"
fi
say "fresh warehouse: $WAREHOUSE"
export PSYBERG_LC_WAREHOUSE="$WAREHOUSE"
CLUSTER_OWNED=1
"$LC_DIR/start-cluster.sh" 2>&1 | tee "$E2E_LOG/start-cluster.out"
CLUSTER_JOBS=0   # jobs this test submits to the cluster; all must finish, none fail

run_round() {
  local round="$1" seed events late
  if [[ "$round" -eq 1 ]]; then seed=1; events=400; late=0.1; else seed=2; events=200; late=0.2; fi
  say "---------- round $round ----------"
  run_step "r$round-generate" "${CLI[@]}" generate --warehouse "$WAREHOUSE" --table membership.events \
    --accounts 50 --events "$events" --late-fraction "$late" --seed "$seed"

  if [[ $HAS_SIGNUPS -eq 1 ]]; then
    flink_run "r$round-signups" signups --warehouse "$WAREHOUSE" --process p \
      --source membership.events --target membership.signup_facts
    CLUSTER_JOBS=$((CLUSTER_JOBS + 1))
  else
    say "SKIPPED: command not available: signups (this build of psyberg-examples.jar does not implement it)"
  fi

  if [[ $HAS_LIFECYCLE -eq 1 ]]; then
    flink_run "r$round-lifecycle" lifecycle --warehouse "$WAREHOUSE" --process lc \
      --source membership.events --target membership.account_lifecycle \
      --anomalies membership.lifecycle_anomalies
    CLUSTER_JOBS=$((CLUSTER_JOBS + 1))
  else
    say "SKIPPED: command not available: lifecycle (this build of psyberg-examples.jar does not implement it)"
  fi

  sql_client "r$round-sql-client" "$RUN_DIR/signups.sql"
  CLUSTER_JOBS=$((CLUSTER_JOBS + 2))   # the INSERT and the SELECT
}

# --- checks ---------------------------------------------------------------------------------------------
declare -A V
# query_counts: one SELECT of scalar sub-queries through the CLI's sql command (local, batch); fills V.
query_counts() {
  local q="SET 'execution.runtime-mode' = 'batch'; SELECT"
  q+=" (SELECT COUNT(*) FROM lake.membership.events) AS events"
  q+=", (SELECT COUNT(*) FROM lake.membership.events WHERE event_type = 'SIGNUP') AS signup_events"
  q+=", (SELECT COUNT(DISTINCT event_id) FROM lake.membership.events WHERE event_type = 'SIGNUP') AS signup_event_ids"
  q+=", (SELECT COUNT(*) FROM lake.membership.sql_signups) AS sql_signups"
  q+=", (SELECT COUNT(DISTINCT event_id) FROM lake.membership.sql_signups) AS sql_signups_ids"
  q+=", (SELECT COUNT(*) FROM lake.psyberg.sessions WHERE process_name = 'sql_signups' AND status = 'PUBLISHED') AS sql_signups_published"
  if [[ $HAS_SIGNUPS -eq 1 ]]; then
    q+=", (SELECT COUNT(*) FROM lake.membership.signup_facts) AS signup_facts"
    q+=", (SELECT COUNT(DISTINCT event_id) FROM lake.membership.signup_facts) AS signup_facts_ids"
    q+=", (SELECT COUNT(*) FROM lake.psyberg.sessions WHERE process_name = 'p' AND status = 'PUBLISHED') AS p_published"
  fi
  if [[ $HAS_LIFECYCLE -eq 1 ]]; then
    q+=", (SELECT COUNT(*) FROM lake.membership.account_lifecycle) AS lifecycle_rows"
    q+=", (SELECT COUNT(*) FROM (SELECT DISTINCT account_id, segment_no FROM lake.membership.account_lifecycle)) AS lifecycle_keys"
    q+=", (SELECT COUNT(DISTINCT account_id) FROM lake.membership.account_lifecycle) AS lifecycle_accounts"
    q+=", (SELECT COUNT(*) FROM lake.membership.account_lifecycle WHERE valid_to IS NULL) AS lifecycle_open_segments"
    q+=", (SELECT COUNT(*) FROM lake.psyberg.sessions WHERE process_name = 'lc' AND status = 'PUBLISHED') AS lc_published"
  fi
  run_step "check-query" "${CLI[@]}" sql --warehouse "$WAREHOUSE" --format csv --execute "$q"
  read_csv_result events
}

# read_csv_result FIRST_COLUMN: fills V from the CSV result (header and one row) of the last step.
read_csv_result() {
  local header values i
  header="$(grep -E "^$1," "$STEP_LOG" | tail -1)"
  values="$(grep -A1 -E "^$1," "$STEP_LOG" | tail -1)"
  [[ -n "$header" && -n "$values" ]] || fail "could not read the check query's CSV output"
  IFS=, read -r -a H <<< "$header"
  IFS=, read -r -a R <<< "$values"
  [[ ${#H[@]} -eq ${#R[@]} ]] || fail "check query: ${#H[@]} columns but ${#R[@]} values"
  V=()
  for i in "${!H[@]}"; do V[${H[$i]}]="${R[$i]}"; done
}

FAILURES=0
# expect NAME ACTUAL OP EXPECTED DESCRIPTION
expect() {
  local name="$1" actual="$2" op="$3" expected="$4" what="$5" ok=1
  [[ "$actual" =~ ^[0-9]+$ ]] || ok=0
  if [[ $ok -eq 1 ]]; then
    case "$op" in
      -eq) [[ "$actual" -eq "$expected" ]] || ok=0 ;;
      -gt) [[ "$actual" -gt "$expected" ]] || ok=0 ;;
      *) ok=0 ;;
    esac
  fi
  if [[ $ok -eq 1 ]]; then
    say "   OK       $name = $actual ($what)"
  else
    say "   MISMATCH $name = '$actual', expected $op $expected ($what)"
    FAILURES=$((FAILURES + 1))
  fi
}

check_round() {
  local round="$1"
  query_counts
  say "== checks after round $round"
  expect events "${V[events]}" -gt 0 "generated events"
  expect signup_events "${V[signup_events]}" -gt 0 "SIGNUP events in membership.events"
  if [[ $HAS_SIGNUPS -eq 1 ]]; then
    expect signup_facts "${V[signup_facts]}" -eq "${V[signup_events]}" "one fact per SIGNUP event"
    expect signup_facts_ids "${V[signup_facts_ids]}" -eq "${V[signup_event_ids]}" "distinct event_ids = SIGNUP event_ids"
    expect p_published "${V[p_published]}" -eq "$round" "published sessions of process p"
  fi
  expect sql_signups "${V[sql_signups]}" -eq "${V[signup_events]}" "SQL job: one row per SIGNUP event"
  expect sql_signups_ids "${V[sql_signups_ids]}" -eq "${V[signup_event_ids]}" "SQL job: distinct event_ids"
  expect sql_signups_published "${V[sql_signups_published]}" -eq "$round" "published sessions of process sql_signups"
  if [[ $HAS_LIFECYCLE -eq 1 ]]; then
    expect lifecycle_rows "${V[lifecycle_rows]}" -gt 0 "account_lifecycle rows"
    expect lifecycle_keys "${V[lifecycle_keys]}" -eq "${V[lifecycle_rows]}" "(account_id, segment_no) unique"
    expect lifecycle_open_segments "${V[lifecycle_open_segments]}" -eq "${V[lifecycle_accounts]}" "one open segment per account"
    expect lc_published "${V[lc_published]}" -eq "$round" "published sessions of process lc"
  fi
  local overview finished failed
  overview="$(curl -s --max-time 5 "$LC_REST_URL/overview" || true)"
  finished="$(echo "$overview" | sed -n 's/.*"jobs-finished":\([0-9]*\).*/\1/p')"
  failed="$(echo "$overview" | sed -n 's/.*"jobs-failed":\([0-9]*\).*/\1/p')"
  expect cluster_jobs_finished "$finished" -eq "$CLUSTER_JOBS" "jobs finished on the cluster ($LC_REST_URL/overview)"
  expect cluster_jobs_failed "$failed" -eq 0 "jobs failed on the cluster"
  [[ $FAILURES -eq 0 ]] || fail "$FAILURES check(s) failed after round $round"
}

for ((r = 1; r <= ROUNDS; r++)); do
  run_round "$r"
  check_round "$r"
done

# --- REST catalog + S3 round ------------------------------------------------------------------------------
rest_round() {
  local deadline=$((SECONDS + 180))
  say "---------- REST catalog on S3 ----------"
  # RestCatalogOnS3 writes servers.env once both servers answer HTTP 200.
  while [[ ! -f "$REST_DIR/servers.env" ]]; do
    kill -0 "$SERVERS_PID" 2>/dev/null || { cat "$E2E_LOG/rest-s3-servers.out" >&2; fail "the REST catalog / S3 servers did not start (logs in $REST_DIR/logs)"; }
    [[ $SECONDS -lt $deadline ]] || fail "the REST catalog / S3 servers were not ready within 180 s (logs in $REST_DIR/logs)"
    sleep 0.5
  done
  # shellcheck disable=SC1091
  source "$REST_DIR/servers.env"
  local catalog
  read -r -a catalog <<< "$CATALOG_ARGS"
  say "REST catalog at $REST_URI, tables on S3 at $S3_ENDPOINT"
  run_step "rest-generate" "${CLI[@]}" generate --table membership.events --accounts 50 --events 300 \
    --late-fraction 0.1 --seed 3 "${catalog[@]}"
  if [[ $HAS_SIGNUPS -eq 1 ]]; then
    flink_run "rest-signups" signups --process p --source membership.events \
      --target membership.signup_facts "${catalog[@]}"
    CLUSTER_JOBS=$((CLUSTER_JOBS + 1))
  fi
  local q="SET 'execution.runtime-mode' = 'batch'; SELECT"
  q+=" (SELECT COUNT(*) FROM lake.membership.events WHERE event_type = 'SIGNUP') AS signup_events"
  q+=", (SELECT COUNT(DISTINCT event_id) FROM lake.membership.events WHERE event_type = 'SIGNUP') AS signup_event_ids"
  if [[ $HAS_SIGNUPS -eq 1 ]]; then
    q+=", (SELECT COUNT(*) FROM lake.membership.signup_facts) AS signup_facts"
    q+=", (SELECT COUNT(DISTINCT event_id) FROM lake.membership.signup_facts) AS signup_facts_ids"
    q+=", (SELECT COUNT(*) FROM lake.psyberg.sessions WHERE process_name = 'p' AND status = 'PUBLISHED') AS p_published"
  fi
  run_step "rest-check-query" "${CLI[@]}" sql --format csv --execute "$q" "${catalog[@]}"
  read_csv_result signup_events
  say "== checks of the REST round"
  expect rest_signup_events "${V[signup_events]}" -gt 0 "SIGNUP events generated through the REST catalog"
  if [[ $HAS_SIGNUPS -eq 1 ]]; then
    expect rest_signup_facts "${V[signup_facts]}" -eq "${V[signup_events]}" "one fact per SIGNUP event"
    expect rest_signup_facts_ids "${V[signup_facts_ids]}" -eq "${V[signup_event_ids]}" "distinct event_ids = SIGNUP event_ids"
    expect rest_p_published "${V[p_published]}" -eq 1 "published sessions of process p in the REST catalog"
  fi
  local failed
  failed="$(curl -s --max-time 5 "$LC_REST_URL/overview" | sed -n 's/.*"jobs-failed":\([0-9]*\).*/\1/p')"
  expect cluster_jobs_failed "$failed" -eq 0 "jobs failed on the cluster"
  [[ $FAILURES -eq 0 ]] || fail "$FAILURES check(s) failed in the REST round"
}
if [[ "${PSYBERG_E2E_REST:-1}" == "1" ]]; then
  rest_round
else
  say "SKIPPED: the REST catalog round (PSYBERG_E2E_REST=0)"
fi
[[ $HAS_SIGNUPS -eq 1 ]] || say "NOTE: signups was SKIPPED (command not available in this build)"
[[ $HAS_LIFECYCLE -eq 1 ]] || say "NOTE: lifecycle was SKIPPED (command not available in this build)"
