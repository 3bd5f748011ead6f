#!/bin/bash
# Network benchmarks (issue 4): rsp's userspace network (--network slirp,
# a smoltcp stack in the container's monitor) side by side with rootless
# Podman (slirp4netns + rootlessport) and pasta, when installed:
#   1. container -> host throughput through the gateway: iperf3 server on
#      the host's 127.0.0.1, client in the container `-c 10.0.2.2 -t 5`
#      (rsp --network slirp:allow_host_loopback=true; podman --network
#      slirp4netns:allow_host_loopback=true);
#   2. host -> container throughput through a published port (-p
#      127.0.0.1:HOSTPORT:5201, iperf3 server in the container, client on
#      the host): the default port handler (rsp's fast path, podman's
#      rootlessport, pasta's splice) and the one through the stack (rsp
#      port_handler=slirp, podman port_handler=slirp4netns);
#   3. connection rate through -p: a python3 client doing up to $CONNS
#      sequential connect + read to EOF + close against a one-byte accept
#      loop in the container (acceptd, built here with cc; each run stops
#      after $CONN_SECS s); without cc, connect + `GET / HTTP/1.0` + read +
#      close against busybox httpd -f (a fork per connection);
#   5. (issue 20) on a user-defined network (`network create`; Podman's:
#      netavark's bridge in its rootless netns, aardvark-dns): container ->
#      container iperf3 by name both ways (client `-c srv`, and `-R`), and
#      the connection rate by name (a client in the container, connc,
#      resolving the name once and then connecting + reading one byte +
#      closing up to $CONNS times), plus the resident memory of what serves
#      the network besides the containers' own monitors: for rsp nothing
#      (a kernel bridge held by the members' monitors); for Podman
#      aardvark-dns and the rootless netns' slirp4netns/pasta, idle and
#      peak. Skipped with NET_USER=0; NET_ONLY=user runs nothing else.
#   4. resident memory (VmRSS) of the processes holding the network: rsp's
#      monitor (plus its socket factory, with -p); slirp4netns + rootlessport
#      (+ rootlessport-child) for podman; the pasta process. Idle (a server
#      container 2 s after it listens) and the peak sampled every 0.1 s
#      during each iperf3 run.
# Throughput: iperf3 -J, end.sum_received.bits_per_second, median over
# $BENCH_RUNS runs (default 3). A "host" column gives the same client and
# server over the host's loopback, without any container, as a ceiling.
#
# Podman 4.3 (Debian 12) has no --network pasta (it came with Podman 4.4):
# the pasta column then runs the pasta binary standalone (`pasta
# --config-net ... -- CMD`: CMD in a new user + network namespace behind
# pasta's tap, addressed like rsp's: 10.0.2.100/24, gateway 10.0.2.2, which
# pasta maps to the host's loopback). Install it with `apt-get install
# passt`; without it the column reads n/a.
#
# Only loopback addresses and addresses inside the containers' own network
# namespaces are contacted. The iperf3 image is the busybox test image plus
# the host's /usr/bin/iperf3 and its libraries (mkimage.py --with-binary),
# served by a throwaway loopback registry. Runs rootless (re-execs as
# $BENCH_USER if started as root); containers are removed at exit.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

runs=${BENCH_RUNS:-3}
SECS=5          # iperf3 -t
CONNS=10000     # connections per connection-rate run
CONN_SECS=60    # ... and its time limit
IPERF=/usr/bin/iperf3
PY=/usr/bin/python3
[[ -x $IPERF ]] || die "$IPERF not installed (apt-get install iperf3)"
[[ -x $PY ]] || die "$PY not installed"

