#!/usr/bin/env bash
# Start a real VS Code (code-server: VS Code server + web workbench, Node extension host)
# on 127.0.0.1 with auth disabled, and wait until the workbench page is served.
# Adapted from ../shared/vscode-rig/start.sh.
#
# Usage: start.sh EXTENSIONS_DIR WORKSPACE_FOLDER [PORT]      (PORT default 8765)
#
# Optional env:
#   RIG_DIR     install dir made by install.sh
#               (default ${MLOPS_E2E_CACHE:-$HOME/.cache/mlops-studio}/vscode-rig)
#   STATE_DIR   user-data dir, logs, pid file (default $RIG_DIR/state-$PORT);
#               its user data is wiped on every start unless KEEP_STATE=1
#   LINK_EXT    extension folder(s), ':'-separated, symlinked into EXTENSIONS_DIR as
#               <publisher>.<name>-<version> (unpacked extension: needs package.json + built JS)
#   DEV_EXT     extension folder loaded as "Extension Development Host" (like F5): no install,
#               passed in the printed URL; enables VS Code's --enable-smoke-test-driver
#   SETTINGS    settings.json to use instead of the built-in quiet defaults below
#   EXTRA_SETTINGS  JSON object merged over the default settings (e.g. '{"workbench.colorTheme":"Default Light Modern"}')
#   READY_TIMEOUT  seconds to wait for the server (default 60)
#
# Stdout: the workbench URL (open it in the browser). Also written to $STATE_DIR/url.
# Pid file: $STATE_DIR/server.pid (the server runs in its own process group; stop.sh kills it).
set -euo pipefail

