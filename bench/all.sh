#!/bin/bash
# Runs every benchmark (run.sh: container start-up latency, pull.sh: pull of
# a ~200 MB multi-layer image) and prints a summary table of median wall
# times, rsp and podman side by side. Runs rootless (re-execs as $BENCH_USER
# if started as root). BENCH_RUNS overrides both scripts' run counts.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

export BENCH_RESULTS=$WORK/results.tsv RSP
: >"$BENCH_RESULTS"
"$BENCH_DIR/run.sh" || log "run.sh failed"
"$BENCH_DIR/pull.sh" || log "pull.sh failed"

echo
echo "== rsp benchmark summary (median wall time, ms; $(id -un), $(date -u +%FT%TZ)) =="
printf '%-44s %10s\n' benchmark "median ms"
awk -F'\t' '{printf "%-44s %10s\n", $1, $2}' "$BENCH_RESULTS"
