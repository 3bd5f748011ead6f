#!/bin/bash
# `rsp build` (issue 17) side by side with `podman build --layers`:
#   1. a 10-step Dockerfile on a Debian image (ENV, WORKDIR, RUN useradd,
#      COPY of a context of 5 000 small files, RUN over them, COPY, LABEL,
#      CMD): cold build (--no-cache), fully cached rebuild, and rebuild
#      after one of the 5 000 context files changed (the big COPY and every
#      step after it run again). Every run shares one store, as a user's
#      builds do: a --no-cache rebuild runs every step again, but a layer
#      whose content the store already has is not written again (rsp), so
#      the one-file-changed row is the one that writes a new 5 000-file
#      layer each time;
#   2. a 3-stage Dockerfile: two independent builder stages (`RUN sleep 2`
#      each, plus a little CPU work) and a final stage COPYing from both:
#      cold and cached; for rsp also each builder stage alone
#      (--target), so the overlap shows as (stage a + stage b) / whole, and
#      the overlap measured inside the build: each builder stage stamps
#      `date +%s.%N` when its RUN starts and ends, the final image carries
#      the stamps, and the two intervals' intersection is printed. Podman
#      runs stages one after another unless --jobs says otherwise: it is
#      measured with its default and with --jobs 2.
# Targets (issue 17): cached rebuild <= 0.3x Podman's time, cold <= 0.7x,
# the two independent stages measurably overlapping.
#
#   [RSP=path/to/rsp] [BENCH_RUNS=5] bench/build.sh
#
# The Debian image is made from the host's own installed packages (apt,
# passwd and what they need), as bench/ids.sh makes it, and imported with
# `rsp import` and `podman import`. An rsp without a `build` command is
# reported and its half skipped (the Podman half still runs). Nothing but
# loopback is contacted (RUN steps have --network none). Runs rootless
# (re-execs as $BENCH_USER if started as root); stores and files go at exit.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

runs=${BENCH_RUNS:-5}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS=$runs: a number of runs"
FILES=5000

rsp="$RSP --root $WORK/rsp/root --runroot $WORK/rsp/run"
have_rsp_build=true
if ! $rsp build --help >/dev/null 2>&1; then
  log "$RSP has no build command: the rsp half is skipped"
  have_rsp_build=false
fi
have_podman && podman_store "$WORK/podman"

# ---- the Debian image (debian_root_tar in lib.sh), with passwd for useradd ----
deb=$WORK/debian
debian_root_tar "$deb" passwd login diffutils libc-bin
base=localhost/bench-debian
if $have_rsp_build; then
  $rsp import -q "$deb/root.tar" "$base" >/dev/null || die "rsp import failed"
fi
if have_podman; then
  $PODMAN import -q "$deb/root.tar" "$base" >/dev/null || die "podman import failed"
fi

# ---- 1. the 10-step Dockerfile and its context of 5 000 small files ----
ctx=$WORK/ctx
python3 - "$ctx" "$FILES" <<'PY'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(17)
for i in range(n):
    d = os.path.join(root, "files", "d%02d" % (i % 50))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%05d" % i), "w") as f:
        f.write(("%d " % i) * rnd.randint(10, 200) + "\n")
with open(os.path.join(root, "app.txt"), "w") as f:
    f.write("app\n")
PY
cat >"$ctx/Dockerfile" <<'EOF'
FROM localhost/bench-debian
ENV APP_HOME=/app LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
WORKDIR /app
RUN useradd -m -d /home/app app && mkdir -p /app/data && chown app /app/data
COPY files/ /app/files/
RUN find /app/files -type f | wc -l > /app/count && du -s /app/files > /app/du
COPY app.txt /app/
RUN sha256sum /app/app.txt > /app/app.sum
LABEL org.example.bench=build
CMD ["cat", "/app/count"]
EOF
printf '.dockerignore\n' >"$ctx/.dockerignore"
changed=$ctx/files/d00/f00000
# Each run changes the same file to new contents: the COPY of files/ misses.
change="sh -c 'date +%s%N >$changed'"

