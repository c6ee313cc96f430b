#!/usr/bin/env bash
# Install Debian's Docker registry (distribution 2.8) for the delivery tests
# and the README's local registry. Nothing is started here (the package's
# service stays off): the tests start their own registry on a free
# 127.0.0.1 port with a temporary storage folder, and the README says how to
# start one by hand. The engine trusts 127.0.0.0/8 registries over plain
# HTTP by default, so no engine configuration is needed.
# Prints the registry binary's path on stdout (the only stdout), so callers can
# `MLCI_REGISTRY_BIN="$(bash scripts/ci/registry.sh)"`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root
bash "$(dirname "${BASH_SOURCE[0]}")/apt.sh" docker-registry
[ -x /usr/bin/docker-registry ] || die "docker-registry not found after installing the package"
echo /usr/bin/docker-registry
