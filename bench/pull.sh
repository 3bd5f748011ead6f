#!/bin/bash
# Pull throughput: median wall time of pulling images from a throwaway
# loopback docker-registry into a fresh, empty store each run (`rsp --root A
# --runroot B pull`), over $BENCH_PULL_RUNS runs (default 3), side by side with
# `podman --root A --runroot B pull --tls-verify=false` (fresh store each run)
# when podman is installed, with the mean user and system time of each and
# rsp's time as a fraction of Podman's. $BENCH_PULL_IMAGES picks the images
# (default both):
#   big     a ~${BENCH_MB:-200} MB (compressed), 1 + ${BENCH_LAYERS:-4}-layer
#           image of random data: download, decompression and hashing.
#           Target: rsp under half of Podman's time.
#   debian  a Debian-like image of 5 layers made from the host's own files
#           (mkimage.py --host-debian: about 8 000 entries, 340 MB
#           unpacked): the cost of creating files. Target: rsp at most 0.4
#           of Podman's time.
# Runs rootless (re-execs as $BENCH_USER if started as root).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

runs=${BENCH_PULL_RUNS:-3}
start_registry

# pull_both NAME IMAGE: rsp, then podman, each into a fresh store per run
# (the last one's moved aside: see `stash` in lib.sh).
pull_both() {
  local name=$1 img=$2 s=$WORK/rsp
  stash rsp "$s"
  measure "pull $name: rsp (fresh store)" "$runs" 0 "$WORK/rsp.stash" \
    "$RSP --root $s/root --runroot $s/run pull $img"
  cpu_times "pull $name: rsp" "$WORK/$name-rsp.json"
  if have_podman; then
    podman_store "$WORK/podman"
    stash podman "$WORK/podman/root" "$WORK/podman/run"
    measure "pull $name: podman (fresh store)" "$runs" 0 "$WORK/podman.stash" \
      "$PODMAN pull -q --tls-verify=false $img"
    cpu_times "pull $name: podman" "$WORK/$name-podman.json"
    ratio "pull $name: rsp / podman" "$WORK/$name-rsp.json" "$WORK/$name-podman.json"
  else
    log "podman not installed: rsp only"
  fi
}

for image in ${BENCH_PULL_IMAGES:-big debian}; do
  case $image in
    big)
      log "building and pushing the ${BENCH_MB:-200} MB image"
      python3 "$BENCH_DIR/mkimage.py" "$REGISTRY" bench/big:latest \
        --big "${BENCH_MB:-200}" --layers "${BENCH_LAYERS:-4}" >/dev/null
      pull_both big "$REGISTRY/bench/big:latest"
      ;;
    debian)
      log "building and pushing the Debian-like image of the host's files"
      python3 "$BENCH_DIR/mkimage.py" "$REGISTRY" bench/debian:latest --host-debian >/dev/null
      pull_both debian "$REGISTRY/bench/debian:latest"
      ;;
    *) die "unknown image $image in BENCH_PULL_IMAGES (big, debian)" ;;
  esac
done
