#!/usr/bin/env bash
# Starts a real standalone Flink 1.18.1 session cluster without Docker: one JobManager
# (StandaloneSessionClusterEntrypoint) and one TaskManager (TaskManagerRunner) as two background JVMs,
# bound to 127.0.0.1 on fixed ports, from Maven Central jars (see pom.xml) plus the psyberg SQL
# connector jar. Writes work/conf/flink-conf.yaml, saves the PIDs in work/pids/, logs to work/log/,
# and returns once the REST endpoint answers with a registered TaskManager.
#
# Settings (ports, memory, warehouse, ...) come from the environment: see lib.sh.
# Stop with stop-cluster.sh. Needs: JDK 17, Maven (first run downloads ~125 MB), curl, and the reactor
# built (sql-connector/target/psyberg-flink-sql-connector-*.jar).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lc_check_java
command -v curl >/dev/null || lc_die "curl is needed to check the REST endpoint"
mkdir -p "$LC_LIB" "$LC_CONF" "$LC_LOG" "$LC_PIDS" "$LC_TMP" "$LC_PLUGINS" "$LC_WORK/checkpoints" "$LC_WORK/savepoints"

JM_PIDFILE="$LC_PIDS/jobmanager.pid"
TM_PIDFILE="$LC_PIDS/taskmanager.pid"
if lc_pid_alive "$JM_PIDFILE" "$JM_CLASS" || lc_pid_alive "$TM_PIDFILE" "$TM_CLASS"; then
  lc_die "a cluster started from $LC_WORK is already running (PIDs in $LC_PIDS); run stop-cluster.sh first"
fi
rm -f "$JM_PIDFILE" "$TM_PIDFILE"
if curl -s -o /dev/null --max-time 2 "$LC_REST_URL/config"; then
  lc_die "something already answers on $LC_REST_URL; stop it or choose other ports (PSYBERG_LC_REST_PORT, ...)"
fi

# --- jars -------------------------------------------------------------------------------------------
need_fetch=0
[[ -f "$LC_LIB/flink-runtime-1.18.1.jar" ]] || need_fetch=1
for jar in "${LC_CLIENT_ONLY_JARS[@]}"; do
  [[ -f "$LC_LIB/$jar" || -f "$LC_OPT/$jar" ]] || need_fetch=1
done
if [[ $need_fetch -eq 1 ]]; then
  lc_say "fetching the Flink jars into $LC_LIB (mvn dependency:copy-dependencies) ..."
  mvn -B -q -Dstyle.color=never -f "$LC_DIR/pom.xml" dependency:copy-dependencies -DoutputDirectory="$LC_LIB" \
    || lc_die "could not fetch the Flink jars (Maven Central needed on the first run)"
fi
# As in a Flink distribution, the SQL client's own jars live in opt/: only the client puts them on
# its classpath, the JobManager and TaskManager do not.
mkdir -p "$LC_OPT"
for jar in "${LC_CLIENT_ONLY_JARS[@]}"; do
  if [[ -f "$LC_LIB/$jar" ]]; then mv -f "$LC_LIB/$jar" "$LC_OPT/$jar"; fi
  [[ -f "$LC_OPT/$jar" ]] || lc_die "missing $LC_OPT/$jar"
done
CONNECTOR_JAR="$(lc_sql_connector_jar)" \
  || lc_die "no sql-connector/target/psyberg-flink-sql-connector-*.jar: build first with 'mvn -B -q install -DskipTests'"
rm -f "$LC_LIB"/psyberg-flink-sql-connector-*.jar
cp "$CONNECTOR_JAR" "$LC_LIB/"
lc_say "connector jar: $(basename "$CONNECTOR_JAR") -> $LC_LIB/"

