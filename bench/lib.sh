# shellcheck shell=bash
# Helpers shared by the benchmark scripts (sourced, not run):
#   - locate/build the rsp binary ($RSP, default target/release/rsp)
#   - drop root: re-exec the calling script as $BENCH_USER (default rsptest)
#   - a throwaway work dir, a loopback docker-registry, podman isolation,
#     everything removed at exit
#   - measure: median wall time of a command (hyperfine, or a bash loop if
#     hyperfine is missing or HYPERFINE=none)

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_DIR=$(dirname "$BENCH_DIR")
BENCH_USER=${BENCH_USER:-rsptest}
RSP=${RSP:-$ROOT_DIR/target/release/rsp}
[[ $RSP == /* ]] || RSP=$PWD/$RSP

log() { echo "[bench] $*" >&2; }
die() { log "error: $*"; exit 1; }

# Build rsp if missing (as whoever we are now, i.e. before dropping root).
ensure_rsp() {
  if [[ ! -x $RSP ]]; then
    [[ $RSP == "$ROOT_DIR/target/release/rsp" ]] || die "RSP=$RSP is not executable"
    log "building $RSP (cargo build --release)"
    (cd "$ROOT_DIR" && cargo build --release >&2)
  fi
}

# If root: build rsp, set podman up for $BENCH_USER, re-exec "$@" (the script
# and its arguments) as that user with a clean environment.
drop_root() {
  ensure_rsp
  [[ $(id -u) -eq 0 ]] || return 0
  id "$BENCH_USER" >/dev/null 2>&1 || die "no user $BENCH_USER (set BENCH_USER)"
  "$BENCH_DIR/setup-podman.sh"
  local home script
  script=$BENCH_DIR/$(basename "$1"); shift
  # The binary and scripts must be readable by the user.
  chmod a+rx "$RSP" "$BENCH_DIR"/*.sh "$BENCH_DIR"/mkimage.py
  setpriv --reuid="$BENCH_USER" --regid="$BENCH_USER" --init-groups test -x "$RSP" -a -r "$script" ||
    die "$BENCH_USER cannot reach $RSP or $script (directory permissions?)"
  home=$(getent passwd "$BENCH_USER" | cut -d: -f6)
  log "running as $BENCH_USER"
  cd / && exec setpriv --reuid="$BENCH_USER" --regid="$BENCH_USER" --init-groups \
    env -i HOME="$home" USER="$BENCH_USER" LOGNAME="$BENCH_USER" \
    PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin TERM="${TERM:-dumb}" \
    RSP="$RSP" RSP_BEFORE="${RSP_BEFORE:-}" BENCH_RUNS="${BENCH_RUNS:-}" BENCH_RESULTS="${BENCH_RESULTS:-}" \
    BENCH_PULL_RUNS="${BENCH_PULL_RUNS:-}" BENCH_PULL_IMAGES="${BENCH_PULL_IMAGES:-}" BENCH_MB="${BENCH_MB:-}" \
    BENCH_LAYERS="${BENCH_LAYERS:-}" BENCH_TEXT_FILES="${BENCH_TEXT_FILES:-}" DRIVERS="${DRIVERS:-}" BIG_MB="${BIG_MB:-}" \
    STORAGE_WORKLOADS="${STORAGE_WORKLOADS:-}" NET_ONLY="${NET_ONLY:-}" NET_USER="${NET_USER:-}" \
    HYPERFINE="${HYPERFINE:-}" "$script" "$@"
}

have_podman() { command -v podman >/dev/null 2>&1; }

# Sourcing this file re-executes the calling script as $BENCH_USER if root.
drop_root "$0" "$@"

# Work dir + cleanup. Podman gets a private XDG_RUNTIME_DIR so that its
# rootless pause process is ours to stop at exit.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rsp-bench.XXXXXX")
export XDG_RUNTIME_DIR=$WORK/xdg
mkdir -m 700 "$XDG_RUNTIME_DIR"
REG_PID=
PODMAN_STORES=()

cleanup() {
  set +e
  [[ -n $REG_PID ]] && kill "$REG_PID" 2>/dev/null && wait "$REG_PID" 2>/dev/null
  local s pids
  # Podman's rootless pause processes (pid files in each --tmpdir): stop last.
  pids=$(cat "$WORK"/*/tmp/pause.pid 2>/dev/null)
  for s in "${PODMAN_STORES[@]}"; do "$s.reset"; done
  # Stashed stores (see `stash`): podman's hold files of its subuids.
  if [[ -d $WORK/trash ]]; then
    [[ -z ${PODMAN:-} ]] || $PODMAN unshare rm -rf "$WORK/trash" 2>/dev/null
    rm -rf "$WORK/trash" 2>/dev/null
  fi
  pids+=" $(cat "$WORK"/*/tmp/pause.pid 2>/dev/null)"
  for s in $pids; do kill "$s" 2>/dev/null; done
  rm -rf "$WORK" 2>/dev/null || log "could not fully remove $WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# podman_store DIR: sets $PODMAN to a podman command line using an isolated
# overlay store under DIR (without --storage-driver, podman picks vfs here
# when --root is given), and writes DIR.reset, which empties the store. The
# store goes at exit.
podman_store() {
  # shellcheck disable=SC2034 # used by the sourcing scripts
  PODMAN="podman --storage-driver overlay --root $1/root --runroot $1/run --tmpdir $1/tmp"
  PODMAN_STORES+=("$1")
  # Files owned by subuids need `podman unshare`; the overlay home stays
  # mounted in podman's namespace, so plain rm gets the busy leftover dir.
  printf '#!/bin/sh\n%s unshare rm -rf %s %s 2>/dev/null; rm -rf %s %s\n' \
    "$PODMAN" "$1/root" "$1/run" "$1/root" "$1/run" >"$1.reset"
  chmod +x "$1.reset"
}

# stash NAME DIR...: writes $WORK/NAME.stash, which moves the DIRs (those
# that exist) out of the way into a new directory under $WORK/trash, all
# removed at exit: a prepare step for runs that need a fresh store. Not
# `rm -rf`: on a journal-less ext4 (as on this VM's disk) the kernel avoids
# reusing inodes deleted in the last minute, scanning past every one of
# them for each new inode, so creating 8 000 files right after deleting
# 8 000 costs seconds of system time in the allocator
# (`find_inode_bit`/`recently_deleted` in a profile) whoever creates them.
stash() {
  local name=$1
  shift
  printf '#!/bin/sh\nt=%s/trash/%s.$(date +%%s%%N)\nmkdir -p "$t"\nfor d in %s; do [ ! -e "$d" ] || mv "$d" "$t"/; done\n' \
    "$WORK" "$name" "$*" >"$WORK/$name.stash"
  chmod +x "$WORK/$name.stash"
}

# Start docker-registry on a free loopback port; sets REGISTRY=127.0.0.1:PORT.
start_registry() {
  command -v docker-registry >/dev/null || die "docker-registry not installed (apt-get install docker-registry)"
  local port i
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$WORK/registry"
  cat >"$WORK/registry.yml" <<EOF
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $WORK/registry}}
http: {addr: 127.0.0.1:$port}
EOF
  docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
  REG_PID=$!
  REGISTRY=127.0.0.1:$port
  for ((i = 0; i < 100; i++)); do
    curl -sf "http://$REGISTRY/v2/" >/dev/null && return 0
    kill -0 "$REG_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$WORK/registry.log" >&2
  die "registry did not start"
}

