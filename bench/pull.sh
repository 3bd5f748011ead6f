#!/bin/bash
# Pull throughput: median wall time of pulling a ~${BENCH_MB:-200} MB
# (compressed), 1 + ${BENCH_LAYERS:-4}-layer image from a throwaway loopback
# docker-registry into a fresh, empty store each run (`rsp --root A
# --runroot B pull`), over $BENCH_PULL_RUNS runs (default 3), side by side with
# `podman --root A --runroot B pull --tls-verify=false` (fresh store each run)
# when podman is installed. Target: rsp under half of Podman's time.
# Runs rootless (re-execs as $BENCH_USER if started as root).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

runs=${BENCH_PULL_RUNS:-3}
start_registry
log "building and pushing the ${BENCH_MB:-200} MB image"
python3 "$BENCH_DIR/mkimage.py" "$REGISTRY" bench/big:latest \
  --big "${BENCH_MB:-200}" --layers "${BENCH_LAYERS:-4}" >/dev/null
img=$REGISTRY/bench/big:latest

s=$WORK/rsp
measure "pull: rsp (fresh store)" "$runs" 0 "rm -rf $s" \
  "$RSP --root $s/root --runroot $s/run pull $img"

if have_podman; then
  podman_store "$WORK/podman"
  measure "pull: podman (fresh store)" "$runs" 0 "$WORK/podman.reset" \
    "$PODMAN pull -q --tls-verify=false $img"
else
  log "podman not installed: rsp only"
fi
