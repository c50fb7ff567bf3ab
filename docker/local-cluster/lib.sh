# Shared settings of the Docker-free local Flink cluster. Sourced by start-cluster.sh, stop-cluster.sh
# and e2e.sh; not meant to be run on its own.
#
# Every setting can be overridden from the environment:
#   PSYBERG_LC_WORK          working folder (conf, lib, log, pids, tmp)     default: docker/local-cluster/work
#   PSYBERG_LC_WAREHOUSE     warehouse folder, becomes psyberg.catalog.warehouse   default: $PSYBERG_LC_WORK/warehouse
#   PSYBERG_LC_REST_PORT     REST API and web UI                            default: 18081
#   PSYBERG_LC_RPC_PORT      JobManager RPC                                  default: 16123
#   PSYBERG_LC_BLOB_PORT     JobManager blob server                          default: 16124
#   PSYBERG_LC_TM_RPC_PORT   TaskManager RPC                                 default: 16122
#   PSYBERG_LC_TM_DATA_PORT  TaskManager data (shuffle) port                 default: 16121
#   PSYBERG_LC_SLOTS         task slots of the one TaskManager              default: 2
#   PSYBERG_LC_PARALLELISM   parallelism.default                            default: 2
#   PSYBERG_LC_JM_MEMORY     jobmanager.memory.process.size                  default: 768m
#   PSYBERG_LC_TM_MEMORY     taskmanager.memory.process.size                 default: 1280m
#   PSYBERG_LC_READY_TIMEOUT seconds to wait for the REST endpoint and a TaskManager   default: 90
#   JAVA                     the java launcher (must be a JDK 17)            default: $JAVA_HOME/bin/java or java

LC_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$LC_DIR/../.." && pwd)"

LC_WORK="${PSYBERG_LC_WORK:-$LC_DIR/work}"
LC_LIB="$LC_WORK/lib"
LC_OPT="$LC_WORK/opt"
LC_CONF="$LC_WORK/conf"
LC_LOG="$LC_WORK/log"
LC_PIDS="$LC_WORK/pids"
LC_TMP="$LC_WORK/tmp"
LC_PLUGINS="$LC_WORK/plugins"
LC_WAREHOUSE="${PSYBERG_LC_WAREHOUSE:-$LC_WORK/warehouse}"

LC_HOST=127.0.0.1
LC_REST_PORT="${PSYBERG_LC_REST_PORT:-18081}"
LC_RPC_PORT="${PSYBERG_LC_RPC_PORT:-16123}"
LC_BLOB_PORT="${PSYBERG_LC_BLOB_PORT:-16124}"
LC_TM_RPC_PORT="${PSYBERG_LC_TM_RPC_PORT:-16122}"
LC_TM_DATA_PORT="${PSYBERG_LC_TM_DATA_PORT:-16121}"
LC_SLOTS="${PSYBERG_LC_SLOTS:-2}"
LC_PARALLELISM="${PSYBERG_LC_PARALLELISM:-2}"
LC_JM_MEMORY="${PSYBERG_LC_JM_MEMORY:-768m}"
LC_TM_MEMORY="${PSYBERG_LC_TM_MEMORY:-1280m}"
LC_READY_TIMEOUT="${PSYBERG_LC_READY_TIMEOUT:-90}"
LC_REST_URL="http://$LC_HOST:$LC_REST_PORT"

if [[ -z "${JAVA:-}" ]]; then
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi
fi

# Flink 1.18 on Java 17 (see shared/STACK.md): without these, Kryo and Iceberg's serializers fail.
JAVA17_FLAGS=(
  -XX:+IgnoreUnrecognizedVMOptions
  --add-exports=java.base/sun.net.util=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)

# Jars only the SQL client needs (start-cluster.sh moves them from lib/ to opt/). The SQL client's
# embedded mode fails without flink-python ("ClassNotFoundException: ...PythonDependencyUtils").
LC_CLIENT_ONLY_JARS=(flink-sql-client-1.18.1.jar flink-sql-gateway-1.18.1.jar flink-python-1.18.1.jar)

# The JVMs' main classes, also used to recognise our own processes behind a saved PID.
JM_CLASS=org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
TM_CLASS=org.apache.flink.runtime.taskexecutor.TaskManagerRunner

# Flink's launchers read these (flink-conf.yaml, plugins folder); exported for every JVM we start.
export FLINK_CONF_DIR="$LC_CONF"
export FLINK_PLUGINS_DIR="$LC_PLUGINS"
export FLINK_LIB_DIR="$LC_LIB"

lc_say() { echo "[local-cluster] $*"; }
lc_die() { echo "[local-cluster] ERROR: $*" >&2; exit 1; }

# The shaded SQL connector jar built by the reactor (connector + Iceberg + Hadoop client).
lc_sql_connector_jar() {
  local jar
  for jar in "$REPO_ROOT"/sql-connector/target/psyberg-flink-sql-connector-*.jar; do
    [[ -f "$jar" && "$jar" != *original-* && "$jar" != *-sources.jar && "$jar" != *-tests.jar ]] && { echo "$jar"; return 0; }
  done
  return 1
}

lc_check_java() {
  local version
  version="$("$JAVA" -version 2>&1 | head -1)" || lc_die "cannot run '$JAVA' (set JAVA or JAVA_HOME to a JDK 17)"
  if [[ "$version" != *'"17.'* && "$version" != *'"17"'* ]]; then
    lc_die "Flink 1.18 here needs Java 17, but '$JAVA' is: $version (set JAVA or JAVA_HOME)"
  fi
}

# lc_pid_alive PIDFILE CLASS: the saved PID is alive and is the JVM we started (not a recycled PID).
lc_pid_alive() {
  local pidfile="$1" class="$2" pid
  [[ -f "$pidfile" ]] || return 1
  pid="$(cat "$pidfile" 2>/dev/null)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$class"
}

# Prints the last lines of the cluster's logs (for failures).
lc_print_log_tails() {
  local n="${1:-60}" f
  for f in "$LC_LOG"/jobmanager.log "$LC_LOG"/jobmanager.out "$LC_LOG"/taskmanager.log "$LC_LOG"/taskmanager.out; do
    [[ -s "$f" ]] || continue
    echo "----- tail -n $n $f -----" >&2
    tail -n "$n" "$f" >&2
  done
}
