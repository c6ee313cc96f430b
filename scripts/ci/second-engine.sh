#!/usr/bin/env bash
# Start a second, real Docker engine that shares no files with this host, for
# the remote-engine tests (idempotent).
#
#   eval "$(bash scripts/ci/second-engine.sh)"   # exports MLCI_SECOND_ENGINE=tcp://127.0.0.1:PORT
#
# The engine is Debian's docker.io in a container on the first engine
# (Docker-in-Docker): a bind mount of a host folder shows an empty folder in
# its containers, exactly as on a real remote host, so a test that passes
# against it cannot be relying on the workspace being visible.
# - The image (debootstrap minbase + docker.io) is built once; its rootfs is
#   cached as $MLCI_CI_CACHE/images/second-engine-rootfs.tar.gz, so a fresh
#   first engine imports it in seconds.
# - The container is named $MLCI_SECOND_ENGINE_NAME (default mlci-second-engine),
#   its /var/lib/docker lives in volume "$MLCI_SECOND_ENGINE_NAME-data" on the
#   first engine; only those are ever started, restarted or removed here.
# - `docker run --privileged` fails on this machine (no CAP_SYS_RESOURCE in the
#   bounding set): the caps and security options below are what works
#   (/work/shared/notes/real-hosts.md).
# - Loads mlci-test/python:3.12-slim (also tagged python:3.12-slim) and
#   mlci-test/busybox:latest into it when missing.
# - MLCI_SECOND_ENGINE_SSH=1 also starts Debian's sshd on 127.0.0.1 with a
#   fresh key and prints MLCI_SECOND_ENGINE_SSH=ssh://root@127.0.0.1:PORT,
#   MLCI_SECOND_ENGINE_SSH_KEY (the client key) and
#   MLCI_SECOND_ENGINE_SSH_KNOWN_HOSTS (a known_hosts file listing the server's
#   host key). Its sessions get DOCKER_HOST=tcp://... of the second engine, so
#   `docker system dial-stdio` run over SSH reaches it.
# Stop it: docker rm -f mlci-second-engine (the data volume may stay).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root

export DOCKER_HOST="${DOCKER_HOST:-$MLCI_DOCKER_HOST}"
NAME="${MLCI_SECOND_ENGINE_NAME:-mlci-second-engine}"
IMAGE=mlci-test/second-engine:bookworm
RECIPE=second-engine-v1
TIMEOUT="${MLCI_DOCKER_TIMEOUT:-60}"
STATE_DIR="$(mlci_cache_dir second-engine)"

docker_answers || die "no Docker engine answers at $DOCKER_HOST: run scripts/ci/docker-up.sh first"
mlci_lock "$NAME"

second_answers() { # host
  timeout 10 docker -H "$1" info >/dev/null 2>&1
}

emit() { # host
  log "second engine ready at $1 ($(docker -H "$1" version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
  printf 'export MLCI_SECOND_ENGINE=%s\n' "$1"
  if [[ ${MLCI_SECOND_ENGINE_SSH:-0} == 1 ]]; then start_sshd; fi
}

# --- image ---------------------------------------------------------------
image_current() {
  local got
  got="$(docker image inspect --format '{{index .Config.Labels "org.mlci.recipe"}}' "$IMAGE" 2>/dev/null)" || return 1
  [[ $got == "$RECIPE" ]]
}

build_image() {
  local cache work mirror
  cache="$(mlci_cache_dir images)/second-engine-rootfs-$RECIPE.tar.gz"
  if [[ ! -s $cache ]]; then
    command -v debootstrap >/dev/null || bash "$MLCI_CI_DIR/apt.sh" debootstrap
    # The mirror apt already uses on this machine (no other source).
    mirror="$( (grep -rshoE 'https?://[^ ]*/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ || true) | tr -d ' ' | head -n1)"
    mirror="${mirror:-http://deb.debian.org/debian}"
    work="$(mktemp -d /var/tmp/mlci-second-engine.XXXXXX)"
    # shellcheck disable=SC2064
    trap "awk -v w='$work/' 'index(\$2, w) == 1 { print \$2 }' /proc/mounts | sort -r | xargs -r umount -l || true; rm -rf --one-file-system '$work'" EXIT
    step "debootstrap minbase + docker.io from $mirror (once, ~2 min)" \
      debootstrap --variant=minbase --include=docker.io,ca-certificates,iproute2,procps bookworm "$work/rootfs" "$mirror" >&2
    rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
    step "pack the rootfs to $cache" bash -c "tar -C '$work/rootfs' --numeric-owner -c . | gzip -1 > '$cache.tmp' && mv '$cache.tmp' '$cache'"
  fi
  step "import $IMAGE" bash -c "gzip -dc '$cache' | docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'LABEL org.mlci.recipe=$RECIPE' - '$IMAGE' >/dev/null"
}

