#!/usr/bin/env bash
# Install code-server (a real VS Code host, from npm) into the CI cache.
#
#   entry="$(scripts/ci/code-server.sh)"   # prints the path of entry.js on stdout
#
# Installs code-server@4.100.3 (VS Code 1.100.3, the newest that runs on
# Node 20) into $MLCI_CI_CACHE/code-server-4.100.3/, outside the project's own
# dependency tree. Idempotent: skipped when entry.js exists and the marker
# file written at the end of a complete, verified install is there; a partial
# install is wiped and redone.
#
# Workarounds for this machine (offline but for npm and Debian):
#  1. code-server's postinstall refuses root unless npm_config_unsafe_perm=true.
#  2. @vscode/ripgrep downloads rg from the internet: we put Debian's rg into
#     the tarball it looks for in $(os.tmpdir())/vscode-ripgrep-cache-1.15.11/.
#  3. node-pty's postinstall runs `npx node-gyp`, which prompts: npm_config_yes=true.
#  4. argon2/kerberos prebuilt binaries cannot be downloaded, so they compile:
#     build-essential python3 pkg-config libkrb5-dev; node headers from
#     /usr/include/node (npm_config_nodedir) instead of a download.
#  5. npm 11 blocks dependency install scripts unless approved (allowScripts),
#     and code-server's own postinstall runs two nested `npm install`s (in
#     lib/vscode and lib/vscode/extensions), which are separate projects with
#     their own policy. An `allow-scripts=` list in any npmrc does not work:
#     npm exports it to the postinstall's environment, and the nested npm then
#     refuses it (EALLOWSCRIPTS: "--allow-scripts is not allowed in
#     project-scoped installs"). So, in three steps:
#       a. `npm install --ignore-scripts` (just unpacks the pinned tree);
#       b. write `allowScripts` (exact pinned versions, below) into our
#          package.json and into code-server's lib/vscode and
#          lib/vscode/extensions package.json;
#       c. `npm rebuild` with strict-allow-scripts=true: runs argon2's build and
#          code-server's postinstall, whose nested installs read (b); any
#          other package with an install script fails loudly instead of being
#          silently skipped.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root

CS_VERSION=4.100.3
RG_PKG_VERSION=1.15.11            # @vscode/ripgrep pinned by code-server's shrinkwrap
RG_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
# Every package in code-server 4.100.3's three npm-shrinkwrap.json files that
# has an install script (`hasInstallScript`), pinned; they are the only ones
# allowed to run. Review when CS_VERSION changes.
ALLOW_TOP=(code-server@4.100.3 argon2@0.31.2)
ALLOW_VSCODE=(
  @parcel/watcher@2.5.1 @vscode/deviceid@0.1.1 @vscode/ripgrep@1.15.11
  @vscode/spdlog@0.15.1 @vscode/windows-ca-certs@0.3.3
  @vscode/windows-process-tree@0.6.0 @vscode/windows-registry@1.1.0
  kerberos@2.1.1 native-watchdog@1.4.2 node-pty@1.1.0-beta33
)
ALLOW_EXTENSIONS=(@parcel/watcher@2.5.1 esbuild@0.25.0)
# Native modules that must be compiled and load after the install:
# "resolve-from:module", resolve-from relative to node_modules/code-server.
NATIVE_CHECKS=(
  .:argon2
  lib/vscode:node-pty
  lib/vscode:kerberos
  lib/vscode:@vscode/spdlog
  lib/vscode:native-watchdog
)

DIR="$MLCI_CI_CACHE/code-server-$CS_VERSION"
CS="$DIR/node_modules/code-server"
ENTRY="$CS/out/node/entry.js"
MARKER="$DIR/.mlci-install-complete"
WANT_MARKER="code-server@$CS_VERSION node=$(node -v 2>/dev/null || echo none)"

installed() {
  [[ -f $ENTRY && -f $MARKER && "$(<"$MARKER")" == "$WANT_MARKER" ]]
}

if installed; then
  log "code-server $CS_VERSION already installed ($WANT_MARKER)"
  printf '%s\n' "$ENTRY"
  exit 0
fi

mlci_lock "code-server-$CS_VERSION"
if installed; then # another run finished it while we waited for the lock
  log "code-server $CS_VERSION already installed"
  printf '%s\n' "$ENTRY"
  exit 0
fi

command -v node >/dev/null || die "node not found"
command -v npm >/dev/null || die "npm not found"
[[ "$(node -p 'process.versions.node.split(".")[0]')" == 20 ]] \
  || die "code-server $CS_VERSION needs Node 20, found $(node -v)"

step "build tools + ripgrep" "$MLCI_CI_DIR/apt.sh" build-essential python3 pkg-config libkrb5-dev ripgrep

# (2) ripgrep tarball where @vscode/ripgrep's postinstall looks first.
RG_DIR="$(node -p 'os.tmpdir()')/vscode-ripgrep-cache-$RG_PKG_VERSION"
if ! tar -tzf "$RG_DIR/$RG_ASSET" 2>/dev/null | grep -qx rg; then
  log "placing Debian's rg ($(rg --version | sed -n 1p)) as $RG_DIR/$RG_ASSET"
  mkdir -p "$RG_DIR"
  tmp="$(mktemp -d)"
  cp "$(command -v rg)" "$tmp/rg"
  tar -C "$tmp" -czf "$RG_DIR/$RG_ASSET.tmp" rg
  mv -f "$RG_DIR/$RG_ASSET.tmp" "$RG_DIR/$RG_ASSET"
  rm -rf "$tmp"
