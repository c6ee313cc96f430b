#!/usr/bin/env bash
# Start a private, rootful Docker engine for the tests (idempotent).
#
#   scripts/ci/docker-up.sh            # then: export DOCKER_HOST=unix:///tmp/mlci-docker.sock
#
# - Installs Debian's docker.io (Engine 20.10, API 1.41) when `dockerd` is missing.
# - Runs dockerd in the background, detached from this shell, on its own socket
#   and state dirs so it never touches a system engine:
#     socket    /tmp/mlci-docker.sock      data-root /tmp/mlci-docker-data
#     exec-root /tmp/mlci-docker-exec      pidfile   /tmp/mlci-docker.pid
#     log       /tmp/mlci-docker.log
#   No iptables and no bridge: this machine has no network for containers
#   anyway (they see only loopback).
# - Storage driver overlay2; if the engine does not come up with it, the reason
#   is logged and it is started again with vfs (works everywhere, 3-10x slower).
#   MLCI_DOCKER_STORAGE_DRIVER=vfs forces a driver.
# - Waits until `docker info` answers (MLCI_DOCKER_TIMEOUT, default 30 s).
# - Already running (live pid in the pidfile and the socket answers): does nothing.
# - Prints `export DOCKER_HOST=...` on stdout, so `eval "$(scripts/ci/docker-up.sh)"` works.
# Stop it with scripts/ci/docker-down.sh.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root

TIMEOUT="${MLCI_DOCKER_TIMEOUT:-30}"
DATA_ROOT="${MLCI_DOCKER_PREFIX}-data"
EXEC_ROOT="${MLCI_DOCKER_PREFIX}-exec"
export DOCKER_HOST="$MLCI_DOCKER_HOST"
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

hint() {
  local info
  info="$(docker info --format '{{.ServerVersion}} storage-driver={{.Driver}}' 2>/dev/null || echo '?')"
  log "dockerd ready: pid $(cat "$MLCI_DOCKER_PID" 2>/dev/null || echo '?'), engine $info, log $MLCI_DOCKER_LOG"
  log "point clients at it with:"
  printf 'export DOCKER_HOST=%s\n' "$MLCI_DOCKER_HOST"
}

# pid from the pidfile when that process is alive and is a dockerd.
live_pid() {
  local pid
  [[ -s $MLCI_DOCKER_PID ]] || return 1
  pid="$(<"$MLCI_DOCKER_PID")"
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  pid_running "$pid" || return 1
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == dockerd ]] || return 1
  printf '%s\n' "$pid"
}

# Wait until the engine answers, pid is alive, or TIMEOUT passes.
wait_ready() { # pid
  local pid=$1 t=$EPOCHREALTIME
  while :; do
    if docker_answers; then
      log "engine answered after $(mlci_elapsed "$t")s"
      return 0
    fi
    if ! pid_running "$pid"; then
      log "dockerd (pid $pid) exited before answering"
      return 1
    fi
    if awk -v e="$(mlci_elapsed "$t")" -v m="$TIMEOUT" 'BEGIN { exit !(e >= m) }'; then
      log "dockerd (pid $pid) did not answer within ${TIMEOUT}s"
      return 1
    fi
    sleep 0.1
  done
}

# --- already running? -------------------------------------------------------
if pid="$(live_pid)"; then
  if docker_answers || wait_ready "$pid"; then
    log "already running (pid $pid): nothing to do"
    hint
    exit 0
  fi
  log "dockerd pid $pid is alive but does not answer on $MLCI_DOCKER_SOCK: restarting it"
  "$MLCI_CI_DIR/docker-down.sh"
fi
if docker_answers; then
  die "something answers on $MLCI_DOCKER_SOCK but $MLCI_DOCKER_PID names no live dockerd; stop it by hand (or set MLCI_DOCKER_PREFIX)"
fi
# Not running. Clear what a killed engine may have left (stale pidfile and
# socket, an orphaned containerd, mounts under our roots): docker-down.sh
# does exactly that and is a no-op otherwise.
"$MLCI_CI_DIR/docker-down.sh" 2>&1 | grep -vE '\] (not running \(no |stopped$)' >&2 || true
rm -f "$MLCI_DOCKER_PID" "$MLCI_DOCKER_SOCK"

# --- install ----------------------------------------------------------------
if ! command -v dockerd >/dev/null; then
  step "install docker.io" "$MLCI_CI_DIR/apt.sh" docker.io
fi
command -v dockerd >/dev/null || die "dockerd not found after installing docker.io"
command -v docker >/dev/null || die "docker CLI not found"

# --- start ------------------------------------------------------------------
start_dockerd() { # storage-driver
  local driver=$1 pid
  mkdir -p "$DATA_ROOT" "$EXEC_ROOT"
  printf '\n===== %s mlci docker-up: dockerd --storage-driver=%s\n' "$(date -Is)" "$driver" >>"$MLCI_DOCKER_LOG"
  log "starting dockerd (storage-driver=$driver), log $MLCI_DOCKER_LOG"
  # setsid: own session, so the daemon survives this script and is not killed
  # with the caller's process group; it is stopped only through its pidfile.
  setsid dockerd \
    --iptables=false --ip6tables=false --bridge=none \
    --storage-driver="$driver" \
    --host="$MLCI_DOCKER_HOST" \
    --data-root="$DATA_ROOT" \
    --exec-root="$EXEC_ROOT" \
    --pidfile="$MLCI_DOCKER_PID" \
    >>"$MLCI_DOCKER_LOG" 2>&1 </dev/null &
  pid=$!
  if wait_ready "$pid"; then
    return 0
  fi
  log "last lines of $MLCI_DOCKER_LOG:"
  tail -n 15 "$MLCI_DOCKER_LOG" | sed 's/^/    /' >&2
  "$MLCI_CI_DIR/docker-down.sh" >/dev/null 2>&1 || true
  if pid_running "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  return 1
}

if [[ -n ${MLCI_DOCKER_STORAGE_DRIVER:-} ]]; then
  start_dockerd "$MLCI_DOCKER_STORAGE_DRIVER" \
    || die "dockerd did not start with storage-driver=$MLCI_DOCKER_STORAGE_DRIVER (see $MLCI_DOCKER_LOG)"
elif ! start_dockerd overlay2; then
  why="$(grep -iE 'level=(error|fatal)|failed|not supported' "$MLCI_DOCKER_LOG" | tail -n 1 || true)"
  log "WARNING: overlay2 did not work (${why:-no error line in log}); falling back to vfs (slower)"
  start_dockerd vfs || die "dockerd did not start with overlay2 nor vfs (see $MLCI_DOCKER_LOG)"
fi

live_pid >/dev/null || die "dockerd answers but $MLCI_DOCKER_PID does not name it"
hint
