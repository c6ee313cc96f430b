#!/usr/bin/env bash
# Install Debian packages that are not installed yet.
#
#   scripts/ci/apt.sh PKG...
#
# - Packages already installed are skipped; when none is missing nothing runs
#   (no apt-get update, no network).
# - Otherwise `apt-get update` runs once for this invocation, then one
#   `apt-get install --no-install-recommends` for the missing ones.
# - Waits up to 300 s for the dpkg lock (another apt run on the machine).
# - Services shipped by packages are not started (policy-rc.d on this machine
#   blocks them; we never rely on them).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Everything goes to stderr: callers capture or eval the stdout of the scripts
# that call this one (docker-up.sh, code-server.sh, chromium.sh).
exec 1>&2

[[ $# -gt 0 ]] || die "usage: $0 PKG..."
require_root

APT=(apt-get -o DPkg::Lock::Timeout=300 -o Acquire::Retries=3 -o Dpkg::Use-Pty=0)

is_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" == installed ]]
}

missing=()
for p in "$@"; do
  is_installed "$p" || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  log "already installed: $*"
  exit 0
fi

log "missing: ${missing[*]}"
step "apt-get update" "${APT[@]}" update -qq \
  || die "apt-get update failed (is the Debian mirror reachable?)"
step "apt-get install ${missing[*]}" \
  "${APT[@]}" install -y -qq --no-install-recommends "${missing[@]}" \
  || die "apt-get install ${missing[*]} failed"

for p in "${missing[@]}"; do
  is_installed "$p" || die "package $p still not installed after apt-get install"
done
log "installed: ${missing[*]}"
