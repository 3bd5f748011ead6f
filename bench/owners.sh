#!/bin/bash
# Cost of ownership emulation (--owners image, seccomp user notification):
# median wall time of `rsp start -a` of a container whose command runs
# `ls -lR` over a tree of $BENCH_FILES files (default 5000, 20 dirs) three
# times, with --owners user (no filter), --owners image on a tree without
# records (every stat goes to the supervisor and back to the kernel) and
# --owners image on a tree where every file has a record (every stat is
# answered by the supervisor). Container start-up is in all three: the
# difference is the emulation. Runs rootless (re-execs as $BENCH_USER if
# started as root).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

runs=${BENCH_RUNS:-10}
files=${BENCH_FILES:-5000}
start_registry
python3 "$BENCH_DIR/mkimage.py" "$REGISTRY" bench/busybox:latest >/dev/null
img=$REGISTRY/bench/busybox:latest
rsp="$RSP --root $WORK/rsp/root --runroot $WORK/rsp/run"
$rsp pull "$img" >"$WORK/rsp-pull.log" 2>&1 || die "rsp pull failed: $(cat "$WORK/rsp-pull.log")"

per=$((files / 20))
# First start: make the tree (and its records, when asked); later: list it.
script() {
  cat <<SH
if test -e /tree; then ls -lR /tree >/dev/null; ls -lR /tree >/dev/null; ls -lR /tree >/dev/null; exit 0; fi
d=0; while test \$d -lt 20; do mkdir -p /tree/d\$d; cd /tree/d\$d; f=0
  while test \$f -lt $per; do : > f\$f; f=\$((f+1)); done; d=\$((d+1)); done
$1
SH
}
$rsp create --network none --name user --owners user "$img" sh -c "$(script :)" >/dev/null
$rsp create --network none --name plain --owners image "$img" sh -c "$(script :)" >/dev/null
$rsp create --network none --name records --owners image "$img" sh -c "$(script '/bin/busybox chown -R 33:33 /tree')" >/dev/null
for c in user plain records; do $rsp start -a $c >/dev/null; done
measure "owners: ls -lR x3 over $files files, --owners user" "$runs" 1 "" "$rsp start -a user"
measure "owners: ls -lR x3 over $files files, --owners image, no records" "$runs" 1 "" "$rsp start -a plain"
measure "owners: ls -lR x3 over $files files, --owners image, all recorded" "$runs" 1 "" "$rsp start -a records"
