#!/bin/bash
# Connection churn through the userspace network (issue 14): what the
# process holding a container's network stack keeps in memory and in open
# descriptors while a container opens, holds and closes many connections
# to a listener on the host's loopback (through 10.0.2.2), and after.
# rsp (--network slirp:allow_host_loopback=true: the stack runs in the
# container's monitor) side by side with rootless Podman's slirp4netns
# (--network slirp4netns:allow_host_loopback=true) when podman is installed.
#
#   bench/netchurn.sh [--conns N] [--cycles N] [--seq N]
#                     [--scenarios churn,held,seq] [--engines rsp,podman]
#   (defaults 5000 connections, 4 cycles, 6000 sequential; every scenario
#   and engine. To measure an older rsp without the bounds, leave out
#   "held": it kept every flow, with its 2 MiB of buffers.)
#
# Scenarios, each run $BENCH_RUNS times (default 3) per engine:
#   churn: CYCLES cycles of CONNS connections, each sending one byte and
#     reading the one-byte answer, all held 4 s, then closed; the host
#     peer closes its end when it reads the end of stream (as servers do);
#   held: the same, but the host peer keeps its ends open after the end
#     of stream (the issue's report; it closes the oldest beyond what its
#     descriptor limit allows, at most 15000): the stack must let go of
#     flows the container closed and the host never does;
#   seq: SEQ sequential connect + close (no data), as in the issue.
# For each: the peak resident memory (VmRSS, sampled every 0.2 s) and
# peak open descriptors of the process holding the stack (rsp's monitor;
# slirp4netns), and both after the run plus 5 s idle ("end"); for "held",
# also after 70 s idle (rsp resets a half-closed flow left silent for
# 60 s). Idle values are taken with the container up, before the churn.
# Tables give medians over the runs, and the connections that failed.
#
# The client is a small C program built here with cc and added to the
# busybox test image (mkimage.py --with-binary); the host peer is a
# python3 epoll server on 127.0.0.1. Only loopback and the containers' own
# namespaces are contacted. Runs rootless (re-execs as $BENCH_USER if
# started as root); containers are removed at exit.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

runs=${BENCH_RUNS:-3}
CONNS=5000 CYCLES=4 SEQ=6000 SCENARIOS=churn,held,seq WANT_ENGINES=rsp,podman
while (($#)); do
  [[ $# -ge 2 && $2 =~ ^[a-z0-9,]+$ ]] || die "usage: $0 [--conns N] [--cycles N] [--seq N] [--scenarios churn,held,seq] [--engines rsp,podman]"
  case $1 in
    --conns) CONNS=$2 ;;
    --cycles) CYCLES=$2 ;;
    --seq) SEQ=$2 ;;
    --scenarios) SCENARIOS=$2 ;;
    --engines) WANT_ENGINES=$2 ;;
    *) die "unknown option $1" ;;
  esac
  shift 2
done
[[ $CONNS =~ ^[0-9]+$ && $CYCLES =~ ^[0-9]+$ && $SEQ =~ ^[0-9]+$ ]] || die "--conns, --cycles and --seq take numbers"
IFS=, read -ra SCS <<<"$SCENARIOS"
for sc in "${SCS[@]}"; do [[ $sc =~ ^(churn|held|seq)$ ]] || die "unknown scenario $sc (churn, held, seq)"; done
HOLD_MS=4000
HELD_WAIT=70 # s, for the "held" scenario's last reading
PY=/usr/bin/python3
[[ -x $PY ]] || die "$PY not installed"
command -v cc >/dev/null 2>&1 || die "cc not installed (the churn client is built with it)"

