#!/bin/bash
# The cost of rsp's FUSE overlay (the fuse-overlay driver) for
# metadata-heavy work: stat and readdir storms over 100 directories of 100
# files in two layers, through a real mount made as a container makes it
# (in `unshare -Urm`) against the same layers read from disk. Prints the
# first pass through the fresh mount and the median and minimum of the
# later passes, over $BENCH_RUNS passes (default 5), in ms. The whole-driver
# figures, containers included, come from bench/storage.sh. Runs rootless
# (re-execs as $BENCH_USER if started as root); needs /dev/fuse.
set -euo pipefail
find_bench() {
  find "$(dirname "$0")/../target/release/deps" -maxdepth 1 -name 'fuse-*' ! -name '*.d' \
    -perm -u+x -printf '%T@ %p\n' 2>/dev/null | sort -rn | head -1 | cut -d' ' -f2-
}
# Built while still the tree's owner, before lib.sh drops root.
if [[ -z $(find_bench) ]]; then
  (cd "$(dirname "$0")/.." && cargo bench -p rsp-storage --bench fuse --no-run >&2)
fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

runs=${BENCH_RUNS:-5}
bench=$(find_bench)
[[ -x $bench ]] || die "build the benchmark first: cargo bench -p rsp-storage --bench fuse --no-run"
# Its tree goes in the work dir, removed at exit whatever happens.
TMPDIR=$WORK "$bench" "$runs"