# ---- bookkeeping: containers and background processes to remove at exit
RSP_CTRS=() PODMAN_CTRS=() BG_PIDS=() SAMPLER=
net_cleanup() {
  set +e
  local p
  [[ -n $SAMPLER ]] && kill "$SAMPLER" 2>/dev/null
  ((${#RSP_CTRS[@]})) && [[ -n ${rsp:-} ]] && $rsp rm -f "${RSP_CTRS[@]}" >/dev/null 2>&1
  ((${#PODMAN_CTRS[@]})) && [[ -n ${PODMAN:-} ]] && $PODMAN rm -f -t 0 --ignore "${PODMAN_CTRS[@]}" >/dev/null 2>&1
  # Background processes still ours (children of this shell: a pid reaped
  # earlier may have been reused), and their children (pasta's command is
  # pid 1 of its own pid namespace: deaf to SIGTERM).
  for p in "${BG_PIDS[@]}"; do
    [[ $(awk '{print $4}' /proc/"$p"/stat 2>/dev/null) == "$$" ]] || continue
    pkill -KILL -P "$p" 2>/dev/null
    kill "$p" 2>/dev/null
  done
}
trap 'net_cleanup; cleanup' EXIT

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# median V...: the median of numbers (empty if none).
median() {
  (($#)) || return 0
  printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1}
    END {m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.2f", m}'
}

# gbps FILE: Gbit/s received, from iperf3 -J output (empty if unusable).
gbps() {
  $PY - "$1" <<'EOF' 2>/dev/null || true
import json, sys
t = open(sys.argv[1]).read()
d = json.loads(t[t.index("{"):t.rindex("}") + 1])
print("%.2f" % (d["end"]["sum_received"]["bits_per_second"] / 1e9))
EOF
}

# ---- memory: VmRSS of a set of processes
rss_sum() { # PID...: sum of VmRSS (KiB) of those alive
  local p k v sum=0
  for p; do
    [[ -r /proc/$p/status ]] || continue
    while read -r k v _; do [[ $k == VmRSS: ]] && sum=$((sum + v)) && break; done </proc/"$p"/status 2>/dev/null || true
  done
  echo "$sum"
}
rss_detail() { # PID...: "comm=KiB ..." for the log
  local p out=
  for p; do out+="$(cat /proc/"$p"/comm 2>/dev/null)[$p]=$(rss_sum "$p") "; done
  echo "$out"
}
SAMPLE_OUT=
sample_start() { # PID...: sample the sum of their VmRSS every 0.1 s (at most 3 min)
  SAMPLE_OUT=$WORK/rss.max
  echo 0 >"$SAMPLE_OUT"
  (
    m=0
    for ((i = 0; i < 1800; i++)); do
      v=$(rss_sum "$@")
      ((v > m)) && m=$v && echo "$m" >"$SAMPLE_OUT"
      sleep 0.1
    done
  ) &
  SAMPLER=$!
}
sample_stop() { # prints the peak (KiB), empty if nothing was sampled
  [[ -n $SAMPLER ]] || return 0
  kill "$SAMPLER" 2>/dev/null || true
  wait "$SAMPLER" 2>/dev/null || true
  SAMPLER=
  local m
  m=$(cat "$SAMPLE_OUT")
  [[ $m == 0 ]] || echo "$m"
}

# wait_listen PID PORT: until a socket in PID's network namespace listens on
# PORT (at most 10 s).
wait_listen() {
  local hex i
  hex=$(printf ':%04X' "$2")
  for ((i = 0; i < 100; i++)); do
    awk -v p="$hex" '$2 ~ p"$" && $4 == "0A" {f = 1} END {exit !f}' \
      /proc/"$1"/net/tcp /proc/"$1"/net/tcp6 2>/dev/null && return 0
    sleep 0.1
  done
  log "nothing listens on port $2 in pid $1's namespace"
  return 1
}

# ---- engines: rsp, podman (slirp4netns), pasta (standalone)
# ctr_start ENGINE NAME NETWORK PUBLISH CMD...: starts a detached container
# (NETWORK/PUBLISH may be empty) and sets CTR_PID (its main process) and
# STACK_PIDS (the processes holding its network).
CTR_PID= STACK_PIDS=() PASTA_PID= PASTA_OUT=
ctr_start() {
  local engine=$1 name=$2 net=$3 pub=$4
  shift 4
  local opts=(--name "$name")
  [[ -z $net ]] || opts+=(--network "$net")
  [[ -z $pub ]] || opts+=(-p "$pub")
  CTR_PID= STACK_PIDS=()
  case $engine in
    rsp)
      RSP_CTRS+=("$name")
      $rsp run -d "${opts[@]}" "$img" "$@" >/dev/null || return 1
      local mon
      mon=$($rsp inspect --format '{{.State.ConmonPid}}' "$name")
      CTR_PID=$($rsp inspect --format '{{.State.Pid}}' "$name")
      # The monitor and, with -p, its socket factory (a forked child).
      STACK_PIDS=("$mon" $(pgrep -P "$mon" -f "^[^ ]* __monitor " || true))
      ;;
    podman)
      PODMAN_CTRS+=("$name")
      $PODMAN run -d "${opts[@]}" "$img" "$@" >/dev/null 2>"$WORK/podman-run.err" ||
        { cat "$WORK/podman-run.err" >&2; return 1; }
      local ns p
      ns=$($PODMAN inspect --format '{{.NetworkSettings.SandboxKey}}' "$name")
      CTR_PID=$($PODMAN inspect --format '{{.State.Pid}}' "$name")
      for p in $(pgrep -u "$(id -u)" -x slirp4netns || true); do
        [[ -n $ns ]] && grep -qzF -- "$ns" /proc/"$p"/cmdline 2>/dev/null && STACK_PIDS+=("$p")
      done
      # rootlessport (one per container with -p; ours: our XDG_RUNTIME_DIR)
      # and its rootlessport-child.
      for p in $(pgrep -u "$(id -u)" -x rootlessport || true); do
        grep -qzx "XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR" /proc/"$p"/environ 2>/dev/null || continue
        STACK_PIDS+=("$p" $(pgrep -P "$p" || true))
      done
      ;;
    pasta)
      local popts=(--config-net -q -f -4 -a 10.0.2.100 -n 24 -g 10.0.2.2
        -u none -T none -U none -l "$WORK/pasta-$name.log")
      if [[ -n $pub ]]; then popts+=(-t "${pub%%:*}/${pub#*:}"); else popts+=(-t none); fi
      PASTA_OUT=$WORK/pasta-$name.out
      pasta "${popts[@]}" -- "$@" >"$PASTA_OUT" 2>&1 </dev/null &
      PASTA_PID=$!
      BG_PIDS+=("$PASTA_PID")
      local i
      for ((i = 0; i < 100; i++)); do
        CTR_PID=$(pgrep -P "$PASTA_PID" | head -1) && [[ -n $CTR_PID ]] && break
        kill -0 "$PASTA_PID" 2>/dev/null || break
        sleep 0.05
      done
      [[ -n $CTR_PID ]] || { log "pasta did not start: $(cat "$PASTA_OUT" "$WORK/pasta-$name.log" 2>/dev/null)"; return 1; }
      STACK_PIDS=("$PASTA_PID")
      ;;
  esac
  log "$engine $name: pid $CTR_PID, network held by: $(rss_detail "${STACK_PIDS[@]}")"
}

# ctr_wait ENGINE NAME OUT: waits (at most 60 s) for the container to exit
# and writes its output to OUT.
ctr_wait() {
  local engine=$1 name=$2 out=$3 i
  case $engine in
    rsp | podman)
      local e=$rsp
      [[ $engine == rsp ]] || e=$PODMAN
      timeout 60 $e wait "$name" >/dev/null 2>&1 || log "$name did not end in 60 s"
      $e logs "$name" >"$out" 2>&1 || true
      ;;
    pasta)
      for ((i = 0; i < 600; i++)); do
        kill -0 "$PASTA_PID" 2>/dev/null || break
        sleep 0.1
      done
      cp "$PASTA_OUT" "$out"
      ;;
  esac
}

ctr_rm() { # ENGINE NAME
  case $1 in
    rsp) $rsp rm -f "$2" >/dev/null 2>&1 || true ;;
    podman) $PODMAN rm -f -t 0 "$2" >/dev/null 2>&1 || true ;;
    pasta)
      # The command is pid 1 of its own pid namespace: deaf to SIGTERM.
      pkill -KILL -P "$PASTA_PID" 2>/dev/null || true
      kill "$PASTA_PID" 2>/dev/null || true
      wait "$PASTA_PID" 2>/dev/null || true
      ;;
  esac
}