[ $# -ge 2 ] || { sed -n '2,23p' "$0" >&2; exit 2; }
RIG_DIR=$(realpath -m "${RIG_DIR:-${MLOPS_E2E_CACHE:-$HOME/.cache/mlops-studio}/vscode-rig}")
[ -f "$RIG_DIR/env.sh" ] || { echo "no $RIG_DIR/env.sh: run test/e2e/rig/install.sh first" >&2; exit 1; }
# shellcheck disable=SC1091
. "$RIG_DIR/env.sh"

EXT_DIR=$(realpath -m "$1")
WORKSPACE=$(realpath "$2")
PORT=${3:-${PORT:-8765}}
STATE_DIR=$(realpath -m "${STATE_DIR:-$RIG_DIR/state-$PORT}")
READY_TIMEOUT=${READY_TIMEOUT:-60}
[ -d "$WORKSPACE" ] || { echo "workspace folder not found: $WORKSPACE" >&2; exit 1; }

if [ -f "$STATE_DIR/server.pid" ] && kill -0 -- "-$(cat "$STATE_DIR/server.pid")" 2>/dev/null; then
  echo "already running (pid $(cat "$STATE_DIR/server.pid")); run stop.sh $STATE_DIR first" >&2; exit 1
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "port 127.0.0.1:$PORT is already in use" >&2; exit 1
fi

mkdir -p "$EXT_DIR" "$STATE_DIR"
if [ "${KEEP_STATE:-0}" != 1 ]; then rm -rf "$STATE_DIR/data" "$STATE_DIR/xdg"; fi
mkdir -p "$STATE_DIR/data/User" "$STATE_DIR/xdg/config" "$STATE_DIR/xdg/data" "$STATE_DIR/xdg/cache"

# Keep code-server from writing ~/.config/code-server/config.yaml and ~/.local/share/code-server.
export XDG_CONFIG_HOME=$STATE_DIR/xdg/config XDG_DATA_HOME=$STATE_DIR/xdg/data XDG_CACHE_HOME=$STATE_DIR/xdg/cache
# No extension marketplace (default is open-vsx.org, unreachable offline): avoids failing queries.
export EXTENSIONS_GALLERY=${EXTENSIONS_GALLERY:-'{}'}
# VS Code drops IPC sockets (vscode-ipc-*.sock, vscode-git-*.sock) and temp dirs in $TMPDIR;
# give it a private short-path dir (unix socket paths max ~107 chars) that stop.sh removes.
SERVER_TMP=$(mktemp -d /tmp/vscode-rig-tmp.XXXXXX)
echo "$SERVER_TMP" > "$STATE_DIR/tmpdir"
export TMPDIR=$SERVER_TMP
unset PASSWORD HASHED_PASSWORD || true
printf 'bind-addr: 127.0.0.1:%s\nauth: none\n' "$PORT" > "$STATE_DIR/config.yaml"

if [ -n "${SETTINGS:-}" ]; then
  cp "$SETTINGS" "$STATE_DIR/data/User/settings.json"
elif [ ! -f "$STATE_DIR/data/User/settings.json" ]; then
  # quiet, deterministic UI for tests/screenshots; nothing phones home
  "$RIG_NODE" -e '
    const defaults = {
      "workbench.startupEditor": "none",
      "workbench.secondarySideBar.defaultVisibility": "hidden",
      "workbench.tips.enabled": false,
      "workbench.enableExperiments": false,
      "chat.disableAIFeatures": true,
      "telemetry.telemetryLevel": "off",
      "update.mode": "none",
      "extensions.autoCheckUpdates": false,
      "extensions.autoUpdate": false,
      "extensions.ignoreRecommendations": true,
      "security.workspace.trust.enabled": false,
      "git.enabled": false,
    };
    const extra = JSON.parse(process.argv[2] || "{}");
    require("fs").writeFileSync(process.argv[1], JSON.stringify({ ...defaults, ...extra }, null, 2) + "\n");
  ' "$STATE_DIR/data/User/settings.json" "${EXTRA_SETTINGS:-}"
fi

CS=("$RIG_NODE" "$RIG_CODE_SERVER" --config "$STATE_DIR/config.yaml"
    --user-data-dir "$STATE_DIR/data" --extensions-dir "$EXT_DIR")

IFS=: read -r -a links <<< "${LINK_EXT:-}"
for d in "${links[@]}"; do
  [ -n "$d" ] || continue
  d=$(realpath "$d")
  id=$("$RIG_NODE" -p 'const p=require(process.argv[1]); (p.publisher||"undefined_publisher")+"."+p.name+"-"+p.version' "$d/package.json")
  ln -sfn "$d" "$EXT_DIR/$id"
  echo "linked $EXT_DIR/$id -> $d" >&2
done

EXTRA=()
[ -z "${DEV_EXT:-}" ] || EXTRA+=(--vscode-option enable-smoke-test-driver)

T0=$(date +%s%N)
cd "$STATE_DIR"
# setsid: own process group, so stop.sh can end the server and all its helpers
# (extension host, file watcher, pty host, ...) -- killing only the main pid orphans them.
# --reconnection-grace-time 10: a browser that disconnects without unloading does not keep
# its extension host alive for the default 3 h.
setsid "${CS[@]}" --bind-addr "127.0.0.1:$PORT" --auth none \
  --disable-telemetry --disable-update-check --disable-workspace-trust \
  --disable-getting-started-override --ignore-last-opened --reconnection-grace-time 10 \
  "${EXTRA[@]}" >"$STATE_DIR/server.log" 2>&1 </dev/null &
PID=$!
echo "$PID" > "$STATE_DIR/server.pid"

# Build the URL, then wait until the workbench HTML is served (the first request also loads
# the VS Code server code). Node 24's fetch: no curl needed.
if ! URL=$("$RIG_NODE" -e '
  const [port, folder, dev, pid, timeoutS] = process.argv.slice(1);
  const u = new URL(`http://127.0.0.1:${port}/`);
  u.searchParams.set("folder", folder);
  if (dev) u.searchParams.set("payload", JSON.stringify([["extensionDevelopmentPath", `vscode-remote://127.0.0.1:${port}${dev}`]]));
  const deadline = Date.now() + Number(timeoutS) * 1000;
  const alive = () => { try { process.kill(Number(pid), 0); return true; } catch { return false; } };
  (async () => {
    while (Date.now() < deadline && alive()) {
      try {
        const r = await fetch(u, { signal: AbortSignal.timeout(5000) });
        if (r.ok) { console.log(u.href); return; }
      } catch { /* not listening yet */ }
      await new Promise((res) => setTimeout(res, 100));
    }
    process.exit(1);
  })();' "$PORT" "$WORKSPACE" "${DEV_EXT:+$(realpath "$DEV_EXT")}" "$PID" "$READY_TIMEOUT"); then
  echo "code-server did not become ready; log: $STATE_DIR/server.log" >&2
  tail -20 "$STATE_DIR/server.log" >&2
  kill -TERM -- "-$PID" 2>/dev/null || true
  sleep 1; kill -KILL -- "-$PID" 2>/dev/null || true
  rm -rf "$SERVER_TMP" "$STATE_DIR/tmpdir" "$STATE_DIR/server.pid"
  exit 1
fi
echo "$URL" > "$STATE_DIR/url"
echo "code-server pid $PID ready in $(( ($(date +%s%N) - T0) / 1000000 )) ms; state $STATE_DIR" >&2
echo "$URL"
