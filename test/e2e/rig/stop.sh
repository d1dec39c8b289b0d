#!/usr/bin/env bash
# Stop a server started by start.sh and remove its private temp dir.
# Usage: stop.sh [STATE_DIR | PORT]   (default PORT 8765 -> STATE_DIR $RIG_DIR/state-$PORT)
# Signals only the process group start.sh created with setsid (pgid = pid in server.pid):
# SIGTERM, then SIGKILL after 10 s. Adapted from ../shared/vscode-rig/stop.sh (no procps needed).
set -euo pipefail
RIG_DIR=$(realpath -m "${RIG_DIR:-${MLOPS_E2E_CACHE:-$HOME/.cache/mlops-studio}/vscode-rig}")
arg=${1:-8765}
if [[ $arg =~ ^[0-9]+$ ]]; then STATE_DIR=$RIG_DIR/state-$arg; else STATE_DIR=$(realpath -m "$arg"); fi

cleanup_tmp() {
  if [ -f "$STATE_DIR/tmpdir" ]; then
    local t; t=$(cat "$STATE_DIR/tmpdir")
    [[ $t == /tmp/vscode-rig-tmp.* ]] && rm -rf "$t"
    rm -f "$STATE_DIR/tmpdir"
  fi
}
# kill -0 on a negative pid: does any process of that group still exist?
group_alive() { kill -0 -- "-$1" 2>/dev/null; }

PIDF=$STATE_DIR/server.pid
if [ ! -f "$PIDF" ]; then echo "no pid file $PIDF" >&2; cleanup_tmp; exit 0; fi
PID=$(cat "$PIDF")
[[ $PID =~ ^[0-9]+$ ]] && ((PID > 1)) || { echo "bad pid file $PIDF" >&2; rm -f "$PIDF"; exit 1; }
if group_alive "$PID"; then
  kill -TERM -- "-$PID" 2>/dev/null || true
  for _ in $(seq 1 50); do group_alive "$PID" || break; sleep 0.2; done
  if group_alive "$PID"; then kill -KILL -- "-$PID" 2>/dev/null || true; sleep 0.2; fi
  echo "stopped code-server (process group $PID)" >&2
else
  echo "process group $PID not running" >&2
fi
rm -f "$PIDF"
cleanup_tmp