# ---- results: R[ROW|COLUMN] = cell
declare -A R
ROWS=() COLS=(rsp podman pasta host)
declare -A COL_TITLE=([rsp]="rsp" [podman]="podman+slirp4netns" [pasta]="pasta" [host]="host (no ctr)")
row() { ROWS+=("$1"); }
set_cell() { R[$1|$2]=$3; }

run_iperf_client() { # OUT ARGS...: the host's iperf3 client, bounded
  timeout -k 5 $((SECS + 30)) $IPERF -J "${@:2}" >"$1" 2>&1 || true
}

# 1. container -> host: ENGINE NETWORK TARGET
ctr_to_host() {
  local engine=$1 net=$2 target=$3 i vals=() v peak=0 m
  for ((i = 1; i <= runs; i++)); do
    local name=net-c2h-$engine-$i
    if ! ctr_start "$engine" "$name" "$net" "" iperf3 -J -c "$target" -p "$HOST_PORT" -t "$SECS"; then
      ctr_rm "$engine" "$name"
      break
    fi
    sample_start "${STACK_PIDS[@]}"
    ctr_wait "$engine" "$name" "$WORK/c2h.json"
    m=$(sample_stop)
    ((${m:-0} > peak)) && peak=$m
    v=$(gbps "$WORK/c2h.json")
    ctr_rm "$engine" "$name"
    if [[ -z $v ]]; then
      log "ctr->host $engine run $i FAILED: $(head -c 2000 "$WORK/c2h.json")"
      break
    fi
    log "ctr->host $engine run $i: $v Gbit/s, stack peak ${m:-?} KiB"
    vals+=("$v")
  done
  if ((${#vals[@]} == runs)); then set_cell c2h "$engine" "$(median "${vals[@]}")"; else set_cell c2h "$engine" FAIL; fi
  ((peak == 0)) || set_cell mem_c2h "$engine" "$peak"
}

# 2. host -> container: ROW ENGINE NETWORK [MEMROW IDLEROW]
host_to_ctr() {
  local rowk=$1 engine=$2 net=$3 memrow=${4:-} idlerow=${5:-} i vals=() v peak=0 m hp
  local name=net-h2c-$engine-$rowk
  hp=$(free_port)
  if ! ctr_start "$engine" "$name" "$net" "127.0.0.1:$hp:5201" iperf3 -s -p 5201 ||
    ! wait_listen "$CTR_PID" 5201; then
    ctr_rm "$engine" "$name"
    set_cell "$rowk" "$engine" FAIL
    return 0
  fi
  if [[ -n $idlerow ]]; then
    sleep 2
    set_cell "$idlerow" "$engine" "$(rss_sum "${STACK_PIDS[@]}")"
    log "idle $engine: $(rss_detail "${STACK_PIDS[@]}")"
  fi
  for ((i = 1; i <= runs; i++)); do
    sample_start "${STACK_PIDS[@]}"
    run_iperf_client "$WORK/h2c.json" -c 127.0.0.1 -p "$hp" -t "$SECS"
    m=$(sample_stop)
    ((${m:-0} > peak)) && peak=$m
    v=$(gbps "$WORK/h2c.json")
    if [[ -z $v ]]; then
      log "host->ctr $engine ($rowk) run $i FAILED: $(head -c 2000 "$WORK/h2c.json")"
      break
    fi
    log "host->ctr $engine ($rowk) run $i: $v Gbit/s, stack peak ${m:-?} KiB"
    vals+=("$v")
    sleep 0.5
  done
  ctr_rm "$engine" "$name"
  if ((${#vals[@]} == runs)); then set_cell "$rowk" "$engine" "$(median "${vals[@]}")"; else set_cell "$rowk" "$engine" FAIL; fi
  [[ -z $memrow ]] || ((peak == 0)) || set_cell "$memrow" "$engine" "$peak"
}

# 3. connection rate. The server: a tiny accept loop (accept, write one
# byte, close) built with the host's cc, so that the rate is the network
# path's and not a fork per connection; busybox httpd -f (a fork per
# connection) if there is no cc.
cat >"$WORK/acceptd.c" <<'EOF'
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
/* acceptd PORT [ADDR] */
int main(int argc, char **argv) {
  int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1])),
                          .sin_addr.s_addr = argc > 2 ? inet_addr(argv[2]) : INADDR_ANY};
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 1024)) return 1;
  alarm(3600); /* bounded: an hour, or 10^7 connections */
  for (long n = 0; n < 10000000; n++) {
    int c = accept(s, 0, 0);
    if (c < 0) continue;
    if (write(c, "x", 1) != 1) {}
    close(c);
  }
  return 0;
}
EOF
# The in-container client for the user-network connection rate: connc
# HOST PORT N LIMIT resolves HOST once, then connects, reads one byte and
# closes up to N times (or LIMIT s), and prints "RATE OK FAIL SECS".
cat >"$WORK/connc.c" <<'EOF'
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}
int main(int argc, char **argv) {
  struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *ai;
  if (argc != 5 || getaddrinfo(argv[1], argv[2], &hints, &ai)) return 2;
  long n = atol(argv[3]), ok = 0, fail = 0;
  double limit = atof(argv[4]), t0 = now();
  for (long i = 0; i < n && now() - t0 < limit; i++) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    char b;
    if (connect(s, ai->ai_addr, ai->ai_addrlen) == 0 && read(s, &b, 1) == 1) ok++;
    else fail++;
    close(s);
  }
  double el = now() - t0;
  printf("%.0f %ld %ld %.2f\n", ok / el, ok, fail, el);
  return 0;
}
EOF
# The client: up to N sequential connections (or LIMIT s); MODE recv: read
# to EOF, expecting the byte; MODE get: send an HTTP/1.0 GET first.
cat >"$WORK/connrate.py" <<'EOF'
import socket, sys, time
port, n, limit, mode = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
req = b"GET / HTTP/1.0\r\n\r\n"
def one():
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        if mode == "get":
            s.sendall(req)
        got = 0
        for _ in range(1000):  # the server closes after its answer
            b = s.recv(65536)
            if not b:
                break
            got += len(b)
        return got > 0
    finally:
        s.close()
