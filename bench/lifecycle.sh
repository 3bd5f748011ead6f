#!/bin/bash
# Detached-container lifecycle (issue 3), side by side with podman when it
# is installed:
#   - one `run -d IMAGE sleep 600` + `stop -t 0` + `rm` cycle (median wall
#     time over $BENCH_RUNS runs, default 20); target: a fifth of podman's;
#   - `exec CONTAINER true` on a running container; same target;
#   - the resident memory (VmRSS, and Pss) of one idle monitor (rsp's own,
#     conmon for podman) a few seconds after start; target <= 4 MiB.
# Runs rootless (re-execs as $BENCH_USER if started as root).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

runs=${BENCH_RUNS:-20}
start_registry
python3 "$BENCH_DIR/mkimage.py" "$REGISTRY" bench/busybox:latest >/dev/null
img=$REGISTRY/bench/busybox:latest

# kib PID FIELD: a field of /proc/PID/status or smaps_rollup, in KiB.
kib() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status" "/proc/$1/smaps_rollup" 2>/dev/null | head -1; }

# record_mem LABEL PID
record_mem() {
  local rss pss
  rss=$(kib "$2" VmRSS)
  pss=$(kib "$2" Pss)
  printf '%-40s VmRSS %6s KiB   Pss %6s KiB\n' "$1" "${rss:-?}" "${pss:-?}"
  [[ -z ${BENCH_RESULTS:-} ]] || printf '%s\t%s KiB\t%s KiB\n' "$1 (RSS, Pss)" "${rss:-?}" "${pss:-?}" >>"$BENCH_RESULTS"
}

# cycle_script NAME ENGINE-COMMAND: a script doing one run -d/stop/rm cycle
# (hyperfine runs commands without a shell; both engines pay for the same
# bash start).
cycle_script() {
  printf '#!/bin/bash\nset -e\nid=$(%s run -d %s %s sleep 600)\n%s stop -t 0 "$id" >/dev/null\n%s rm "$id" >/dev/null\n' \
    "$2" "$3" "$img" "$2" "$2" >"$WORK/$1"
  chmod +x "$WORK/$1"
  echo "$WORK/$1"
}

rsp="$RSP --root $WORK/rsp/root --runroot $WORK/rsp/run"
$rsp pull "$img" >"$WORK/rsp-pull.log" 2>&1 || die "rsp pull failed: $(cat "$WORK/rsp-pull.log")"
measure "run -d + stop -t 0 + rm: rsp" "$runs" 2 "" "$(cycle_script cycle-rsp "$rsp" "")"
measure "run -d + stop -t 0 + rm: rsp --network none" "$runs" 2 "" "$(cycle_script cycle-rsp-none "$rsp" "--network none")"
$rsp run -d --name bench-exec "$img" sleep 600 >/dev/null
measure "exec true: rsp" "$runs" 2 "" "$rsp exec bench-exec true"
sleep 2
record_mem "idle monitor: rsp (with its network stack)" "$($rsp inspect --format '{{.State.ConmonPid}}' bench-exec)"
$rsp rm -f bench-exec >/dev/null

if have_podman; then
  podman_store "$WORK/podman"
  $PODMAN pull -q --tls-verify=false "$img" >/dev/null 2>"$WORK/podman-pull.log" ||
    die "podman pull failed: $(cat "$WORK/podman-pull.log")"
  measure "run -d + stop -t 0 + rm: podman" "$runs" 2 "" "$(cycle_script cycle-podman-slirp "$PODMAN" "")"
  # --network none: Podman's fastest.
  measure "run -d + stop -t 0 + rm: podman --network none" "$runs" 2 "" "$(cycle_script cycle-podman "$PODMAN" "--network none")"
  $PODMAN run -d --network none --name bench-exec "$img" sleep 600 >/dev/null
  measure "exec true: podman" "$runs" 2 "" "$PODMAN exec bench-exec true"
  sleep 2
  record_mem "idle monitor: podman (conmon)" "$($PODMAN inspect --format '{{.State.ConmonPid}}' bench-exec)"
  $PODMAN rm -f -t 0 bench-exec >/dev/null
else
  log "podman not installed: rsp only"
fi
