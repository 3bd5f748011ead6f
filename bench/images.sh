#!/bin/bash
# Image management: median wall time of `save`, `load` and `push` of the
# ~${BENCH_MB:-200} MB (compressed), 1 + ${BENCH_LAYERS:-4}-layer image, over
# $BENCH_RUNS runs (default 5), side by side with Podman when installed.
#   - save: docker-archive to a file (removed before each run);
#   - load: that archive into a store that does not have the image;
#   - push (cold): to a loopback docker-registry whose storage is emptied
#     before each run, gzip; also zstd for rsp;
#   - push (warm): again, every blob already there (HEAD checks only);
#   - push (cold) of an image of ${BENCH_TEXT_FILES:-40000} small text files,
#     where compression, not the upload, is the work.
# Target: rsp faster than Podman on each. Runs rootless (re-execs as
# $BENCH_USER if started as root).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

runs=${BENCH_RUNS:-5}
start_registry
log "building and pushing the ${BENCH_MB:-200} MB image"
python3 "$BENCH_DIR/mkimage.py" "$REGISTRY" bench/big:latest \
  --big "${BENCH_MB:-200}" --layers "${BENCH_LAYERS:-4}" >/dev/null
img=$REGISTRY/bench/big:latest
# The big image is random data, which deflate cannot shrink; this one is
# small text files (and a tar of them), where compression does the work.
python3 "$BENCH_DIR/mkimage.py" "$REGISTRY" bench/text:latest \
  --tree "${BENCH_TEXT_FILES:-40000}" --tree-layers 3 >/dev/null
text=$REGISTRY/bench/text:latest
dest=$REGISTRY/bench/pushed:latest
empty_registry="rm -rf $WORK/registry/docker/registry/v2/repositories/bench/pushed $WORK/registry/docker/registry/v2/blobs"

R="$RSP --root $WORK/rsp/root --runroot $WORK/rsp/run"
R2="$RSP --root $WORK/rsp2/root --runroot $WORK/rsp2/run"
# Both pull before any push: a cold push empties the registry's blob store,
# the source image's included.
$R pull -q "$img" >/dev/null
$R pull -q "$text" >/dev/null
if have_podman; then
  podman_store "$WORK/podman"
  P=$PODMAN
  podman_store "$WORK/podman2"
  P2=$PODMAN
  $P pull -q --tls-verify=false "$img" >/dev/null
  $P pull -q --tls-verify=false "$text" >/dev/null
else
  log "podman not installed: rsp only"
fi

measure "save: rsp" "$runs" 1 "rm -f $WORK/rsp.tar" "$R save -o $WORK/rsp.tar $img"
have_podman && measure "save: podman" "$runs" 1 "rm -f $WORK/podman.tar" \
  "$P save -q -o $WORK/podman.tar $img"
measure "load: rsp" "$runs" 0 "rm -rf $WORK/rsp2" "$R2 load -q -i $WORK/rsp.tar"
have_podman && measure "load: podman" "$runs" 0 "$WORK/podman2.reset" \
  "$P2 load -q -i $WORK/podman.tar"
measure "push gzip, cold: rsp" "$runs" 0 "$empty_registry" "$R push -q $img $dest"
have_podman && measure "push gzip, cold: podman" "$runs" 0 "$empty_registry" \
  "$P push -q --tls-verify=false $img $dest"
measure "push gzip, cold, text image: rsp" "$runs" 0 "$empty_registry" "$R push -q $text $dest"
have_podman && measure "push gzip, cold, text image: podman" "$runs" 0 "$empty_registry" \
  "$P push -q --tls-verify=false $text $dest"
measure "push gzip, warm: rsp" "$runs" 1 "" "$R push -q $img $dest"
have_podman && measure "push gzip, warm: podman" "$runs" 1 "" \
  "$P push -q --tls-verify=false $img $dest"
measure "push zstd, cold: rsp" "$runs" 0 "$empty_registry" \
  "$R push -q --compression-format zstd $img $dest"
have_podman && measure "push zstd, cold: podman" "$runs" 0 "$empty_registry" \
  "$P push -q --tls-verify=false --compression-format zstd $img $dest"
true