# ---- 2. the 3-stage Dockerfile ----
ms=$WORK/ms
mkdir -p "$ms"
cat >"$ms/Dockerfile" <<'EOF'
FROM localhost/bench-debian AS a
RUN date +%s.%N > /a.start && sleep 2 && seq 1 200000 | sha256sum > /a.out && date +%s.%N > /a.end

FROM localhost/bench-debian AS b
RUN date +%s.%N > /b.start && sleep 2 && seq 1 200000 | sha256sum > /b.out && date +%s.%N > /b.end

FROM localhost/bench-debian
COPY --from=a /a.start /a.end /a.out /stamps/
COPY --from=b /b.start /b.end /b.out /stamps/
CMD ["sh", "-c", "cat /stamps/a.start /stamps/a.end /stamps/b.start /stamps/b.end"]
EOF

# overlap ENGINE IMAGE: the milliseconds the two builder RUNs overlapped,
# from the stamps in IMAGE (negative: the gap between them).
overlap() {
  $1 run --rm --network none "$2" | python3 -c 'import sys
a0, a1, b0, b1 = (float(x) for x in sys.stdin.read().split())
print("%.0f" % (1000 * (min(a1, b1) - max(a0, b0))))'
}

# median_ms CMD: median wall time of RUNS runs of CMD (a cold build each:
# the caller passes --no-cache), in ms; FAIL if a run fails.
median_ms() {
  local i t0 t1 times=()
  for ((i = 0; i < runs; i++)); do
    t0=$(date +%s%N)
    eval "$1" >/dev/null 2>&1 || { echo FAIL; return 0; }
    t1=$(date +%s%N)
    times+=($(((t1 - t0) / 1000000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR] = $1}
    END {print NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

build_rows() { # NAME BUILD-COMMAND (without the context)
  local name=$1 b=$2
  measure "build: 10-step, cold (--no-cache), $name" "$runs" 1 "" "$b --no-cache -t bench10 $ctx"
  measure "build: 10-step, cached, $name" "$runs" 1 "" "$b -t bench10 $ctx"
  measure "build: 10-step, one file changed, $name" "$runs" 1 "$change" "$b -t bench10 $ctx"
  measure "build: 3-stage, cold (--no-cache), $name" "$runs" 1 "" "$b --no-cache -t bench3 $ms"
  measure "build: 3-stage, cached, $name" "$runs" 1 "" "$b -t bench3 $ms"
}

if $have_rsp_build; then
  build_rows rsp "$rsp build -q --network none"
  # The image runs, and counted every file.
  n=$($rsp run --rm --network none bench10) || die "the built image does not run"
  [[ $n == "$FILES" ]] || die "the built image counted $n files, not $FILES"
  # Overlap: the whole 3-stage build against its two builder stages alone.
  whole=$(median_ms "$rsp build -q --network none --no-cache -t bench3 $ms")
  sa=$(median_ms "$rsp build -q --network none --no-cache --target a $ms")
  sb=$(median_ms "$rsp build -q --network none --no-cache --target b $ms")
  record "build: 3-stage whole, rsp" "$whole"
  record "build: stage a alone + stage b alone, rsp" "$([[ $sa == FAIL || $sb == FAIL ]] && echo FAIL || echo $((sa + sb)))"
  $rsp build -q --network none --no-cache -t bench3 "$ms" >/dev/null 2>&1 &&
    record "build: stage RUNs overlap (of ~2000), rsp" "$(overlap "$rsp" bench3)"
fi
if have_podman; then
  build_rows "podman --layers" "$PODMAN build -q --layers --network none"
  measure "build: 3-stage, cold, podman --jobs 2" "$runs" 1 "" \
    "$PODMAN build -q --layers --jobs 2 --network none --no-cache -t bench3 $ms"
  $PODMAN build -q --layers --network none --no-cache -t bench3 "$ms" >/dev/null 2>&1 &&
    record "build: stage RUNs overlap, podman" "$(overlap "$PODMAN" bench3)"
  $PODMAN build -q --layers --jobs 2 --network none --no-cache -t bench3 "$ms" >/dev/null 2>&1 &&
    record "build: stage RUNs overlap, podman --jobs 2" "$(overlap "$PODMAN" bench3)"
fi