# --- configuration ----------------------------------------------------------------------------------
mkdir -p "$LC_WAREHOUSE"
LC_WAREHOUSE="$(cd "$LC_WAREHOUSE" && pwd)"
cat > "$LC_CONF/flink-conf.yaml" <<EOF
# Written by start-cluster.sh at every start; edit lib.sh settings (or PSYBERG_LC_* variables) instead.
jobmanager.rpc.address: $LC_HOST
jobmanager.rpc.port: $LC_RPC_PORT
jobmanager.bind-host: $LC_HOST
jobmanager.memory.process.size: $LC_JM_MEMORY
blob.server.port: $LC_BLOB_PORT
rest.address: $LC_HOST
rest.bind-address: $LC_HOST
rest.port: $LC_REST_PORT
taskmanager.host: $LC_HOST
taskmanager.bind-host: $LC_HOST
taskmanager.rpc.port: $LC_TM_RPC_PORT
taskmanager.data.port: $LC_TM_DATA_PORT
taskmanager.memory.process.size: $LC_TM_MEMORY
taskmanager.numberOfTaskSlots: $LC_SLOTS
parallelism.default: $LC_PARALLELISM
io.tmp.dirs: $LC_TMP
web.tmpdir: $LC_TMP/web
blob.storage.directory: $LC_TMP/blob
state.checkpoints.dir: file://$LC_WORK/checkpoints
state.savepoints.dir: file://$LC_WORK/savepoints
# The TaskManager may start before the ResourceManager: retry registration after 2 s, not 10 s.
cluster.registration.error-delay: 2000
# One TaskManager: when it is lost, fail the job after 60 s instead of waiting 5 min for new slots.
slot.request.timeout: 60000
# Iceberg/Hadoop keep threads and shutdown hooks that trip Flink's leaked-classloader check on job end.
classloader.check-leaked-classloader: false
# Default catalog of psyberg tables: DDL may name only 'table' and 'process-name'.
psyberg.catalog.warehouse: file://$LC_WAREHOUSE
EOF

cat > "$LC_CONF/log4j.properties" <<'EOF'
# JobManager / TaskManager: everything to the file named by -Dlog.file (the web UI shows it too).
monitorInterval = 30
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = MainAppender
logger.akka.name = akka
logger.akka.level = INFO
logger.pekko.name = org.apache.pekko
logger.pekko.level = INFO
logger.hadoop.name = org.apache.hadoop
logger.hadoop.level = WARN
logger.zookeeper.name = org.apache.zookeeper
logger.zookeeper.level = WARN
appender.main.name = MainAppender
appender.main.type = File
appender.main.append = true
appender.main.fileName = ${sys:log.file}
appender.main.layout.type = PatternLayout
appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
EOF

