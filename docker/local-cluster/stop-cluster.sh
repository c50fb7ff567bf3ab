#!/usr/bin/env bash
# Stops the local cluster started by start-cluster.sh: the TaskManager, then the JobManager, each by
# the PID saved in work/pids/ (SIGTERM, then SIGKILL after a grace period). A PID whose process is
# gone, or is no longer the Flink JVM we started, is only forgotten. Safe to run at any time.
set -uo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

GRACE_SECONDS="${PSYBERG_LC_STOP_GRACE:-20}"

stop_one() {
  local name="$1" class="$2" pidfile="$LC_PIDS/$1.pid" pid i
  [[ -f "$pidfile" ]] || { lc_say "$name: no PID file, nothing to stop"; return 0; }
  pid="$(cat "$pidfile" 2>/dev/null)"
  if ! lc_pid_alive "$pidfile" "$class"; then
    lc_say "$name: PID ${pid:-?} is not running (any more)"
    rm -f "$pidfile"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < GRACE_SECONDS * 2; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    lc_say "$name: PID $pid still running after ${GRACE_SECONDS}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$pidfile"
  lc_say "$name: stopped (PID $pid)"
}

stop_one taskmanager "$TM_CLASS"
stop_one jobmanager "$JM_CLASS"
exit 0
