#!/bin/bash
# Issue 18's property ("fuzz") tests with many more cases than `cargo test`
# runs by default: the layer unpacker, image references and configs,
# registry manifests and indexes, the Dockerfile parser and the network
# stack's frame handling (every test named issue18_* that uses
# rsp_base::testing::fuzz). The tests and their properties are the unit
# tests' own; this only turns up RSP_FUZZ_CASES and builds in release mode.
#
#   bench/fuzz.sh [CASES]     CASES per target (default 200000)
#
# RSP_FUZZ_SEED=S explores other inputs (default 0, as in `cargo test`).
# A failing case prints its number; rerun it alone with
# RSP_FUZZ_SEED=S RSP_FUZZ_CASE=N and the same command.
# CARGO_TARGET_DIR is honoured. The crates are built and run one at a time
# (a machine of 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."

export RSP_FUZZ_CASES=${1:-200000}
export RSP_FUZZ_SEED=${RSP_FUZZ_SEED:-0}
crates=(rsp-storage rsp-image rsp-registry rsp-build rsp-net)
echo "fuzz: $RSP_FUZZ_CASES cases per target, seed $RSP_FUZZ_SEED"
for crate in "${crates[@]}"; do
    start=$(date +%s)
    cargo test --release -q -p "$crate" --lib issue18_ -- --test-threads 2
    echo "fuzz: $crate done in $(($(date +%s) - start)) s"
done
