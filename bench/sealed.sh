#!/bin/bash
# The cost of the write-protected image of rsp that a container's
# processes run from (issue 14): median and minimum time to make rsp's
# read-only detached mount of the binary, against a sealed memfd copy
# (runc's way, rsp's fallback), over $BENCH_RUNS runs (default 100), on
# the rsp binary under test; and the memory each keeps while a container
# runs. Then `run --rm true` and `exec true`, whose figures include it,
# come from bench/run.sh and bench/lifecycle.sh. Runs rootless (re-execs
# as $BENCH_USER if started as root).
set -euo pipefail
find_bench() {
  find "$(dirname "$0")/../target/release/deps" -maxdepth 1 -name 'sealed-*' ! -name '*.d' \
    -perm -u+x -printf '%T@ %p\n' 2>/dev/null | sort -rn | head -1 | cut -d' ' -f2-
}
# Built while still the tree's owner, before lib.sh drops root.
if [[ -z $(find_bench) ]]; then
  (cd "$(dirname "$0")/.." && cargo bench -p rsp-sys --bench sealed --no-run >&2)
fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

runs=${BENCH_RUNS:-100}
bench=$(find_bench)
[[ -x $bench ]] || die "build the benchmark first: cargo bench -p rsp-sys --bench sealed --no-run"
"$bench" "$RSP" "$runs"