RSP_CTRS=() PODMAN_CTRS=() BG_PIDS=() SAMPLER=
churn_cleanup() {
  set +e
  [[ -n $SAMPLER ]] && kill "$SAMPLER" 2>/dev/null
  ((${#RSP_CTRS[@]})) && [[ -n ${rsp:-} ]] && $rsp rm -f "${RSP_CTRS[@]}" >/dev/null 2>&1
  ((${#PODMAN_CTRS[@]})) && [[ -n ${PODMAN:-} ]] && $PODMAN rm -f -t 0 --ignore "${PODMAN_CTRS[@]}" >/dev/null 2>&1
  local p
  for p in "${BG_PIDS[@]}"; do
    [[ $(awk '{print $4}' /proc/"$p"/stat 2>/dev/null) == "$$" ]] && kill "$p" 2>/dev/null
  done
}
trap 'churn_cleanup; cleanup' EXIT

# median V...: the median of integers (empty if none).
median() {
  (($#)) || return 0
  printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1}
    END {m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%d", m}'
}

# ---- the client and the host peer
cat >"$WORK/churn.c" <<'EOF'
/* churn ADDR PORT N CYCLES HOLD_MS MODE
 * MODE hold: each cycle opens N connections, sends one byte on each and
 *   reads the one-byte answer, holds them HOLD_MS, closes them all.
 * MODE seq: each cycle does N sequential connect + close (no data).
 * One line per cycle: "cycle C ok K failed F". Bounded: alarm(1800). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
static int seq;
static int one(struct sockaddr_in *a) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) return -1;
  struct timeval tv = {30, 0};
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  char c = 'x';
  if (connect(s, (struct sockaddr *)a, sizeof *a) || (!seq && (write(s, &c, 1) != 1 || read(s, &c, 1) != 1))) {
    close(s);
    return -1;
  }
  return s;
}
int main(int argc, char **argv) {
  if (argc != 7) return 2;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[2])),
                          .sin_addr.s_addr = inet_addr(argv[1])};
  int n = atoi(argv[3]), cycles = atoi(argv[4]), hold = atoi(argv[5]);
  seq = !strcmp(argv[6], "seq");
  struct rlimit rl;
  if (!getrlimit(RLIMIT_NOFILE, &rl)) { rl.rlim_cur = rl.rlim_max; setrlimit(RLIMIT_NOFILE, &rl); }
  alarm(1800);
  int *fds = calloc(n, sizeof *fds);
  for (int c = 0; c < cycles; c++) {
    int ok = 0, failed = 0;
    for (int i = 0; i < n; i++) {
      int s = one(&a);
      if (s < 0) failed++; else ok++;
      if (seq) { if (s >= 0) close(s); } else fds[i] = s;
    }
    if (!seq) {
      struct timespec ts = {hold / 1000, (hold % 1000) * 1000000L};
      nanosleep(&ts, 0);
      for (int i = 0; i < n; i++) if (fds[i] >= 0) close(fds[i]);
    }
    printf("cycle %d ok %d failed %d\n", c, ok, failed);
    fflush(stdout);
  }
  return 0;
}
EOF
cc -O2 -o "$WORK/churn" "$WORK/churn.c" || die "cc failed"

cat >"$WORK/peer.py" <<'EOF'
# peer.py PORT MODE CONNS: accepts on 127.0.0.1:PORT, answers each read
# with one byte; at the end of stream closes (MODE close) or keeps (MODE
# hold) its end; a reset end is closed. It keeps at most what its
# descriptor limit leaves beside CONNS open connections (the oldest go
# first). Bounded: 2 hours.
import collections, resource, selectors, socket, sys, time
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
KEEP = max(0, min(15000, hard - int(sys.argv[3]) - 100))
sel = selectors.DefaultSelector()
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", int(sys.argv[1])))
l.listen(4096)
l.setblocking(False)
sel.register(l, selectors.EVENT_READ)
hold = sys.argv[2] == "hold"
kept = collections.deque()
end = time.monotonic() + 7200
while time.monotonic() < end:
    for k, _ in sel.select(1):
        if k.fileobj is l:
            for _ in range(1024):
                try:
                    c, _ = l.accept()
                except OSError:
                    break
                c.setblocking(False)
                sel.register(c, selectors.EVENT_READ)
            continue
        c = k.fileobj
        try:
            d = c.recv(4096)
        except BlockingIOError:
            continue
        except OSError:
            # Reset: nothing to keep.
            sel.unregister(c)
            c.close()
            continue
        if d:
            try:
                c.send(b"y" * len(d))
            except OSError:
                pass
            continue
        sel.unregister(c)
        if hold:
            kept.append(c)
            while len(kept) > KEEP:
                kept.popleft().close()
        else:
            c.close()
EOF

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# ---- measuring the stack's process
usage() { # PID: "RSS_KiB FDS" (empty if gone)
  local k v rss=
  [[ -r /proc/$1/status ]] || return 0
  while read -r k v _; do [[ $k == VmRSS: ]] && rss=$v && break; done </proc/"$1"/status 2>/dev/null || true
  [[ -n $rss ]] && echo "$rss $(find /proc/"$1"/fd -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
}
sample_start() { # PID: peak RSS and fds, every 0.2 s (at most an hour)
  echo "0 0" >"$WORK/peak"
  (
    mr=0 mf=0
    for ((i = 0; i < 18000; i++)); do
      u=$(usage "$1") || true
      [[ -n $u ]] || break
      read -r r f <<<"$u"
      ((r > mr || f > mf)) && { ((r > mr)) && mr=$r; ((f > mf)) && mf=$f; echo "$mr $mf" >"$WORK/peak"; }
      sleep 0.2
    done
  ) &
  SAMPLER=$!
}
sample_stop() { # prints "PEAK_RSS PEAK_FDS"
  kill "$SAMPLER" 2>/dev/null || true
  wait "$SAMPLER" 2>/dev/null || true
  SAMPLER=
  cat "$WORK/peak"
}

# ---- engines
# start ENGINE NAME CMD: a detached container with the host loopback
# reachable; sets STACK_PID (the process holding its network).
STACK_PID=
start() {
  local engine=$1 name=$2
  shift 2
  STACK_PID=
  case $engine in
    rsp)
      RSP_CTRS+=("$name")
      $rsp run -d --name "$name" --network slirp:allow_host_loopback=true "$img" "$@" >/dev/null || return 1
      STACK_PID=$($rsp inspect --format '{{.State.ConmonPid}}' "$name")
      ;;
    podman)
      PODMAN_CTRS+=("$name")
      $PODMAN run -d --name "$name" --network slirp4netns:allow_host_loopback=true "$img" "$@" \
        >/dev/null 2>"$WORK/podman-run.err" || { cat "$WORK/podman-run.err" >&2; return 1; }
      local ns p
      ns=$($PODMAN inspect --format '{{.NetworkSettings.SandboxKey}}' "$name")
      for p in $(pgrep -u "$(id -u)" -x slirp4netns || true); do
        [[ -n $ns ]] && grep -qzF -- "$ns" /proc/"$p"/cmdline 2>/dev/null && STACK_PID=$p
      done
      ;;
  esac
  [[ -n $STACK_PID ]] || { log "$engine $name: no process holding the network found"; return 1; }
}
engine_cmd() { [[ $1 == rsp ]] && echo "$rsp" || echo "$PODMAN"; }

# one ENGINE SCENARIO RUN: a container runs the client against a fresh
# host peer; records idle/peak/end RSS and fds, failures and duration.
one() {
  local engine=$1 sc=$2 run=$3 e port mode=close args name i logs out t0 t1
  e=$(engine_cmd "$engine")
  port=$(free_port)
  [[ $sc != held ]] || mode=hold
  case $sc in
    churn | held) args="$CONNS $CYCLES $HOLD_MS hold" ;;
    seq) args="$SEQ 1 0 seq" ;;
  esac
  $PY "$WORK/peer.py" "$port" "$mode" "$CONNS" &
  local peer=$!
  BG_PIDS+=("$peer")
  name=churn-$engine-$sc-$run
  if ! start "$engine" "$name" sh -c "i=0; while [ ! -e /tmp/go ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i+1)); done; churn 10.0.2.2 $port $args; echo churn-done; exec sleep 3600"; then
    kill "$peer" 2>/dev/null
    return 1
  fi
  sleep 1
  read -r idle_rss idle_fds <<<"$(usage "$STACK_PID")"
  sample_start "$STACK_PID"
  t0=$(date +%s%N)
  $e exec "$name" touch /tmp/go || log "$engine $sc run $run: exec failed"
  logs=
  for ((i = 0; i < 1800; i++)); do
    sleep 1
    logs=$($e logs "$name" 2>&1 || true)
    [[ $logs == *churn-done* ]] && break
  done
  t1=$(date +%s%N)
  sleep 5
  read -r peak_rss peak_fds <<<"$(sample_stop)"
  read -r end_rss end_fds <<<"$(usage "$STACK_PID")"
  local late_rss=- late_fds=-
  if [[ $sc == held ]]; then
    sleep $((HELD_WAIT - 5))
    read -r late_rss late_fds <<<"$(usage "$STACK_PID")"
  fi
  local failed
  failed=$(awk '/^cycle /{f += $NF} END {print f + 0}' <<<"$logs")
  [[ $logs == *churn-done* ]] || { failed="?"; log "$engine $sc run $run: the client did not finish: $(tail -3 <<<"$logs")"; }
  out="$idle_rss $idle_fds $peak_rss $peak_fds $end_rss $end_fds $late_rss $late_fds $failed $(((t1 - t0) / 1000000))"
  log "$engine $sc run $run: idle/peak/end RSS KiB $idle_rss/$peak_rss/$end_rss, fds $idle_fds/$peak_fds/$end_fds, after ${HELD_WAIT}s $late_rss KiB $late_fds fds; failed $failed; $(((t1 - t0) / 1000000)) ms"
  echo "$out" >>"$WORK/res-$engine-$sc"
  $e rm -f "$name" >/dev/null 2>&1 || true
  kill "$peer" 2>/dev/null || true
  wait "$peer" 2>/dev/null || true
}

# ---- set-up
start_registry
python3 "$BENCH_DIR/mkimage.py" "$REGISTRY" bench/churn:latest --with-binary "$WORK/churn=/usr/local/bin/churn" >/dev/null
img=$REGISTRY/bench/churn:latest
rsp="$RSP --root $WORK/rsp/root --runroot $WORK/rsp/run"
$rsp pull --tls-verify=false "$img" >"$WORK/rsp-pull.log" 2>&1 || die "rsp pull failed: $(cat "$WORK/rsp-pull.log")"
ENGINES=()
[[ ,$WANT_ENGINES, != *,rsp,* ]] || ENGINES+=(rsp)
NOTES=()
if [[ ,$WANT_ENGINES, != *,podman,* ]]; then
  :
elif have_podman && command -v slirp4netns >/dev/null 2>&1; then
  podman_store "$WORK/podman"
  $PODMAN pull -q --tls-verify=false "$img" >/dev/null 2>"$WORK/podman-pull.log" ||
    die "podman pull failed: $(cat "$WORK/podman-pull.log")"
  ENGINES+=(podman)
else
  NOTES+=("podman or slirp4netns not installed: podman column n/a")
fi
log "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

for sc in "${SCS[@]}"; do
  for ((r = 1; r <= runs; r++)); do
    for engine in "${ENGINES[@]}"; do
      one "$engine" "$sc" "$r" || log "$engine $sc run $r FAILED"
    done
  done
done

# ---- table: medians of each column per engine and scenario
col() { # FILE N: the median of column N
  [[ -s $1 ]] || { echo n/a; return; }
  local v
  v=$(awk -v n="$2" '$n != "-" && $n != "?" {print $n}' "$1")
  [[ -n $v ]] || { echo -; return; }
  # shellcheck disable=SC2086 # one number a line
  median $v
}
failed_sum() { [[ -s $1 ]] && awk '{f += ($9 == "?" ? 0 : $9)} END {print f}' "$1" || echo n/a; }
echo
echo "== network churn: the process holding the stack ($(id -un), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); medians of $runs runs) =="
printf '%-34s' ""
for engine in "${ENGINES[@]}"; do printf ' %14s' "$([[ $engine == rsp ]] && echo rsp || echo slirp4netns)"; done
echo
declare -A SCT=(
  [churn]="$CONNS x $CYCLES held ${HOLD_MS} ms, host closes"
  [held]="$CONNS x $CYCLES, host keeps its ends"
  [seq]="$SEQ sequential connect + close"
)
for sc in "${SCS[@]}"; do
  echo "${SCT[$sc]}:"
  for row in "RSS idle (KiB):1" "RSS peak (KiB):3" "RSS end +5 s (KiB):5" "fds idle:2" "fds peak:4" "fds end +5 s:6" \
    "RSS +${HELD_WAIT} s (KiB):7" "fds +${HELD_WAIT} s:8" "duration (ms):10"; do
    [[ $sc == held || $row != *"+${HELD_WAIT}"* ]] || continue
    printf '  %-32s' "${row%%:*}"
    for engine in "${ENGINES[@]}"; do printf ' %14s' "$(col "$WORK/res-$engine-$sc" "${row##*:}")"; done
    echo
  done
  printf '  %-32s' "connections failed (all runs)"
  for engine in "${ENGINES[@]}"; do printf ' %14s' "$(failed_sum "$WORK/res-$engine-$sc")"; done
  echo
done
echo "rsp ($RSP): the container's monitor (its net thread runs the stack). slirp4netns: podman --network slirp4netns:allow_host_loopback=true."
for n in "${NOTES[@]}"; do echo "note: $n"; done
