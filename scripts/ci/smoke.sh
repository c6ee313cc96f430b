#!/usr/bin/env bash
# End-to-end proof that the real hosts work on this machine, with timings.
#
#   scripts/ci/smoke.sh
#
#  1. docker-up.sh                 private dockerd on /tmp/mlci-docker.sock
#  2. images.sh                    mlci-test/busybox, mlci-test/python:3.12-slim (= python:3.12-slim)
#  3. docker run busybox echo hi   (+ exit code 3 comes back)
#  4. docker run -v $PWD:/w python:3.12-slim python -c 'json...'
#  5. code-server.sh + chromium.sh install (cached) + code-server-start.sh on a
#     temp folder, GET /healthz, code-server-stop.sh
#  6. stops what it started (dockerd only if it was not running before).
# Safe to run repeatedly: the second run is fast (everything cached).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root

export DOCKER_HOST="$MLCI_DOCKER_HOST"
TIMINGS=()
PIDFILE=""
STARTED_DOCKER=0
WS="$(mktemp -d /tmp/mlci-smoke.XXXXXX)"

timed() { # name cmd...
  local name=$1 t
  shift
  t=$EPOCHREALTIME
  log "── $name"
  "$@"
  TIMINGS+=("$(printf '%-34s %7ss' "$name" "$(mlci_elapsed "$t")")")
}

cleanup() {
  local rc=$?
  trap - ERR
  if [[ -n $PIDFILE ]]; then "$MLCI_CI_DIR/code-server-stop.sh" "$PIDFILE" --clean || true; fi
  if ((STARTED_DOCKER)); then "$MLCI_CI_DIR/docker-down.sh" || true; fi
  rm -rf "$WS"
  if ((rc == 0)); then
    log "timings:"
    printf '  %s\n' "${TIMINGS[@]}" >&2
    log "SMOKE OK in $(mlci_elapsed "$_MLCI_T0")s"
  else
    log "SMOKE FAILED (exit $rc)"
  fi
  exit "$rc"
}
trap cleanup EXIT

expect() { # what expected actual
  [[ $3 == "$2" ]] || die "$1: expected '$2', got '$3'"
  log "$1: ok ($3)"
}

# 1. engine
docker_answers || STARTED_DOCKER=1
timed "docker-up" "$MLCI_CI_DIR/docker-up.sh" >/dev/null
((STARTED_DOCKER)) || log "dockerd was already running: leaving it running afterwards"

# 2. images
timed "images" "$MLCI_CI_DIR/images.sh"

# 3-4. containers
run_busybox() {
  expect "busybox echo" hi "$(docker run --rm mlci-test/busybox echo hi)"
  local rc=0
  docker run --rm mlci-test/busybox sh -c 'exit 3' || rc=$?
  expect "busybox exit code" 3 "$rc"
}
timed "docker run busybox (x2)" run_busybox

run_python() {
  echo 'mounted' >"$WS/marker.txt"
  expect "python json" '{"ok": 1}' \
    "$(cd "$WS" && docker run --rm -v "$PWD:/w" -w /w python:3.12-slim python -c 'import json;print(json.dumps({"ok":1}))')"
  expect "python bind mount" mounted \
    "$(docker run --rm -v "$WS:/w" -w /w python:3.12-slim python -c 'print(open("marker.txt").read().strip())')"
}
timed "docker run python:3.12-slim (x2)" run_python

# 5. VS Code host
timed "code-server install" "$MLCI_CI_DIR/code-server.sh" >/dev/null
timed "chromium install" "$MLCI_CI_DIR/chromium.sh" >/dev/null

PORT="$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
mkdir -p "$WS/workspace" && echo 'print("hello")' >"$WS/workspace/train.py"
start_cs() { PIDFILE="$("$MLCI_CI_DIR/code-server-start.sh" "$WS/workspace" "$PORT")"; }
timed "code-server start (to /healthz)" start_cs

check_cs() {
  local health
  health="$(curl -fsS --max-time 5 "http://127.0.0.1:$PORT/healthz")" || die "GET /healthz failed"
  [[ $health == *'"status"'* ]] || die "unexpected /healthz answer: $health"
  log "/healthz: $health"
  curl -fsS --max-time 10 -o "$WS/page.html" "http://127.0.0.1:$PORT/?folder=$WS/workspace" \
    || die "GET workbench page failed"
  grep -q 'workbench' "$WS/page.html" || die "workbench page does not look like VS Code"
  log "workbench page: ok ($(wc -c <"$WS/page.html") bytes)"
}
timed "code-server /healthz + page" check_cs

stop_cs() { "$MLCI_CI_DIR/code-server-stop.sh" "$PIDFILE" --clean; PIDFILE=""; }
timed "code-server stop" stop_cs

# 6. engine down (when we started it)
if ((STARTED_DOCKER)); then
  timed "docker-down" "$MLCI_CI_DIR/docker-down.sh"
  STARTED_DOCKER=0
fi
