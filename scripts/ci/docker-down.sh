#!/usr/bin/env bash
# Stop the private Docker engine started by docker-up.sh (idempotent).
#
# TERM the pid in /tmp/mlci-docker.pid, wait (MLCI_DOCKER_STOP_TIMEOUT,
# default 30 s: dockerd itself gives running containers 15 s), then KILL.
# After a KILL it also stops the containerd that dockerd had started; it always
# unmounts what a dead engine left mounted under its data/exec roots.
# Images stay in /tmp/mlci-docker-data for the next docker-up.sh.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STOP_TIMEOUT="${MLCI_DOCKER_STOP_TIMEOUT:-30}"
DATA_ROOT="${MLCI_DOCKER_PREFIX}-data"
EXEC_ROOT="${MLCI_DOCKER_PREFIX}-exec"

wait_gone() { # pid seconds
  local i n=$(($2 * 10))
  for ((i = 0; i < n; i++)); do
    pid_running "$1" || return 0
    sleep 0.1
  done
  ! pid_running "$1"
}

# Stop the process in a pidfile if it is alive and has the expected name.
stop_pidfile() { # pidfile comm
  local f=$1 comm=$2 pid
  [[ -s $f ]] || return 0
  pid="$(<"$f")"
  if ! [[ $pid =~ ^[0-9]+$ ]] || ! pid_running "$pid" \
    || [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" != "$comm" ]]; then
    log "$comm: stale pidfile $f (pid $pid not running): removing it"
    rm -f "$f"
    return 0
  fi
  log "$comm: sending TERM to pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  if wait_gone "$pid" "$STOP_TIMEOUT"; then
    log "$comm: pid $pid exited"
  else
    log "$comm: pid $pid still alive after ${STOP_TIMEOUT}s: sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 10 || die "$comm pid $pid survives KILL"
  fi
  rm -f "$f"
}

if [[ ! -e $MLCI_DOCKER_PID ]]; then
  log "not running (no $MLCI_DOCKER_PID)"
fi
stop_pidfile "$MLCI_DOCKER_PID" dockerd
# dockerd stops its own containerd on TERM; after a KILL it is orphaned.
stop_pidfile "$EXEC_ROOT/containerd/containerd.pid" containerd

# With the engine gone, anything still mounted under our roots is stale: a
# KILLed engine leaves container rootfs/netns mounts, and a dockerd that failed
# to start (e.g. overlay2 refused) leaves its data-root bind mount behind.
# Lazy-unmount those (ours only), deepest first.
awk -v a="$DATA_ROOT" -v b="$EXEC_ROOT" '$2 == a || index($2, a "/") == 1 || $2 == b || index($2, b "/") == 1 { print $2 }' /proc/mounts \
  | sort -r | while read -r m; do
    if umount -l "$m" 2>/dev/null; then log "unmounted stale $m"; else log "WARNING: could not unmount $m"; fi
  done
rm -f "$MLCI_DOCKER_SOCK"
log "stopped"
