#!/bin/bash
# Chaos (issue 18): $CHAOS_TRIALS (default 100) random kill -9 trials each
# during pull, load, commit, run -d and rm -f; after each kill,
# `rsp system check` must find no damage (leftovers of the killed command
# are expected and counted), the next command must succeed, and a check
# after it must find nothing at all. Then $CHAOS_JOBS (default 16)
# parallel workers pulling, running (--rm and -d), removing and untagging
# the same images and containers, each bounded by a timeout: no error, no
# deadlock, and a clean check. Prints the counts. Runs rootless (re-execs
# as $BENCH_USER if started as root); reaches only its own loopback
# registry.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

trials=${CHAOS_TRIALS:-100}
jobs=${CHAOS_JOBS:-16}
start_registry
python3 "$BENCH_DIR/mkimage.py" "$REGISTRY" bench/busybox:latest >/dev/null
img=$REGISTRY/bench/busybox:latest
rsp="$RSP --root $WORK/root --runroot $WORK/run"

$rsp pull -q "$img" >/dev/null
$rsp save -o "$WORK/img.tar" "$img"

# The duration of one uninterrupted command, in microseconds: kills land
# anywhere in it.
duration_us() {
  local t0 t1
  t0=$(date +%s%N)
  eval "$1" >/dev/null 2>&1 || true
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000 + 1000))
}

damage=0 leftovers=0 next_failed=0 unclean=0 killed=0
# check_after KIND: after a kill, no damage (leftovers counted).
check_after() {
  local out
  out=$($rsp system check 2>&1) || true
  if grep -q '^damaged' <<<"$out"; then
    damage=$((damage + 1))
    log "$1: damage after a kill: $out"
  fi
  leftovers=$((leftovers + $(grep -c '^leftover' <<<"$out" || true)))
}
# clean_after KIND: after the next command, nothing at all.
clean_after() {
  local out
  out=$($rsp system check 2>&1) || true
  if [[ $out != "No problems found" ]]; then
    unclean=$((unclean + 1))
    log "$1: not clean after the next command: $out"
  fi
}

# trial KIND PREPARE CMD NEXT: PREPARE, then CMD killed at a random point
# of its duration, then the checks and NEXT.
trial() {
  local kind=$1 prep=$2 cmd=$3 next=$4 dur i pid
  eval "$prep" >/dev/null 2>&1 || true
  dur=$(duration_us "$cmd")
  for ((i = 0; i < trials; i++)); do
    eval "$prep" >/dev/null 2>&1 || true
    eval "$cmd" >/dev/null 2>&1 &
    pid=$!
    sleep "$(awk -v d="$dur" -v r="$RANDOM" 'BEGIN { printf "%.6f", d * r / 32768 / 1e6 }')"
    kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
    wait "$pid" 2>/dev/null || true
    check_after "$kind"
    if ! eval "$next" >/dev/null 2>"$WORK/next.err"; then
      next_failed=$((next_failed + 1))
      log "$kind: the next command failed: $(cat "$WORK/next.err")"
    fi
    clean_after "$kind"
  done
  log "$kind: $trials trials done"
}

trial pull "$rsp rmi -f $img" "$rsp pull -q $img" "$rsp pull -q $img"
trial load "$rsp rmi -f $img" "$rsp load -q -i $WORK/img.tar" "$rsp load -q -i $WORK/img.tar"
# (rmi -f of the image, in the trials above, removes its containers.)
$rsp run --name base --network none "$img" sh -c 'echo changed > /f'
trial commit "$rsp rmi -f chaos:commit" "$rsp commit -q base chaos:commit" "$rsp commit -q base chaos:commit"
trial run-d "$rsp rm -f -t 0 chaosrun" "$rsp run -d --name chaosrun --network none $img sleep 60" \
  "$rsp rm -f -t 0 chaosrun"
trial rm-f "$rsp run -d --name chaosrm --network none $img sleep 60" "$rsp rm -f -t 0 chaosrm" \
  "$rsp rm -f -t 0 --ignore chaosrm"

# Parallel: workers on the same image and names, each bounded.
$rsp pull -q "$img" >/dev/null
$rsp tag "$img" chaos:spare
failed=0 timed_out=0
pids=()
for ((w = 0; w < jobs; w++)); do
  (
    set -e
    for ((r = 0; r < 5; r++)); do
      case $((w % 4)) in
        0) $rsp pull -q "$img" ;;
        1) $rsp run --rm --network none "$img" true ;;
        2) $rsp run -d --name "par$w" --network none "$img" sleep 30 >/dev/null
           $rsp rm -f -t 0 "par$w" >/dev/null ;;
        3) $rsp tag "$img" "chaos:w$w" && $rsp rmi "chaos:w$w" >/dev/null ;;
      esac
    done
  ) >"$WORK/par$w.log" 2>&1 &
  pids+=($!)
done
deadline=$((SECONDS + 300))
for p in "${pids[@]}"; do
  while kill -0 "$p" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "$p" 2>/dev/null; then
    timed_out=$((timed_out + 1))
    kill -9 "$p" 2>/dev/null || true
  fi
  wait "$p" 2>/dev/null || failed=$((failed + 1))
done
for ((w = 0; w < jobs; w++)); do
  [[ -s $WORK/par$w.log ]] && log "worker $w: $(cat "$WORK/par$w.log")"
done
par_check=$($rsp system check 2>&1) || true
$rsp rm -f -a -t 0 >/dev/null 2>&1 || true

echo "chaos: kill -9 trials: $trials each of pull, load, commit, run -d, rm -f ($killed killed mid-command)"
echo "chaos: damage found after a kill: $damage; leftovers of killed commands reported: $leftovers"
echo "chaos: next command failed: $next_failed; not clean after it: $unclean"
echo "chaos: $jobs parallel workers x 5 rounds: failed $failed, timed out $timed_out; check: $par_check"
[[ $damage -eq 0 && $next_failed -eq 0 && $unclean -eq 0 && $failed -eq 0 && $timed_out -eq 0 &&
  $par_check == "No problems found" ]]