for _ in range(20):  # warm-up
    try: one()
    except OSError: pass
ok = fail = slow = 0
worst = 0.0
t0 = time.monotonic()
for _ in range(n):
    t = time.monotonic()
    if t - t0 > limit:
        break
    try:
        if one(): ok += 1
        else: fail += 1
    except OSError:
        fail += 1
    d = time.monotonic() - t
    worst = max(worst, d)
    slow += d > 0.2
el = time.monotonic() - t0
print("%.0f %d %d %.2f %d %.0f" % (ok / el, ok, fail, el, slow, worst * 1000))
EOF
CR_MODE=get CR_SRV=(httpd -f -p 8080 -h /var/www) CR_HOST_SRV=(busybox httpd -f -p 8080 -h "$WORK/www")
CR_WHAT="connect+GET+close"
if command -v cc >/dev/null 2>&1 && cc -O2 -o "$WORK/acceptd" "$WORK/acceptd.c" 2>"$WORK/cc.log"; then
  CR_MODE=recv CR_SRV=(/usr/local/bin/acceptd 8080) CR_HOST_SRV=("$WORK/acceptd" 8080)
  CR_WHAT="connect+read 1 B+close"
else
  log "no cc (or it failed: $(cat "$WORK/cc.log" 2>/dev/null)): busybox httpd serves the connection-rate runs"
