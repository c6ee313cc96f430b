#!/usr/bin/env bash
# Stop a code-server started by code-server-start.sh (idempotent).
#
#   scripts/ci/code-server-stop.sh PIDFILE [--clean]
#
# TERMs the server and the processes it spawned (extension host, pty host,
# file watcher...), found by walking its process tree by pid; KILLs whatever
# is left after 10 s. --clean also deletes its state dir (the pidfile's folder,
# only if it is a /tmp/mlci-code-server.* dir made by code-server-start.sh or
# holds code-server.pid + config.yaml).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -ge 1 ]] || die "usage: $0 PIDFILE [--clean]"
PIDFILE=$1
CLEAN=0
[[ ${2:-} == --clean ]] && CLEAN=1
STATE="$(dirname "$PIDFILE")"

descendants() { # pid -> all descendant pids, children first
  local c
  for c in $(ps -o pid= --ppid "$1" 2>/dev/null || true); do
    descendants "$c"
    echo "$c"
  done
}

alive_any() { local p; for p in "$@"; do pid_running "$p" && return 0; done; return 1; }

if [[ -s $PIDFILE ]]; then
  pid="$(<"$PIDFILE")"
  if [[ $pid =~ ^[0-9]+$ ]] && pid_running "$pid" \
    && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'entry.js'; then
    mapfile -t kids < <(descendants "$pid")
    all=("$pid" "${kids[@]}")
    log "stopping code-server pid $pid (+${#kids[@]} child processes)"
    kill -TERM "${all[@]}" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      alive_any "${all[@]}" || break
      sleep 0.1
    done
    if alive_any "${all[@]}"; then
      log "still alive after 10 s: sending KILL"
      kill -KILL "${all[@]}" 2>/dev/null || true
      sleep 0.2
    fi
    alive_any "${all[@]}" && die "could not stop code-server pid $pid"
    log "stopped"
  else
    log "pid '$pid' in $PIDFILE is not a running code-server: nothing to stop"
  fi
  rm -f "$PIDFILE"
else
  log "no pidfile $PIDFILE: nothing to stop"
fi

if ((CLEAN)) && [[ -d $STATE ]]; then
  if [[ $STATE == /tmp/mlci-code-server.* || ( -f $STATE/config.yaml && -d $STATE/user-data ) ]]; then
    rm -rf "$STATE"
    log "removed $STATE"
  else
    log "WARNING: not removing $STATE (does not look like a code-server-start.sh state dir)"
  fi
fi