# record LABEL MEDIAN [MIN]: print, and append to $BENCH_RESULTS for all.sh.
record() {
  printf '%-40s median %8s ms   min %8s ms\n' "$1" "$2" "${3:--}"
  [[ -z ${BENCH_RESULTS:-} ]] || printf '%s\t%s\t%s\n' "$1" "$2" "${3:--}" >>"$BENCH_RESULTS"
}

# measure LABEL RUNS WARMUP PREPARE CMD: records the median and minimum wall
# time of CMD in ms (PREPARE, untimed, runs before each run; may be empty).
# A smoke run first: if CMD fails, its error is shown and FAIL recorded.
measure() {
  local label=$1 runs=$2 warmup=$3 prep=$4 cmd=$5 out
  log "$label: $cmd"
  [[ -z $prep ]] || eval "$prep" >/dev/null 2>&1
  if ! out=$(eval "$cmd" 2>&1); then
    log "$label FAILED: $out"
    record "$label" FAIL
    return 0
  fi
  if command -v "${HYPERFINE:-hyperfine}" >/dev/null; then
    "${HYPERFINE:-hyperfine}" -N --style basic --warmup "$warmup" --runs "$runs" \
      ${prep:+--prepare "$prep"} --export-json "$WORK/h.json" "$cmd" >&2 || { record "$label" FAIL; return 0; }
    # shellcheck disable=SC2046 # two numbers
    record "$label" $(python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("%.1f %.1f" % (r["median"] * 1000, r["min"] * 1000))' "$WORK/h.json")
  else
    local i t0 t1 times=()
    for ((i = 0; i < warmup + runs; i++)); do
      [[ -z $prep ]] || eval "$prep" >/dev/null 2>&1
      t0=$(date +%s%N)
      eval "$cmd" >/dev/null 2>&1 || { record "$label" FAIL; return 0; }
      t1=$(date +%s%N)
      ((i < warmup)) || times+=($(((t1 - t0) / 1000)))
    done
    # shellcheck disable=SC2046 # two numbers
    record "$label" $(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR] = $1}
      END {m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f %.1f", m / 1000, a[1] / 1000}')
  fi
}

# cpu_times LABEL COPY: after `measure` with hyperfine, prints the mean user
# and system time of its runs and keeps its results as COPY (for `ratio`).
cpu_times() {
  [[ -e $WORK/h.json ]] || return 0
  mv "$WORK/h.json" "$2"
  python3 -c 'import json, sys
r = json.load(open(sys.argv[2]))["results"][0]
print("%-40s user %8.1f ms   sys %8.1f ms   (means)" % (sys.argv[1], r["user"] * 1000, r["system"] * 1000))' "$1" "$2"
}

# ratio LABEL A B: the median wall time of A's results over B's (copies
# made by cpu_times).
ratio() {
  [[ -e $2 && -e $3 ]] || return 0
  python3 -c 'import json, sys
a, b = (json.load(open(f))["results"][0]["median"] for f in sys.argv[2:4])
print("%-40s %.2f" % (sys.argv[1], a / b))' "$@"
}

# debian_root_tar DIR [PACKAGE...]: DIR/root.tar, a Debian image made from
# the host's own installed files: apt, a shell and the base system, plus
# PACKAGEs and what they depend on. Paths are stored as the host resolves
# their parents (on a merged-usr host /bin/bash is usr/bin/bash and /bin
# stays a symlink), one entry per path (Podman refuses a layer with
# duplicates), docs left out. The image gets its own passwd, group, shadow
# and gshadow (system users only), dpkg status, an empty sources.list and
# the _apt-owned partial directory apt's sandbox needs.
debian_root_tar() {
  local deb=$1 pkgs apt_uid
  shift
  mkdir -p "$deb"
  pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances --installed apt dash bash coreutils base-files base-passwd sed \
    grep gzip findutils debianutils "$@" 2>/dev/null | grep -v '^[ <]' | sort -u)
  # shellcheck disable=SC2086 # a list of package names
  { dpkg-query -L $pkgs 2>/dev/null || true; } | grep -v -e '^/usr/share/\(doc\|man\|locale\|info\)' \
    -e '^/etc/\(shadow\|gshadow\)' -e 'diverted by' -e 'package diverts' |
    python3 -c 'import os, sys
for p in sys.stdin.read().split("\n"):
    if p.startswith("/"):
        print(os.path.join(os.path.realpath(os.path.dirname(p)), os.path.basename(p)))' |
    sort -u >"$deb/files"
  # Files only root can read are left out (the image gets its own shadow).
  mkdir -p "$deb/extra/etc/apt" "$deb/extra/tmp" "$deb/extra/root" "$deb/extra/home" \
    "$deb/extra/var/lib/apt/lists/partial" "$deb/extra/var/cache/apt/archives/partial" "$deb/extra/var/lib/dpkg"
  chmod 1777 "$deb/extra/tmp"
  awk -F: '$3 < 1000 || $3 == 65534' /etc/passwd >"$deb/extra/etc/passwd"
  awk -F: '$3 < 1000 || $3 == 65534' /etc/group >"$deb/extra/etc/group"
  cut -d: -f1 "$deb/extra/etc/passwd" | sed 's/$/:*:19000:0:99999:7:::/' >"$deb/extra/etc/shadow"
  cut -d: -f1 "$deb/extra/etc/group" | sed 's/$/:*::/' >"$deb/extra/etc/gshadow"
  chmod 640 "$deb/extra/etc/shadow" "$deb/extra/etc/gshadow"
  cp /var/lib/dpkg/status "$deb/extra/var/lib/dpkg/status"
  : >"$deb/extra/etc/apt/sources.list"
  # The image's own files replace the host's.
  (cd "$deb/extra" && find . -mindepth 1 | sed 's|^\./||' | sort) >"$deb/extra.list"
  sed 's|^|/|' "$deb/extra.list" | grep -vxF -f - "$deb/files" >"$deb/host.list" || true
  (cd / && tar --no-recursion --ignore-failed-read -cf "$deb/root.tar" -T "$deb/host.list" 2>/dev/null) || true
  apt_uid=$(getent passwd _apt | cut -d: -f3)
  grep -vx 'var/lib/apt/lists/partial' "$deb/extra.list" |
    tar -C "$deb/extra" --owner=0 --group=0 --no-recursion -rf "$deb/root.tar" -T -
  tar -C "$deb/extra" --owner="$apt_uid" --group=0 --no-recursion -rf "$deb/root.tar" var/lib/apt/lists/partial
}