fi

# conn_rate ROW ENGINE NETWORK
conn_rate() {
  local rowk=$1 engine=$2 net=$3 hp
  local name=net-cr-$engine-$rowk srv=("${CR_SRV[@]}")
  # pasta runs host commands (the same binaries as in the image).
  [[ $engine != pasta ]] || srv=("${CR_HOST_SRV[@]}")
  hp=$(free_port)
  if ! ctr_start "$engine" "$name" "$net" "127.0.0.1:$hp:8080" "${srv[@]}" ||
    ! wait_listen "$CTR_PID" 8080; then
    ctr_rm "$engine" "$name"
    set_cell "$rowk" "$engine" FAIL
    return 0
  fi
  conn_runs "$rowk" "$engine" "$hp"
  ctr_rm "$engine" "$name"
}
conn_runs() { # ROW COLUMN HOSTPORT
  local i vals=() out rate ok fail el slow worst failed=0 slowed=0
  for ((i = 1; i <= runs; i++)); do
    out=$(timeout -k 5 $((CONN_SECS + 60)) $PY "$WORK/connrate.py" "$3" "$CONNS" "$CONN_SECS" "$CR_MODE" 2>&1) || true
    read -r rate ok fail el slow worst <<<"$out" || true
    if [[ ! $rate =~ ^[0-9]+$ ]] || ((ok == 0)); then
      log "conn rate $2 ($1) run $i FAILED: $out"
      set_cell "$1" "$2" FAIL
      return 0
    fi
    log "conn rate $2 ($1) run $i: $rate conn/s ($ok ok, $fail failed, $el s; $slow over 200 ms, slowest $worst ms)"
    vals+=("$rate")
    failed=$((failed + fail))
    slowed=$((slowed + slow))
  done
  # A "*": some connections failed (counted in the rate as not done); a
  # "!": some took over 200 ms (a SYN retransmitted, typically).
  set_cell "$1" "$2" "$(median "${vals[@]}" | cut -d. -f1)$( ((failed == 0)) || echo '*')$( ((slowed == 0)) || echo '!')"
}