# --- the engine ------------------------------------------------------------
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

load_images() { # host
  local img
  for img in mlci-test/python:3.12-slim mlci-test/busybox:latest; do
    if docker -H "$1" image inspect "$img" >/dev/null 2>&1 \
      && [[ "$(docker -H "$1" image inspect --format '{{.Id}}' "$img")" == "$(docker image inspect --format '{{.Id}}' "$img")" ]]; then
      continue
    fi
    docker image inspect "$img" >/dev/null 2>&1 || die "$img is not in the first engine: run scripts/ci/images.sh first"
    step "load $img into the second engine" bash -c "docker save '$img' | docker -H '$1' load >/dev/null"
  done
  docker -H "$1" tag mlci-test/python:3.12-slim python:3.12-slim
}

start_sshd() {
  local sshd port key dir
  sshd="$(bash "$MLCI_CI_DIR/sshd.sh")"
  dir="$STATE_DIR/ssh"
  mkdir -p "$dir"
  chmod 700 "$dir"
  [[ -s $dir/id_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -f "$dir/id_ed25519" >/dev/null
  [[ -s $dir/host_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -f "$dir/host_ed25519" >/dev/null
  cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
  if [[ -s $dir/sshd.pid ]] && pid_running "$(<"$dir/sshd.pid")" && [[ -s $dir/port ]]; then
    port="$(<"$dir/port")"
  else
    port="$(free_port)"
    # The docker CLI on the ssh side runs `docker system dial-stdio`: it must
    # reach the engine through DOCKER_HOST, set for the session by sshd.
    cat >"$dir/sshd_config" <<CFG
ListenAddress 127.0.0.1
Port $port
HostKey $dir/host_ed25519
AuthorizedKeysFile $dir/authorized_keys
PasswordAuthentication no
PermitRootLogin prohibit-password
PermitUserEnvironment no
SetEnv DOCKER_HOST=$(<"$STATE_DIR/host")
PidFile $dir/sshd.pid
StrictModes no
CFG
    "$sshd" -f "$dir/sshd_config" -E "$dir/sshd.log" || die "sshd did not start (see $dir/sshd.log)"
    printf '%s\n' "$port" >"$dir/port"
  fi
  # mlci checks host keys: the server's, as known_hosts lists it.
  printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$dir/host_ed25519.pub")" >"$dir/known_hosts"
  printf 'export MLCI_SECOND_ENGINE_SSH=ssh://root@127.0.0.1:%s\n' "$port"
  printf 'export MLCI_SECOND_ENGINE_SSH_KEY=%s\n' "$dir/id_ed25519"
  printf 'export MLCI_SECOND_ENGINE_SSH_KNOWN_HOSTS=%s\n' "$dir/known_hosts"
}

# Running already?
if [[ -s $STATE_DIR/host ]] && [[ "$(docker inspect --format '{{.State.Running}}' "$NAME" 2>/dev/null)" == true ]]; then
  host="$(<"$STATE_DIR/host")"
  if second_answers "$host"; then
    load_images "$host"
    emit "$host"
    exit 0
  fi
fi

image_current || build_image
docker rm -f "$NAME" >/dev/null 2>&1 || true
port="$(free_port)"
host="tcp://127.0.0.1:$port"
step "start $NAME on $host" docker run -d --name "$NAME" \
  --label org.mlci.ci=second-engine \
  --cap-add ALL --cap-drop SYS_RESOURCE \
  --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
  --security-opt systempaths=unconfined --cgroupns host -v /sys/fs/cgroup:/sys/fs/cgroup:rw \
  --network host -v "$NAME-data:/var/lib/docker" \
  "$IMAGE" \
  dockerd --host="$host" --iptables=false --ip6tables=false --bridge=none \
  --storage-driver=overlay2 --exec-root="/run/$NAME-exec" --pidfile="/run/$NAME.pid" >/dev/null
t=$EPOCHREALTIME
until second_answers "$host"; do
  if [[ "$(docker inspect --format '{{.State.Running}}' "$NAME" 2>/dev/null)" != true ]]; then
    docker logs --tail 20 "$NAME" >&2 || true
    die "$NAME exited before answering"
  fi
  awk -v e="$(mlci_elapsed "$t")" -v m="$TIMEOUT" 'BEGIN { exit !(e >= m) }' && {
    docker logs --tail 20 "$NAME" >&2 || true
    die "$NAME did not answer on $host within ${TIMEOUT}s"
  }
  sleep 0.2
done
printf '%s\n' "$host" >"$STATE_DIR/host"
load_images "$host"
emit "$host"
