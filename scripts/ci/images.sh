#!/usr/bin/env bash
# Build the local container images the tests use (idempotent, offline).
#
#   scripts/ci/docker-up.sh && scripts/ci/images.sh
#
# There is no image registry here, so images are built from Debian packages:
#   mlci-test/busybox:latest       busybox-static in a FROM scratch image (~2 MB)
#   mlci-test/python:3.12-slim     Debian bookworm minbase + python3 (debootstrap)
#   python:3.12-slim               second tag of the image above (see below)
# An image is skipped when it is already in the engine with the current recipe
# (label org.mlci.recipe). The python image is also cached as
# $MLCI_CI_CACHE/images/*.tar.gz (docker save | gzip -1), so a fresh engine on
# the same machine loads it in seconds instead of running debootstrap again.
#
# Uses DOCKER_HOST when set, else the private engine of docker-up.sh.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root

export DOCKER_HOST="${DOCKER_HOST:-$MLCI_DOCKER_HOST}"
export DOCKER_BUILDKIT=0 # Engine 20.10 from Debian has no buildx

# Bump a recipe version whenever its build steps change: images and cache
# files of an older recipe are then rebuilt.
BUSYBOX_IMAGE=mlci-test/busybox:latest
BUSYBOX_RECIPE=busybox-v1
PYTHON_IMAGE=mlci-test/python:3.12-slim
PYTHON_RECIPE=python-bookworm-v1
# Example pipelines say `image: python:3.12-slim`. Tagging our image with that
# name lets them run unchanged offline: the engine finds it locally and never
# tries to pull. NOTE: it is Debian bookworm's Python (3.11), a stand-in for the
# official 3.12 image, with the same `python` command and PATH.
PYTHON_ALIASES=(python:3.12-slim)

docker_answers || die "no Docker engine answers at $DOCKER_HOST: run scripts/ci/docker-up.sh first (and export DOCKER_HOST=$MLCI_DOCKER_HOST)"

mlci_lock images
CACHE="$(mlci_cache_dir images)"
WORK="$(mktemp -d /var/tmp/mlci-images.XXXXXX)"
cleanup() {
  # debootstrap mounts proc/sys in the rootfs; never let rm descend into them.
  awk -v w="$WORK/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r | xargs -r umount -l || true
  rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

# True when IMAGE exists in the engine and was built by recipe RECIPE.
image_current() { # image recipe
  local got
  got="$(docker image inspect --format '{{index .Config.Labels "org.mlci.recipe"}}' "$1" 2>/dev/null)" || return 1
  [[ $got == "$2" ]]
}

# Print "apt-get download" of PKG into the current dir; refresh the package
# lists once if apt does not know the package yet (fresh machine).
apt_download() { # pkg
  apt-get -o DPkg::Lock::Timeout=300 download "$1" >/dev/null 2>&1 && return 0
  log "apt-get download $1 failed; running apt-get update and retrying"
  apt-get -o DPkg::Lock::Timeout=300 update -qq || die "apt-get update failed"
  apt-get -o DPkg::Lock::Timeout=300 download "$1" || die "apt-get download $1 failed"
}

# --- busybox ----------------------------------------------------------------
build_busybox() {
  local ctx="$WORK/busybox" bin="$CACHE/busybox-static/busybox"
  mkdir -p "$ctx"
  if [[ ! -x $bin ]]; then
    mkdir -p "$WORK/deb" "$(dirname "$bin")"
    (cd "$WORK/deb" && apt_download busybox-static)
    dpkg -x "$WORK"/deb/busybox-static_*.deb "$WORK/deb/x"
    [[ -x $WORK/deb/x/bin/busybox ]] || die "busybox-static package has no bin/busybox"
    cp "$WORK/deb/x/bin/busybox" "$bin.tmp" && mv "$bin.tmp" "$bin"
  fi
  cp "$bin" "$ctx/busybox"
  cat >"$ctx/Dockerfile" <<EOF
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
ENV PATH=/bin
LABEL org.mlci.recipe="$BUSYBOX_RECIPE" org.mlci.source="Debian busybox-static"
CMD ["/bin/sh"]
EOF
  # (the newer docker CLI on PATH prints a "legacy builder is deprecated"
  # banner on stderr: keep it out of the log unless the build fails)
  docker build -q -t "$BUSYBOX_IMAGE" "$ctx" >"$WORK/build.log" 2>&1 || {
    cat "$WORK/build.log" >&2
    die "docker build of $BUSYBOX_IMAGE failed"
  }
}

if image_current "$BUSYBOX_IMAGE" "$BUSYBOX_RECIPE"; then
  log "$BUSYBOX_IMAGE: present, skipping"
else
  step "$BUSYBOX_IMAGE: build" build_busybox
fi

# --- python -----------------------------------------------------------------
# The Debian mirror apt already uses: first `URIs:` of a deb822 .sources file
# that is not the security archive (files renamed *.disabled-* are skipped by
# the glob), else the first `deb` line of the one-line format.
debian_mirror() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    uri="$(awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f")"
    if [[ -n $uri ]]; then printf '%s\n' "$uri"; return 0; fi
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    uri="$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($i !~ /security/) { print $i; exit } else break } }' "$f")"
    if [[ -n $uri ]]; then printf '%s\n' "$uri"; return 0; fi
  done
  return 1
}