# ---- set-up
start_registry
log "building the iperf3 image (busybox + $IPERF and its libraries)"
bins=(--with-binary "$IPERF")
[[ $CR_MODE != recv ]] || bins+=(--with-binary "$WORK/acceptd=/usr/local/bin/acceptd")
HAVE_CONNC=false
if [[ $CR_MODE == recv ]] && cc -O2 -o "$WORK/connc" "$WORK/connc.c" 2>>"$WORK/cc.log"; then
  bins+=(--with-binary "$WORK/connc=/usr/local/bin/connc")
  HAVE_CONNC=true
fi
python3 "$BENCH_DIR/mkimage.py" "$REGISTRY" bench/iperf3:latest "${bins[@]}" >/dev/null
img=$REGISTRY/bench/iperf3:latest
rsp="$RSP --root $WORK/rsp/root --runroot $WORK/rsp/run"
$rsp pull --tls-verify=false "$img" >"$WORK/rsp-pull.log" 2>&1 || die "rsp pull failed: $(cat "$WORK/rsp-pull.log")"

NOTES=()
have_p=false
if have_podman; then
  podman_store "$WORK/podman"
  $PODMAN pull -q --tls-verify=false "$img" >/dev/null 2>"$WORK/podman-pull.log" ||
    die "podman pull failed: $(cat "$WORK/podman-pull.log")"
  have_p=true
  if $PODMAN run --rm --network pasta "$img" true >/dev/null 2>&1; then
    NOTES+=("podman $($PODMAN version --format '{{.Client.Version}}' 2>/dev/null) supports --network pasta, but this script measures pasta standalone")
  else
    NOTES+=("podman $($PODMAN version --format '{{.Client.Version}}' 2>/dev/null) has no --network pasta (Podman >= 4.4): the pasta column is pasta run standalone (pasta --config-net -- CMD; its gateway 10.0.2.2 maps to the host loopback, pasta's default without --no-map-gw)")
  fi
else
  NOTES+=("podman not installed: podman column n/a")
fi
have_pasta=false pasta_gw=false
mkdir -p "$WORK/www"
if command -v pasta >/dev/null 2>&1; then
  have_pasta=true
  # pasta maps (TCP to) its gateway address to the host's loopback unless
  # --no-map-gw; a pasta without that option might not: then the gateway
  # is not aimed at.
  pasta_help=$(pasta --help 2>&1 || true)
  if [[ $pasta_help == *--no-map-gw* ]]; then
    pasta_gw=true
  else
    NOTES+=("this pasta has no --no-map-gw: ctr->host not measured for pasta")
  fi
else
  NOTES+=("pasta not installed (apt-get install passt): pasta column n/a")
fi

# NET_ONLY=user: only the user-defined network runs (section 5).
if [[ ${NET_ONLY:-} != user ]]; then
# Host iperf3 server on loopback for the ctr->host runs.
HOST_PORT=$(free_port)
$IPERF -s -B 127.0.0.1 -p "$HOST_PORT" >"$WORK/iperf3-host.log" 2>&1 &
BG_PIDS+=($!)
wait_listen $! "$HOST_PORT" || die "host iperf3 server did not start: $(cat "$WORK/iperf3-host.log")"

# ---- 1. container -> host
row c2h
log "== container -> host (iperf3 -c 10.0.2.2, $SECS s, $runs runs)"
ctr_to_host rsp slirp:allow_host_loopback=true 10.0.2.2
! $have_p || ctr_to_host podman slirp4netns:allow_host_loopback=true 10.0.2.2
! $pasta_gw || ctr_to_host pasta "" 10.0.2.2
vals=()
for ((i = 1; i <= runs; i++)); do
  run_iperf_client "$WORK/ref.json" -c 127.0.0.1 -p "$HOST_PORT" -t "$SECS"
  v=$(gbps "$WORK/ref.json") && [[ -n $v ]] && vals+=("$v") && log "host loopback run $i: $v Gbit/s"
done
set_cell c2h host "$(median "${vals[@]}")"

# ---- 2. host -> container, and idle memory
row h2c_fast
row h2c_stack
log "== host -> container through -p 127.0.0.1:HOSTPORT:5201 ($SECS s, $runs runs)"
host_to_ctr h2c_fast rsp "" mem_h2c_fast mem_idle
host_to_ctr h2c_stack rsp slirp:port_handler=slirp mem_h2c_stack
if $have_p; then
  host_to_ctr h2c_fast podman "" mem_h2c_fast mem_idle
  host_to_ctr h2c_stack podman slirp4netns:port_handler=slirp4netns mem_h2c_stack
