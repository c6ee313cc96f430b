#!/usr/bin/env bash
# Install OpenSSH's server and client (and rsync, the baseline of the SSH
# remote benchmark) for the cache-remote tests. The tests start their own
# sshd on a free 127.0.0.1 port with a temporary host key; nothing is started
# here. Prints the sshd path on stdout (the only stdout), so callers can
# `MLCI_SSHD="$(bash scripts/ci/sshd.sh)"`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root
bash "$(dirname "${BASH_SOURCE[0]}")/apt.sh" openssh-server openssh-client rsync
# sshd refuses to start without its privilege-separation directory.
mkdir -p /run/sshd
chmod 0755 /run/sshd
command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ] || die "sshd not found after installing openssh-server"
echo /usr/sbin/sshd
