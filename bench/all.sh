#!/bin/bash
# Runs every benchmark (run.sh: container start-up latency, pull.sh: pulls of
# a ~200 MB multi-layer image and of a Debian-like one of 8 000 files, lifecycle.sh: run -d/stop/rm, exec, monitor
# memory, images.sh: save, load and push of the ~200 MB image) and prints a summary table of wall times
# (median and min, ms), rsp and podman side by side; then net.sh (network
# throughput, connection rate and memory, with its own table) and storage.sh
# (file-heavy workloads on each storage driver beside fuse-overlayfs, with
# its own table).
#
#   [RSP=path/to/rsp] bench/all.sh      (default target/release/rsp, built
#                                        with cargo build --release if missing)
# As root it runs bench/setup-podman.sh, then re-execs as $BENCH_USER
# (default rsptest) so that the figures are rootless. Knobs: BENCH_RUNS
# (run.sh, 20), BENCH_PULL_RUNS (pull.sh, 3), BENCH_MB (200), BENCH_LAYERS
# (4), HYPERFINE=none (time with a bash loop instead of hyperfine), DRIVERS
# and BIG_MB (storage.sh). net.sh and storage.sh run with their own defaults
# of 3 and 5 runs whatever BENCH_RUNS says.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

export BENCH_RESULTS=$WORK/results.tsv RSP
: >"$BENCH_RESULTS"
log "load average at start: $(cut -d" " -f1-3 /proc/loadavg)"
"$BENCH_DIR/run.sh" || log "run.sh failed"
"$BENCH_DIR/pull.sh" || log "pull.sh failed"
"$BENCH_DIR/lifecycle.sh" || log "lifecycle.sh failed"
"$BENCH_DIR/images.sh" || log "images.sh failed"

echo
echo "== rsp benchmarks: wall time in ms ($(id -un), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)) =="
printf '%-40s %10s %10s\n' benchmark median min
awk -F'\t' '{printf "%-40s %10s %10s\n", $1, $2, $3}' "$BENCH_RESULTS"

echo
BENCH_RUNS='' "$BENCH_DIR/net.sh" || log "net.sh failed"

echo
BENCH_RUNS='' "$BENCH_DIR/storage.sh" || log "storage.sh failed"