build_python() {
  local rootfs="$WORK/rootfs" mirror
  mirror="$(debian_mirror)" || die "no Debian mirror found in /etc/apt/sources.list.d/*.sources nor /etc/apt/sources.list"
  "$MLCI_CI_DIR/apt.sh" debootstrap
  log "debootstrap bookworm from $mirror (takes ~50 s) ..."
  if ! debootstrap --variant=minbase --include=python3 bookworm "$rootfs" "$mirror" >"$WORK/debootstrap.log" 2>&1; then
    tail -n 20 "$WORK/debootstrap.log" >&2
    [[ -f $rootfs/debootstrap/debootstrap.log ]] && tail -n 20 "$rootfs/debootstrap/debootstrap.log" >&2
    die "debootstrap failed (mirror $mirror)"
  fi
  # Slim it down like the official -slim images: no docs, man pages, locales,
  # apt lists or caches, logs.
  rm -rf "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
    "$rootfs"/usr/share/locale/* "$rootfs"/usr/share/lintian \
    "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/var/cache/debconf/*-old \
    "$rootfs"/var/log/* "$rootfs"/debootstrap
  # Official python:* images have `python`; Debian's python3 does not.
  ln -sf python3 "$rootfs/usr/bin/python"
  chroot "$rootfs" /usr/bin/python -c 'import json' || die "python in the rootfs cannot import json"
  tar --numeric-owner -C "$rootfs" -c . | docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'ENV LANG=C.UTF-8' \
    -c 'CMD ["python3"]' \
    -c "LABEL org.mlci.recipe=$PYTHON_RECIPE" \
    -c 'LABEL org.mlci.source="Debian bookworm minbase + python3 (stand-in for python:3.12-slim)"' \
    - "$PYTHON_IMAGE" >/dev/null
}

PY_CACHE="$CACHE/$PYTHON_RECIPE.tar.gz"

save_python() {
  docker save "$PYTHON_IMAGE" | gzip -1 >"$PY_CACHE.tmp.$$"
  gzip -t "$PY_CACHE.tmp.$$"
  mv -f "$PY_CACHE.tmp.$$" "$PY_CACHE"
  log "cached $PY_CACHE ($(du -h "$PY_CACHE" | cut -f1))"
}

load_python() {
  if ! gzip -t "$PY_CACHE" 2>/dev/null; then
    log "WARNING: cache file $PY_CACHE is corrupt (gzip -t failed): deleting it, will rebuild"
    rm -f "$PY_CACHE"
    return 1
  fi
  if ! gzip -dc "$PY_CACHE" | docker load -q >/dev/null; then
    log "WARNING: docker load from $PY_CACHE failed: deleting it, will rebuild"
    rm -f "$PY_CACHE"
    return 1
  fi
  image_current "$PYTHON_IMAGE" "$PYTHON_RECIPE" || {
    log "WARNING: $PY_CACHE did not hold $PYTHON_IMAGE ($PYTHON_RECIPE): deleting it, will rebuild"
    rm -f "$PY_CACHE"
    return 1
  }
}

if image_current "$PYTHON_IMAGE" "$PYTHON_RECIPE"; then
  log "$PYTHON_IMAGE: present, skipping"
  [[ -s $PY_CACHE ]] || step "$PYTHON_IMAGE: save to cache" save_python
elif [[ -f $PY_CACHE ]] && step "$PYTHON_IMAGE: load from cache $PY_CACHE" load_python; then
  :
else
  step "$PYTHON_IMAGE: build with debootstrap" build_python
  step "$PYTHON_IMAGE: save to cache" save_python
fi
for alias in "${PYTHON_ALIASES[@]}"; do
  docker tag "$PYTHON_IMAGE" "$alias"
done

# Remove old cache files of earlier recipes.
find "$CACHE" -maxdepth 1 -name 'python-*.tar.gz*' ! -name "$PYTHON_RECIPE.tar.gz" -delete

# --- summary ----------------------------------------------------------------
for img in "$BUSYBOX_IMAGE" "$PYTHON_IMAGE" "${PYTHON_ALIASES[@]}"; do
  docker image inspect --format "{{.Id}} {{.Size}}" "$img" | {
    read -r id size
    log "$(printf '%-28s %s %6.1f MB' "$img" "${id:7:12}" "$(awk -v s="$size" 'BEGIN { print s / 1e6 }')")"
  }
done
