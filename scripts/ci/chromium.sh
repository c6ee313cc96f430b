#!/usr/bin/env bash
# Install Debian's Chromium for Playwright UI tests (idempotent).
#
#   scripts/ci/chromium.sh        # prints /usr/bin/chromium on stdout
#
# Use it from playwright-core with executablePath '/usr/bin/chromium', headless,
# args --no-sandbox --disable-gpu --disable-quic --no-first-run
# --disable-background-networking --disable-component-update --disable-sync
# and a fresh user-data-dir (never let Playwright download browsers:
# PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1). fonts-liberation makes text in
# screenshots readable.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root

CHROMIUM=/usr/bin/chromium
step "chromium + fonts" "$MLCI_CI_DIR/apt.sh" chromium fonts-liberation
[[ -x $CHROMIUM ]] || die "$CHROMIUM missing after installing chromium"
ver="$("$CHROMIUM" --version 2>/dev/null)" || die "$CHROMIUM --version failed"
[[ $ver == Chromium* ]] || die "unexpected '$CHROMIUM --version' output: $ver"
log "$ver"
printf '%s\n' "$CHROMIUM"