fi
! $have_pasta || host_to_ctr h2c_fast pasta "" mem_h2c_fast mem_idle
set_cell h2c_fast host "${R[c2h|host]}"

# ---- 3. connection rate
row cr_fast
row cr_stack
log "== connection rate through -p ($CR_WHAT; up to $CONNS connections or $CONN_SECS s per run, $runs runs)"
conn_rate cr_fast rsp ""
conn_rate cr_stack rsp slirp:port_handler=slirp
if $have_p; then
  conn_rate cr_fast podman ""
  conn_rate cr_stack podman slirp4netns:port_handler=slirp4netns
fi
! $have_pasta || conn_rate cr_fast pasta ""
hp=$(free_port)
if [[ $CR_MODE == recv ]]; then
  "$WORK/acceptd" "$hp" 127.0.0.1 &
else
  busybox httpd -f -p "127.0.0.1:$hp" -h "$WORK/www" &
fi
BG_PIDS+=($!)
if wait_listen $! "$hp"; then conn_runs cr_fast host "$hp"; fi

fi

# ---- 5. a user-defined network (issue 20)
user_net_pids() { # ENGINE: what serves the network besides the containers
  case $1 in
    rsp) ;; # nothing: the bridge is the kernel's, held by the monitors
    podman)
      pgrep -u "$(id -u)" -x aardvark-dns || true
      # The rootless netns' own network process (Podman 4: slirp4netns
      # with the rootless-netns path in its command line; Podman 5: pasta).
      local p
      for p in $(pgrep -u "$(id -u)" -x slirp4netns || true) $(pgrep -u "$(id -u)" -x pasta || true); do
        grep -qz rootless-netns /proc/"$p"/cmdline 2>/dev/null && echo "$p"
      done
      ;;
  esac
}
# user_net ENGINE: both directions by name and the connection rate, on a
# fresh network of the engine's.
user_net() {
  local engine=$1 e=$rsp i v vals=() peak=0 m pids=() name dir rowk ok fail el
  [[ $engine == rsp ]] || e=$PODMAN
  $e network rm -f benchnet >/dev/null 2>&1 || true
  $e network create benchnet >/dev/null || { set_cell c2c "$engine" FAIL; return 0; }
  if ! ctr_start "$engine" net-srv-$engine benchnet "" iperf3 -s -p 5201 ||
    ! wait_listen "$CTR_PID" 5201; then
    ctr_rm "$engine" net-srv-$engine
    set_cell c2c "$engine" FAIL
    return 0
  fi
  sleep 2
  mapfile -t pids < <(user_net_pids "$engine")
  set_cell mem_un_idle "$engine" "$(rss_sum "${pids[@]}")"
  log "user network $engine: served by ${pids[*]:-nothing}: $(rss_detail "${pids[@]}")"
  for dir in "" -R; do
    vals=()
    for ((i = 1; i <= runs; i++)); do
      name=net-cli-$engine-$i
      ctr_start "$engine" "$name" benchnet "" iperf3 -J $dir -c net-srv-$engine -p 5201 -t "$SECS" || break
      ((${#pids[@]} == 0)) || sample_start "${pids[@]}"
      ctr_wait "$engine" "$name" "$WORK/c2c.json"
      if ((${#pids[@]})); then
        m=$(sample_stop)
        ((${m:-0} > peak)) && peak=$m
      fi
      v=$(gbps "$WORK/c2c.json")
      ctr_rm "$engine" "$name"
      [[ -n $v ]] || { log "ctr->ctr $engine $dir run $i FAILED: $(head -c 2000 "$WORK/c2c.json")"; break; }
      log "ctr->ctr $engine ${dir:-(client sends)} run $i: $v Gbit/s"
      vals+=("$v")
    done
    rowk=c2c
    [[ -z $dir ]] || rowk=c2c_rev
    if ((${#vals[@]} == runs)); then set_cell $rowk "$engine" "$(median "${vals[@]}")"; else set_cell $rowk "$engine" FAIL; fi
  done
  ctr_rm "$engine" net-srv-$engine
  set_cell mem_un_peak "$engine" "$peak"
  if $HAVE_CONNC && ctr_start "$engine" net-acc-$engine benchnet "" /usr/local/bin/acceptd 8080 &&
    wait_listen "$CTR_PID" 8080; then
    vals=()
    for ((i = 1; i <= runs; i++)); do
      name=net-cc-$engine-$i
      ctr_start "$engine" "$name" benchnet "" /usr/local/bin/connc net-acc-$engine 8080 "$CONNS" "$CONN_SECS" || break
      ctr_wait "$engine" "$name" "$WORK/cc.out"
      ctr_rm "$engine" "$name"
      read -r v ok fail el <"$WORK/cc.out" || true
      if [[ ! ${v:-} =~ ^[0-9]+$ ]] || ((ok == 0)); then
        log "conn rate by name $engine run $i FAILED: $(cat "$WORK/cc.out")"
        break
      fi
      log "conn rate by name $engine run $i: $v conn/s ($ok ok, $fail failed, $el s)"
      vals+=("$v")
    done
    if ((${#vals[@]} == runs)); then set_cell cr_c2c "$engine" "$(median "${vals[@]}" | cut -d. -f1)"; else set_cell cr_c2c "$engine" FAIL; fi
  fi
  ctr_rm "$engine" net-acc-$engine
  $e network rm -f benchnet >/dev/null 2>&1 || true
  # Nothing of the network may outlive its last member.
  if [[ $engine == rsp ]]; then
    local left
    left=$(pgrep -u "$(id -u)" -f -- "--root $WORK/rsp/root" || true)
    [[ -z $left ]] || NOTES+=("rsp processes left after the user-network runs: $left")
  fi
}
if [[ ${NET_USER:-1} != 0 ]]; then
  row c2c
  row c2c_rev
  row cr_c2c
  row mem_un_idle
  row mem_un_peak
  log "== user-defined network: ctr -> ctr by name ($SECS s, $runs runs)"
  user_net rsp
  ! $have_p || user_net podman
fi

row mem_idle
row mem_c2h
row mem_h2c_fast
row mem_h2c_stack

# ---- table
declare -A TITLE=(
  [c2h]="ctr -> host via 10.0.2.2 (Gbit/s)"
  [h2c_fast]="host -> ctr via -p, default (Gbit/s)"
  [h2c_stack]="host -> ctr via -p, via stack (Gbit/s)"
  [cr_fast]="$CR_WHAT, -p default (/s)"
  [cr_stack]="$CR_WHAT, -p via stack (/s)"
  [mem_idle]="net RSS idle, with -p (KiB)"
  [mem_c2h]="net RSS peak, ctr -> host (KiB)"
  [mem_h2c_fast]="net RSS peak, host -> ctr default (KiB)"
  [mem_h2c_stack]="net RSS peak, host -> ctr via stack (KiB)"
  [c2c]="user net: ctr -> ctr by name (Gbit/s)"
  [c2c_rev]="user net: ctr <- ctr by name, -R (Gbit/s)"
  [cr_c2c]="user net: connect+read 1 B+close by name (/s)"
  [mem_un_idle]="user net: RSS serving it, idle (KiB)"
  [mem_un_peak]="user net: RSS serving it, peak (KiB)"
)
echo
echo "== rsp network benchmarks ($(id -un), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); medians of $runs runs; iperf3 -t $SECS) =="
printf '%-42s' benchmark
for c in "${COLS[@]}"; do printf ' %18s' "${COL_TITLE[$c]}"; done
echo
for r in "${ROWS[@]}"; do
  printf '%-42s' "${TITLE[$r]}"
  for c in "${COLS[@]}"; do printf ' %18s' "${R[$r|$c]:-n/a}"; done
  echo
done
echo
echo "default -p handler: rsp fast path (sockets made in the container's namespace); podman rootlessport; pasta splice."
echo "via stack: rsp --network slirp:port_handler=slirp; podman --network slirp4netns:port_handler=slirp4netns."
echo "net RSS: rsp monitor (+ socket factory with -p); podman slirp4netns + rootlessport + rootlessport-child (conmon not counted); pasta process."
echo "user net: rsp network create (a kernel bridge in namespaces held by the members' monitors, no process of its own: RSS 0); podman network create (netavark bridge in the rootless netns; RSS of aardvark-dns + the rootless netns' slirp4netns/pasta)."
[[ " ${R[*]} " != *'*'* ]] || echo "*: some connections failed (see the log above)."
[[ " ${R[*]} " != *'!'* ]] || echo "!: some connections took over 200 ms in some run (see the log above)."
for n in "${NOTES[@]}"; do echo "note: $n"; done
