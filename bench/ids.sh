#!/bin/bash
# Cost of id emulation (issue 16; --owners image, the default, against
# --owners user), side by side with rootless Podman (which uses its
# /etc/subuid range: the setup script adds one for the bench user):
#   - start-up: `run --rm IMAGE true` of an image whose files carry
#     recorded owners (a uid-33 tree), and of one without;
#   - 10 000 `id -u` in a shell loop (a fork, an execve, id calls and an
#     exit_group each: every one of them trapped under emulation);
#   - one trapped call: 200 000 getuid() in a static C loop, median per call
#     (the round trip to the supervisor, printed by the program itself);
#   - `apt-get update` from an APT repository served on the host's loopback
#     (reached through 10.0.2.2 with allow_host_loopback): apt's sandbox
#     switches to _apt, which only the emulation (or Podman's subuids) allows;
#     with --owners user it runs with APT::Sandbox::User=root.
# The Debian image is made from the host's own installed packages (apt and
# what it needs), imported with `rsp import` and `podman import`.
# Runs rootless (re-execs as $BENCH_USER if started as root).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

runs=${BENCH_RUNS:-10}
start_registry
python3 "$BENCH_DIR/mkimage.py" "$REGISTRY" bench/busybox:latest >/dev/null
python3 "$BENCH_DIR/mkimage.py" "$REGISTRY" bench/owned:latest --tree 2000 --tree-owner 33 >/dev/null
bb=$REGISTRY/bench/busybox:latest
owned=$REGISTRY/bench/owned:latest
rsp="$RSP --root $WORK/rsp/root --runroot $WORK/rsp/run"
$rsp pull "$bb" >/dev/null 2>&1 || die "rsp pull $bb failed"
$rsp pull "$owned" >/dev/null 2>&1 || die "rsp pull $owned failed"
if have_podman; then
  podman_store "$WORK/podman"
  $PODMAN pull --tls-verify=false "$bb" >/dev/null 2>&1 || die "podman pull failed"
  $PODMAN pull --tls-verify=false "$owned" >/dev/null 2>&1 || die "podman pull failed"
fi

# ---- start-up ----
# RSP_BEFORE: an rsp built before the id emulation, measured the same way.
if [[ -n ${RSP_BEFORE:-} ]]; then
  before="$RSP_BEFORE --root $WORK/rsp/root --runroot $WORK/rsp/run"
  measure "ids: run --rm true, recorded owners, before" "$runs" 2 "" \
    "$before run --rm --network none $owned true"
  measure "ids: run --rm true, no records, before" "$runs" 2 "" \
    "$before run --rm --network none $bb true"
fi
for o in image user; do
  measure "ids: run --rm true, recorded owners, --owners $o" "$runs" 2 "" \
    "$rsp run --rm --network none --owners $o $owned true"
  measure "ids: run --rm true, no records, --owners $o" "$runs" 2 "" \
    "$rsp run --rm --network none --owners $o $bb true"
done
if have_podman; then
  measure "ids: podman run --rm true, recorded owners" "$runs" 1 "" \
    "$PODMAN run --rm --network none $owned true"
fi

# ---- 10 000 id -u ----
loop='i=0; while [ $i -lt 10000 ]; do id -u >/dev/null; i=$((i+1)); done'
for o in image user; do
  measure "ids: 10000 x id -u, --owners $o" 3 0 "" \
    "$rsp run --rm --network none --owners $o $bb sh -c '$loop'"
done
if have_podman; then
  measure "ids: podman 10000 x id -u" 3 0 "" \
    "$PODMAN run --rm --network none $bb sh -c '$loop'"
fi

# ---- one trapped call ----
cat >"$WORK/getuid.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
int main(void) {
    enum { BATCHES = 200, PER = 1000 };
    static double t[BATCHES];
    for (int b = 0; b < BATCHES; b++) {
        struct timespec s, e;
        clock_gettime(CLOCK_MONOTONIC, &s);
        for (int i = 0; i < PER; i++) syscall(SYS_getuid);
        clock_gettime(CLOCK_MONOTONIC, &e);
        t[b] = ((e.tv_sec - s.tv_sec) * 1e9 + (e.tv_nsec - s.tv_nsec)) / PER / 1000.0;
    }
    qsort(t, BATCHES, sizeof t[0], cmp);
    printf("%.2f\n", t[BATCHES / 2]);
    return 0;
}
C
cc -static -O2 -o "$WORK/getuid" "$WORK/getuid.c" || die "cc -static failed (gcc, libc6-dev)"
for o in image user; do
  us=$($rsp run --rm --network none --owners $o -v "$WORK/getuid:/getuid:ro" "$bb" /getuid)
  log "ids: one getuid(), --owners $o: median $us us"
  record "ids: one getuid() in us, --owners $o" "$us"
done
# A stat of a file with a record: the ownership path, for comparison.
if have_podman; then
  us=$($PODMAN run --rm --network none -v "$WORK/getuid:/getuid:ro" "$bb" /getuid)
  record "ids: podman one getuid() in us" "$us"
fi

# ---- apt-get update from a loopback repository ----
deb=$WORK/debian
debian_root_tar "$deb"
$rsp import -q "$deb/root.tar" localhost/bench-debian >/dev/null || die "rsp import failed"
# The repository: one package, served by python3's http.server on loopback.
repo=$WORK/repo
mkdir -p "$repo/pkg/DEBIAN" "$repo/pkg/usr/share/bench-hello" "$repo/www"
printf 'Package: bench-hello\nVersion: 1.0\nArchitecture: all\nMaintainer: bench <b@localhost>\nDescription: bench\n' \
  >"$repo/pkg/DEBIAN/control"
echo hello >"$repo/pkg/usr/share/bench-hello/hello"
dpkg-deb --root-owner-group --build "$repo/pkg" "$repo/www/bench-hello_1.0_all.deb" >/dev/null
(cd "$repo/www" && dpkg-scanpackages . /dev/null 2>/dev/null >Packages && gzip -k Packages &&
  printf 'Origin: bench\nLabel: bench\nSuite: bench\nCodename: bench\n' >Release)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$repo/www" && exec python3 -m http.server --bind 127.0.0.1 "$port" >/dev/null 2>&1) &
http_pid=$!
trap 'kill $http_pid 2>/dev/null; cleanup' EXIT
for ((i = 0; i < 100; i++)); do curl -sf "http://127.0.0.1:$port/Release" >/dev/null && break; sleep 0.1; done
net=slirp4netns:allow_host_loopback=true
update="echo 'deb [trusted=yes] http://10.0.2.2:$port/ ./' >/etc/apt/sources.list && apt-get -q update"
measure "ids: apt-get update, --owners image" 5 1 "" \
  "$rsp run --rm --network $net --owners image localhost/bench-debian sh -c \"$update\""
out=$($rsp run --rm --network $net localhost/bench-debian sh -c "$update && ls /var/lib/apt/lists" 2>&1) ||
  die "apt-get update failed: $out"
grep -q Packages <<<"$out" || die "apt-get update fetched no Packages: $out"
measure "ids: apt-get update, --owners user, sandbox off" 5 1 "" \
  "$rsp run --rm --network $net --owners user localhost/bench-debian sh -c \"$update -o APT::Sandbox::User=root\""
if have_podman; then
  $PODMAN import -q "$deb/root.tar" localhost/bench-debian >/dev/null || die "podman import failed"
  measure "ids: podman apt-get update" 5 1 "" \
    "$PODMAN run --rm --network $net localhost/bench-debian sh -c \"$update\""
fi
