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
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

runs=${BENCH_RUNS:-100}
bench=$(ls -t "$ROOT_DIR"/target/release/deps/sealed-* 2>/dev/null | grep -v '\.d$' | head -1 || true)
[[ -x $bench ]] || die "build the benchmark first, as its owner: cargo bench --bench sealed --no-run"
"$bench" "$RSP" "$runs"