cat > "$LC_CONF/log4j-cli.properties" <<'EOF'
# Clients (CliFrontend, SQL client, BashJavaUtils): to the file named by -Dlog.file.
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FileAppender
logger.hadoop.name = org.apache.hadoop
logger.hadoop.level = WARN
appender.file.name = FileAppender
appender.file.type = File
appender.file.append = true
appender.file.fileName = ${sys:log.file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
EOF

# --- memory: the JVM and dynamic parameters Flink's own scripts compute ------------------------------
# BashJavaUtils prints two result lines: JVM options (-Xmx ... -XX:MaxMetaspaceSize=...) and
# dynamic configuration (-D taskmanager.memory.*=... ) for the entrypoint's arguments.
bash_java_utils() {
  local out
  out="$("$JAVA" -Xmx128m "${JAVA17_FLAGS[@]}" -Dlog.file="$LC_LOG/bash-java-utils.log" \
    -Dlog4j.configurationFile="file:$LC_CONF/log4j-cli.properties" -cp "$LC_LIB/*" \
    org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$LC_CONF" 2>&1)" \
    || { echo "$out" >&2; lc_die "BashJavaUtils $1 failed"; }
  echo "$out" | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://'
}
JM_PARAMS="$(bash_java_utils GET_JM_RESOURCE_PARAMS)"
TM_PARAMS="$(bash_java_utils GET_TM_RESOURCE_PARAMS)"
[[ "$(echo "$JM_PARAMS" | wc -l)" -ge 2 && "$(echo "$TM_PARAMS" | wc -l)" -ge 2 ]] \
  || lc_die "unexpected BashJavaUtils output: JM='$JM_PARAMS' TM='$TM_PARAMS'"
JM_JVM_PARAMS="$(echo "$JM_PARAMS" | sed -n 1p)"
JM_DYNAMIC="$(echo "$JM_PARAMS" | sed -n 2p)"
TM_JVM_PARAMS="$(echo "$TM_PARAMS" | sed -n 1p)"
TM_DYNAMIC="$(echo "$TM_PARAMS" | sed -n 2p)"
lc_say "JobManager JVM: $JM_JVM_PARAMS"
lc_say "TaskManager JVM: $TM_JVM_PARAMS"

# --- start --------------------------------------------------------------------------------------------
# After 'cmd &', $! is first a forked shell and only then (after exec) the JVM: wait for the exec, so
# that every later check of the PID (lc_pid_alive, stop-cluster.sh) sees the JVM's command line.
wait_for_exec() {
  local pid="$1" class="$2" i
  for ((i = 0; i < 100; i++)); do
    tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$class" && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true   # our own child that never became the JVM
  return 1
}

STARTED=0
cleanup_on_failure() {
  local rc=$?
  if [[ $rc -ne 0 && $STARTED -eq 1 ]]; then
    lc_print_log_tails 40
    lc_say "start failed: stopping what was started"
    "$LC_DIR/stop-cluster.sh" || true
  fi
}
trap cleanup_on_failure EXIT

: > "$LC_LOG/jobmanager.log"; : > "$LC_LOG/taskmanager.log"
# shellcheck disable=SC2086  # the BashJavaUtils parameters are meant to split into words
nohup "$JAVA" "${JAVA17_FLAGS[@]}" $JM_JVM_PARAMS \
  -Dlog.file="$LC_LOG/jobmanager.log" -Dlog4j.configurationFile="file:$LC_CONF/log4j.properties" \
  -cp "$LC_LIB/*" "$JM_CLASS" --configDir "$LC_CONF" --executionMode cluster $JM_DYNAMIC \
  > "$LC_LOG/jobmanager.out" 2>&1 < /dev/null &
echo $! > "$JM_PIDFILE"
STARTED=1
wait_for_exec "$(cat "$JM_PIDFILE")" "$JM_CLASS" || lc_die "the JobManager JVM did not start (see $LC_LOG/jobmanager.out)"
lc_say "JobManager started, PID $(cat "$JM_PIDFILE")"

# shellcheck disable=SC2086
nohup "$JAVA" "${JAVA17_FLAGS[@]}" $TM_JVM_PARAMS \
  -Dlog.file="$LC_LOG/taskmanager.log" -Dlog4j.configurationFile="file:$LC_CONF/log4j.properties" \
  -cp "$LC_LIB/*" "$TM_CLASS" --configDir "$LC_CONF" $TM_DYNAMIC \
  > "$LC_LOG/taskmanager.out" 2>&1 < /dev/null &
echo $! > "$TM_PIDFILE"
wait_for_exec "$(cat "$TM_PIDFILE")" "$TM_CLASS" || lc_die "the TaskManager JVM did not start (see $LC_LOG/taskmanager.out)"
lc_say "TaskManager started, PID $(cat "$TM_PIDFILE")"

# --- wait until the REST endpoint answers and the TaskManager has registered --------------------------
start_s=$SECONDS
while :; do
  lc_pid_alive "$JM_PIDFILE" "$JM_CLASS" || lc_die "the JobManager exited during start-up (see $LC_LOG/jobmanager.*)"
  lc_pid_alive "$TM_PIDFILE" "$TM_CLASS" || lc_die "the TaskManager exited during start-up (see $LC_LOG/taskmanager.*)"
  overview="$(curl -s --max-time 2 "$LC_REST_URL/overview" || true)"
  if [[ "$overview" =~ \"taskmanagers\":[1-9] ]]; then
    break
  fi
  (( SECONDS - start_s < LC_READY_TIMEOUT )) \
    || lc_die "no TaskManager registered at $LC_REST_URL after ${LC_READY_TIMEOUT}s"
  sleep 1
done
lc_say "ready in $((SECONDS - start_s)) s: $LC_REST_URL $overview"
lc_say "warehouse (psyberg.catalog.warehouse): file://$LC_WAREHOUSE"
