#!/usr/bin/env bash
# Start a throwaway code-server (real VS Code 1.100.3 host) for tests.
#
#   pidfile="$(scripts/ci/code-server-start.sh WORKSPACE PORT [--restricted] [-- EXTRA_ARGS...])"
#   ...   # tests against http://127.0.0.1:PORT/?folder=WORKSPACE
#   scripts/ci/code-server-stop.sh "$pidfile" [--clean]
#
# Prints ONE line on stdout: the pidfile. Everything lives next to it, in a
# fresh state dir (MLCI_CS_STATE_DIR, default mktemp /tmp/mlci-code-server.XXXXXX):
#   code-server.pid   pid of `node entry.js` (stop it with code-server-stop.sh)
#   code-server.log   its stdout/stderr
#   url               http://127.0.0.1:PORT/
#   config.yaml       bind-addr / auth: none / cert: false
#   user-data/        --user-data-dir, with User/settings.json (see below)
#   extensions/       --extensions-dir (or MLCI_CS_EXTENSIONS_DIR): copy an
#                     extension folder in as <publisher>.<name>-<version>
#                     before starting, or load it as a development extension
#   home/, xdg/       HOME and XDG_{DATA,CONFIG,CACHE}_HOME of the server
#
# Listens on 127.0.0.1 only, no auth. Waits for GET /healthz (60 s,
# MLCI_CS_TIMEOUT). settings.json turns off the startup editor/welcome page,
# telemetry, update checks, extension auto-update and recommendations, so
# nothing tries to reach the (unreachable) marketplace.
#
# Workspace trust: by default the server gets --disable-workspace-trust (every
# folder trusted, no prompt). `--restricted` (alias `--trust`) leaves the trust
# feature on, so an untrusted folder opens in Restricted Mode; the modal trust
# prompt is turned off (security.workspace.trust.startupPrompt=never) so tests
# are not blocked by it.
#
# Args after `--` go to code-server as they are (e.g. --enable-proposed-api ID).
# MLCI_CODE_SERVER_ENTRY: use this entry.js instead of scripts/ci/code-server.sh's.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { die "usage: $0 WORKSPACE PORT [--restricted|--trust] [-- CODE_SERVER_ARGS...]"; }
[[ $# -ge 2 ]] || usage
WORKSPACE=$1 PORT=$2
shift 2
RESTRICTED=0
EXTRA=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --restricted | --trust) RESTRICTED=1 ;;
    --) shift; EXTRA=("$@"); break ;;
    *) usage ;;
  esac
  shift
done
[[ -d $WORKSPACE ]] || die "workspace folder '$WORKSPACE' does not exist"
WORKSPACE="$(cd "$WORKSPACE" && pwd)"
[[ $PORT =~ ^[0-9]+$ ]] && ((PORT > 0 && PORT < 65536)) || die "bad port '$PORT'"
TIMEOUT="${MLCI_CS_TIMEOUT:-60}"
URL="http://127.0.0.1:$PORT/"

if curl -s -o /dev/null --max-time 2 "$URL"; then
  die "something already answers on $URL: pick another port or stop it (scripts/ci/code-server-stop.sh PIDFILE)"
fi

ENTRY="${MLCI_CODE_SERVER_ENTRY:-}"
if [[ -z $ENTRY ]]; then
  ENTRY="$("$MLCI_CI_DIR/code-server.sh")" || die "code-server.sh failed"
fi
[[ -f $ENTRY ]] || die "code-server entry.js not found at '$ENTRY'"

STATE="${MLCI_CS_STATE_DIR:-$(mktemp -d /tmp/mlci-code-server.XXXXXX)}"
mkdir -p "$STATE"
STATE="$(cd "$STATE" && pwd)"
USER_DATA="$STATE/user-data"
EXT_DIR="${MLCI_CS_EXTENSIONS_DIR:-$STATE/extensions}"
PIDFILE="$STATE/code-server.pid"
LOGF="$STATE/code-server.log"
mkdir -p "$USER_DATA/User" "$EXT_DIR" "$STATE/home" "$STATE/xdg/data" "$STATE/xdg/config" "$STATE/xdg/cache"

if [[ -s $PIDFILE ]] && pid_running "$(<"$PIDFILE")"; then
  die "$PIDFILE names a running process ($(<"$PIDFILE")): stop it first"
fi

cat >"$STATE/config.yaml" <<EOF
bind-addr: 127.0.0.1:$PORT
auth: none
cert: false
EOF

trust_enabled=false
((RESTRICTED)) && trust_enabled=true
cat >"$USER_DATA/User/settings.json" <<EOF
{
  "workbench.startupEditor": "none",
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "workbench.settings.enableNaturalLanguageSearch": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "update.showReleaseNotes": false,
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "npm.fetchOnlinePackageInfo": false,
  "git.autofetch": false,
  "remote.autoForwardPorts": false,
  "chat.commandCenter.enabled": false,
  "security.workspace.trust.enabled": $trust_enabled,
  "security.workspace.trust.startupPrompt": "never"
}
EOF

args=(
  --config "$STATE/config.yaml"
  --bind-addr "127.0.0.1:$PORT"
  --auth none
  --disable-telemetry
  --disable-update-check
  --disable-getting-started-override
  --user-data-dir "$USER_DATA"
  --extensions-dir "$EXT_DIR"
)
((RESTRICTED)) || args+=(--disable-workspace-trust)
args+=("${EXTRA[@]}" "$WORKSPACE")

log "starting code-server on $URL (workspace $WORKSPACE, trust $([[ $RESTRICTED == 1 ]] && echo 'enabled: restricted mode testable' || echo disabled))"
printf '%s\n' "$URL" >"$STATE/url"
# `node ... &` directly, so $! is the server's own pid.
HOME="$STATE/home" XDG_DATA_HOME="$STATE/xdg/data" XDG_CONFIG_HOME="$STATE/xdg/config" \
  XDG_CACHE_HOME="$STATE/xdg/cache" \
  node "$ENTRY" "${args[@]}" >"$LOGF" 2>&1 </dev/null &
pid=$!
printf '%s\n' "$pid" >"$PIDFILE"

t=$EPOCHREALTIME
while ! curl -fsS -o /dev/null --max-time 2 "${URL}healthz" 2>/dev/null; do
  if ! pid_running "$pid"; then
    tail -n 30 "$LOGF" >&2
    rm -f "$PIDFILE"
    die "code-server (pid $pid) exited before /healthz answered; log $LOGF"
  fi
  if awk -v e="$(mlci_elapsed "$t")" -v m="$TIMEOUT" 'BEGIN { exit !(e >= m) }'; then
    tail -n 30 "$LOGF" >&2
    "$MLCI_CI_DIR/code-server-stop.sh" "$PIDFILE" >/dev/null 2>&1 || true
    die "code-server (pid $pid) did not answer ${URL}healthz within ${TIMEOUT}s; log $LOGF"
  fi
  sleep 0.2
done
log "code-server ready after $(mlci_elapsed "$t")s: pid $pid, $URL, state $STATE, log $LOGF"
printf '%s\n' "$PIDFILE"
