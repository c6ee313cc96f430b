# shellcheck shell=bash disable=SC2034
# Common helpers for scripts/ci/*.sh. Source it; do not execute it.
#
#   MLCI_CI_CACHE  stable cache dir that survives between CI runs on the same
#                  machine (never inside the repo). Default /var/cache/mlci-ci.
#
# Every script logs lines like
#   [12:00:01 docker-up +0.42s] message
# to stderr, where +N is the time since that script started.

set -euo pipefail

MLCI_CI_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MLCI_CI_CACHE="${MLCI_CI_CACHE:-/var/cache/mlci-ci}"
MLCI_SCRIPT="${MLCI_SCRIPT:-$(basename "${0%.sh}")}"
_MLCI_T0="${EPOCHREALTIME}"

# Private Docker engine (see docker-up.sh). Overridable, but the defaults are
# what the tests expect.
MLCI_DOCKER_PREFIX="${MLCI_DOCKER_PREFIX:-/tmp/mlci-docker}"
MLCI_DOCKER_SOCK="${MLCI_DOCKER_PREFIX}.sock"
MLCI_DOCKER_PID="${MLCI_DOCKER_PREFIX}.pid"
MLCI_DOCKER_LOG="${MLCI_DOCKER_PREFIX}.log"
MLCI_DOCKER_HOST="unix://${MLCI_DOCKER_SOCK}"

export DEBIAN_FRONTEND=noninteractive

# Seconds (with milliseconds) between two $EPOCHREALTIME values.
mlci_elapsed() { # start [end]
  local s="${1/,/.}" e="${2:-$EPOCHREALTIME}"
  e="${e/,/.}"
  awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", e - s }'
}

log() {
  printf '[%s %s +%ss] %s\n' "$(date +%H:%M:%S)" "$MLCI_SCRIPT" "$(mlci_elapsed "$_MLCI_T0")" "$*" >&2
}

die() {
  log "ERROR: $*"
  exit 1
}

# Report the failing command instead of exiting silently under set -e.
_mlci_on_err() {
  local rc=$? line=$1 cmd=$2
  log "ERROR: command failed (exit $rc) at ${BASH_SOURCE[1]:-?}:$line: $cmd"
  exit "$rc"
}
trap '_mlci_on_err "$LINENO" "$BASH_COMMAND"' ERR
set -o errtrace

# Run a command as a named, timed step:  step "what" cmd args...
# Failure exits the script through the ERR trap, except in a condition
# (`step ... || die ...`, `if step ...`), where it logs and returns the status.
# NOTE (bash): inside a condition, `set -e` is off in the called function too,
# so functions passed to step in a condition must check errors themselves.
step() {
  local what=$1 t=$EPOCHREALTIME rc
  shift
  log "$what ..."
  "$@"
  rc=$?
  if ((rc != 0)); then
    log "$what: FAILED (exit $rc) after $(mlci_elapsed "$t")s"
    return "$rc"
  fi
  log "$what: done in $(mlci_elapsed "$t")s"
}

require_root() {
  [[ $(id -u) -eq 0 ]] || die "must run as root (apt-get/dockerd need it); CI runs as root"
}

mlci_cache_dir() { # subdir -> prints absolute path, creates it
  local d="$MLCI_CI_CACHE/${1:-}"
  mkdir -p "$d" || die "cannot create cache dir $d (set MLCI_CI_CACHE to a writable dir)"
  printf '%s\n' "${d%/}"
}

# Take an exclusive lock for the rest of the script (concurrent runs of the
# same script on one machine wait for each other instead of corrupting the
# cache).
mlci_lock() { # name
  local f
  f="$(mlci_cache_dir locks)/$1.lock"
  exec {_MLCI_LOCK_FD}>"$f"
  if ! flock -n "$_MLCI_LOCK_FD"; then
    log "waiting for lock $f (another run holds it) ..."
    flock -w 1800 "$_MLCI_LOCK_FD" || die "timed out waiting for lock $f"
  fi
}

# True when pid runs (kill -0 also succeeds on a zombie, e.g. a killed daemon
# that its reaper has not collected yet).
pid_running() { # pid
  local st
  kill -0 "$1" 2>/dev/null || return 1
  st="$(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null)" || return 1
  [[ -n $st && $st != Z && $st != X ]]
}

# True when the private engine answers.
docker_answers() {
  DOCKER_HOST="${DOCKER_HOST:-$MLCI_DOCKER_HOST}" timeout 10 docker info >/dev/null 2>&1
}