fi

# Fresh folder (wipes a partial install).
rm -rf "$DIR"
mkdir -p "$DIR"
cat >"$DIR/package.json" <<EOF
{
  "name": "mlci-ci-code-server-host",
  "private": true,
  "description": "code-server for mlci's extension tests; installed by scripts/ci/code-server.sh",
  "dependencies": { "code-server": "$CS_VERSION" }
}
EOF

export npm_config_unsafe_perm=true # (1)
export npm_config_yes=true         # (3)
export npm_config_foreground_scripts=true # script output goes into the log below
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
# (5) Pinned allowScripts entries (pkg@1.2.3) match on the version in the
# lockfile's `resolved` URL. This machine's ~/.npmrc sets
# omit-lockfile-registry-resolved=true, which leaves node_modules/.package-lock.json
# without it, and npm then refuses every pinned approval (ESTRICTALLOWSCRIPTS).
export npm_config_omit_lockfile_registry_resolved=false
if [[ -f /usr/include/node/node.h ]]; then
  export npm_config_nodedir=/usr # (4) headers of the running node, no download
else
  log "WARNING: /usr/include/node/node.h missing: node-gyp will try to download headers (fails offline)"
fi

# (5b) add {"allowScripts": {"pkg@version": true, ...}} to a package.json
allow_scripts() { # package.json pkg@version...
  node -e '
    const fs = require("fs"); const [f, ...pkgs] = process.argv.slice(1);
    const j = JSON.parse(fs.readFileSync(f, "utf8"));
    j.allowScripts = Object.fromEntries(pkgs.map((p) => [p, true]));
    fs.writeFileSync(f, JSON.stringify(j, null, 2) + "\n");
  ' "$@"
}
allow_scripts "$DIR/package.json" "${ALLOW_TOP[@]}"

LOGF="$DIR/install.log"
npm_in() { # dir npm-args... (appends to the log; fails with its tail)
  local d=$1
  shift
  echo "===== $(date -Is) npm $*" >>"$LOGF"
  if ! (cd "$d" && npm "$@" --loglevel=info </dev/null >>"$LOGF" 2>&1); then
    tail -n 40 "$LOGF" >&2
    die "npm $* failed in $d; full log: $LOGF"
  fi
}
# (5a)
step "npm install --ignore-scripts code-server@$CS_VERSION (log $LOGF)" \
  npm_in "$DIR" install --no-save --ignore-scripts
[[ -f $CS/package.json && -f $CS/postinstall.sh ]] || die "code-server package not unpacked in $CS"
# (5b)
allow_scripts "$CS/lib/vscode/package.json" "${ALLOW_VSCODE[@]}"
allow_scripts "$CS/lib/vscode/extensions/package.json" "${ALLOW_EXTENSIONS[@]}"
# (5c) strict-allow-scripts is a boolean, so passing it down through the
# environment to the nested installs is fine.
export npm_config_strict_allow_scripts=true
step "npm rebuild: argon2 build + code-server postinstall (nested installs, node-pty, kerberos, ...)" \
  npm_in "$DIR" rebuild

# Verify: the scripts really ran (not skipped by npm's allowScripts policy).
if grep -qiE 'install scripts not yet covered|install-scripts approve' "$LOGF"; then
  grep -iE -A20 'install scripts not yet covered' "$LOGF" >&2 || true
  die "npm skipped some install scripts (see above / $LOGF): review them and add them to the ALLOW_* lists"
fi
[[ -f $ENTRY ]] || die "no $ENTRY after install"
[[ -e $CS/lib/vscode/node_modules.asar ]] || die "code-server postinstall did not run (no lib/vscode/node_modules.asar link)"
[[ -x $CS/lib/vscode/node_modules/@vscode/ripgrep/bin/rg ]] || die "@vscode/ripgrep has no bin/rg: its postinstall did not run"
for check in "${NATIVE_CHECKS[@]}"; do
  from="$CS/${check%%:*}" m="${check#*:}"
  mdir="$(cd "$from" && node -p "require('path').dirname(require.resolve('$m/package.json', { paths: ['.'] }))" 2>/dev/null)" \
    || die "module $m not found from $from"
  nodes="$(find "$mdir" -name '*.node' \( -path '*/build/*' -o -path '*/lib/binding/*' \) | sed -n 1,3p)"
  [[ -n $nodes ]] || die "$m ($mdir) has no compiled .node binary: its install script did not run"
  (cd "$mdir" && node -e 'require(".")' 2>"$DIR/require.err") \
    || { cat "$DIR/require.err" >&2; die "require('$m') fails in $mdir"; }
  nodes="${nodes//$'\n'/ }"
  log "native module ok: $m (${nodes//"$CS/"/})"
done
# (temp HOME/XDG dirs: code-server writes a default config.yaml there)
vtmp="$(mktemp -d)"
ver="$(HOME="$vtmp" XDG_CONFIG_HOME="$vtmp" XDG_DATA_HOME="$vtmp" node "$ENTRY" --version 2>&1 | grep -m1 -E '^[0-9]+\.[0-9]+\.[0-9]+ ' || true)"
rm -rf "$vtmp"
[[ $ver == "$CS_VERSION "* ]] || die "code-server --version says '$ver', want $CS_VERSION"
log "code-server --version: $ver"

printf '%s\n' "$WANT_MARKER" >"$MARKER"
log "installed code-server $CS_VERSION in $DIR ($(du -sh "$DIR" | cut -f1))"
printf '%s\n' "$ENTRY"
