#!/bin/bash
# Container start-up latency: median wall time of `rsp run --rm IMAGE true`
# (its default network, slirp, and --network none) over $BENCH_RUNS runs
# (default 20), side by side
# with `podman run --rm IMAGE true` (default rootless network, slirp4netns)
# and `podman run --rm --network none IMAGE true` when podman is installed.
# The busybox image is served by a throwaway loopback registry and pulled
# into throwaway stores first. Target: rsp <= 20 ms. Also what issue 18's
# capability and seccomp defaults add (target: at most 1 ms). Runs
# rootless (re-execs as $BENCH_USER if started as root).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

runs=${BENCH_RUNS:-20}
start_registry
python3 "$BENCH_DIR/mkimage.py" "$REGISTRY" bench/busybox:latest >/dev/null
img=$REGISTRY/bench/busybox:latest

rsp="$RSP --root $WORK/rsp/root --runroot $WORK/rsp/run"
$rsp pull "$img" >"$WORK/rsp-pull.log" 2>&1 || log "rsp pull failed: $(cat "$WORK/rsp-pull.log")"
measure "run: rsp (default slirp network)" "$runs" 2 "" "$rsp run --rm $img true"
measure "run: rsp --network none" "$runs" 2 "" "$rsp run --rm --network none $img true"
# What the hardening defaults cost (issue 18): the same with every
# capability and no seccomp filter (today's defaults against the old
# ones), and with the compiled seccomp program thrown away before each run.
measure "run: rsp --network none, no capability limits, no seccomp" "$runs" 2 "" \
  "$rsp run --rm --network none --cap-add ALL --security-opt seccomp=unconfined $img true"
measure "run: rsp --network none, seccomp program compiled each time" "$runs" 2 \
  "rm -rf $WORK/rsp/run/seccomp" "$rsp run --rm --network none $img true"

if have_podman; then
  podman_store "$WORK/podman"
  $PODMAN pull -q --tls-verify=false "$img" >/dev/null 2>"$WORK/podman-pull.log" ||
    die "podman pull failed: $(cat "$WORK/podman-pull.log")"
  measure "run: podman --network none" "$runs" 2 "" "$PODMAN run --rm --network none $img true"
  measure "run: podman (default network)" "$runs" 2 "" "$PODMAN run --rm $img true"
else
  log "podman not installed: rsp only"
fi
