#!/bin/bash
# Storage benchmarks (issue: file-heavy workloads on each storage driver):
# the same workloads in a container of each rsp driver in $DRIVERS (default
# "overlay vfs fuse-overlay"; a driver rsp refuses is skipped with a note),
# side by side with the same image layers (rsp's own layer directories,
# $ROOT/layers/<diff-id hex>/) mounted by hand in `unshare -Urm` with
# fuse-overlayfs (/usr/bin/fuse-overlayfs, Debian package) and with the
# kernel's overlayfs (-o userxattr; a cross-check of rsp's overlay figure),
# each then entered with chroot:
#   1. unpack: `tar xf /payload.tar -C /tmp/x`, ~20 000 files of 100-2000
#      bytes in 200 directories, into the writable layer (a second row
#      counts until `sync` has written it back);
#   2. find: `find / -xdev | wc -l` over the image (~20 000 files);
#   3. stat storm, a git-status-like pass over every image file:
#      `find /tree -type f | xargs stat -c %s >/dev/null` (busybox; find
#      lstats each file, stat stats it again by its full path), twice in the
#      same container: 1st pass (fresh mount), 2nd pass (its caches warm);
#   4. write: `dd if=/dev/zero of=/big bs=1M count=$BIG_MB && sync` (default
#      1024 MiB), then read: `dd if=/big of=/dev/null bs=1M`, in the same
#      container (the file it just wrote);
# and, on a Debian image with a real /usr (issue 19's cold-container
# workloads, each in a fresh container):
#   5. `find / -xdev | wc -l`;
#   6. `tar -C /usr -cf - . | wc -c` (through a pipe: GNU tar writing to
#      /dev/null skips reading the files);
#   7. `find /usr -type f -exec cat {} + | wc -c` (~5 400 files, ~160 MB),
#      twice in one container: the 2nd pass shows whether file data stayed
#      in the page cache across opens.
# The image: busybox, /tree (the 20 000 files spread over 3 layers file by
# file: every directory is merged from 3 layers) and /payload.tar (the same
# tree) in a 4th layer (mkimage.py --tree), from a throwaway loopback
# registry. Each workload runs in a fresh container (`rsp run --rm --network
# none`) or a fresh mount (new upper and work directories), and is timed
# inside it with busybox ash's $EPOCHREALTIME (microseconds; busybox date
# has no %N), so container start-up (and vfs's copy of the image) is not
# counted. Figures: median of $BENCH_RUNS runs (default 5) in ms, after one
# untimed warm-up round; the columns take turns (rotated each round). They are
# warm-cache: dropping the page cache needs root (the host's caches are
# warm, each overlay mount's own caches start cold). Targets: fuse-overlay
# at most 2x the kernel overlay's time on the metadata workloads (1-3, 5),
# 2.5x on reading /usr (6, 7), and faster than fuse-overlayfs on each.
# The Debian image is made from the host's own packages (debian_root_tar in
# lib.sh, with perl, python3 and libc6-dev for a /usr of some size) and
# imported (`rsp import`): one layer. Its workloads run under bash (for
# $EPOCHREALTIME) with the image's GNU find, tar and cat.
#
# With RSP_BEFORE=/path/to/an/older/rsp, its fuse-overlay is one more
# column (same store, same rounds): a before/after comparison of a change.
#
#   [DRIVERS="overlay vfs fuse-overlay"] [STORAGE_WORKLOADS="unpack find stat dd dfind tar cat"]
#   [RSP_BEFORE=...] [BIG_MB=1024] [BENCH_RUNS=5] bench/storage.sh
#
# Put TMPDIR on a filesystem with few recently deleted inodes (a fresh
# loop-mounted ext4, say): on an ext4 without a journal, each file created
# where tens of thousands were just deleted costs the kernel a scan
# (recently_deleted), which adds seconds to every column and flattens the
# ratios.
#
# Only the loopback registry is contacted. Runs rootless (re-execs as
# $BENCH_USER if started as root); containers, mounts (their namespaces
# end with the runs) and directories are removed at exit, Ctrl-C included.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

runs=${BENCH_RUNS:-5}
BIG_MB=${BIG_MB:-1024}
DRIVERS=${DRIVERS:-overlay vfs fuse-overlay}
read -ra WORKLOADS <<<"${STORAGE_WORKLOADS:-unpack find stat dd dfind tar cat}"
# A run that takes longer than this (seconds) is a failure, not a figure.
RUN_TIMEOUT=600
FILES=20000
TREE_LAYERS=3
FUSE_OVERLAYFS=/usr/bin/fuse-overlayfs
[[ $BIG_MB =~ ^[1-9][0-9]*$ ]] || die "BIG_MB=$BIG_MB: a number of MiB"
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS=$runs: a number of runs"

rsp="$RSP --root $WORK/rsp/root --runroot $WORK/rsp/run"
HAND=$WORK/hand # by-hand mounts: a fresh upper/work/mnt per run

# ---- cleanup: rsp containers (all of this private store), the by-hand
# mounts' fuse-overlayfs processes (ours: their command line names $HAND)
# and directories (overlay's work/work is mode 0000).
storage_cleanup() {
  set +e
  local p ids
  for p in $(pgrep -u "$(id -u)" -x fuse-overlayfs 2>/dev/null); do
    grep -qzF -- "$HAND/" /proc/"$p"/cmdline 2>/dev/null && kill "$p" 2>/dev/null
  done
  if [[ -x $RSP && -d $WORK/rsp ]]; then
    ids=$($rsp ps -aq 2>/dev/null)
    # shellcheck disable=SC2086 # a list of ids
    [[ -z $ids ]] || $rsp rm -f $ids >/dev/null 2>&1
  fi
  [[ ! -d $HAND ]] || { chmod -R u+rwx "$HAND" 2>/dev/null; rm -rf "$HAND" 2>/dev/null; }
}
trap 'storage_cleanup; cleanup' EXIT

# ---- the workloads: busybox ash scripts printing "@ROW T0 T1 [INFO]"
# ($EPOCHREALTIME, s.us) for each timed part; `set -e`: a failure shows.
# Each starts with an untimed sync: the dirty pages of earlier runs (and of
# vfs's copy of the image) are written back before the clock starts.
# shellcheck disable=SC2016 # expanded in the container
declare -A WL=(
  [unpack]='set -e -o pipefail; busybox sync; mkdir -p /tmp/x; t0=$EPOCHREALTIME
busybox tar xf /payload.tar -C /tmp/x; t1=$EPOCHREALTIME; busybox sync; t2=$EPOCHREALTIME
echo "@unpack $t0 $t1 $(find /tmp/x -type f | wc -l) files"; echo "@unpacksync $t0 $t2"'
  [find]='set -e -o pipefail; busybox sync; t0=$EPOCHREALTIME; n=$(find / -xdev | wc -l); t1=$EPOCHREALTIME
echo "@find $t0 $t1 $n entries"'
  [stat]='set -e -o pipefail; busybox sync; t0=$EPOCHREALTIME
find /tree -type f | busybox xargs stat -c %s >/dev/null; t1=$EPOCHREALTIME
find /tree -type f | busybox xargs stat -c %s >/dev/null; t2=$EPOCHREALTIME
echo "@stat1 $t0 $t1 $(find /tree -type f | wc -l) files"; echo "@stat2 $t1 $t2"'
  [dd]="set -e; busybox sync; t0=\$EPOCHREALTIME
busybox dd if=/dev/zero of=/big bs=1M count=$BIG_MB 2>/dev/null; busybox sync; t1=\$EPOCHREALTIME
busybox dd if=/big of=/dev/null bs=1M 2>/dev/null; t2=\$EPOCHREALTIME
echo \"@write \$t0 \$t1 \$(stat -c %s /big) bytes\"; echo \"@read \$t1 \$t2\""
  # The Debian image's (bash, GNU tools).
  [dfind]='set -e -o pipefail; sync; t0=$EPOCHREALTIME; n=$(find / -xdev | wc -l); t1=$EPOCHREALTIME
echo "@dfind $t0 $t1 $n entries"'
  [tar]='set -e -o pipefail; sync; t0=$EPOCHREALTIME; n=$(tar -C /usr -cf - . | wc -c); t1=$EPOCHREALTIME
echo "@tar $t0 $t1 $n bytes"'
  [cat]='set -e -o pipefail; sync; t0=$EPOCHREALTIME; n=$(find /usr -type f -exec cat {} + | wc -c); t1=$EPOCHREALTIME
find /usr -type f -exec cat {} + | wc -c >/dev/null; t2=$EPOCHREALTIME
echo "@cat1 $t0 $t1 $(find /usr -type f | wc -l) files $n bytes"; echo "@cat2 $t1 $t2"'
)
for wl in "${WORKLOADS[@]}"; do [[ -n ${WL[$wl]:-} ]] || die "STORAGE_WORKLOADS: no workload $wl (${!WL[*]})"; done
# The workloads run on the Debian image, under bash.
declare -A DEBIAN_WL=([dfind]=1 [tar]=1 [cat]=1)
ALL_ROWS=(unpack unpacksync find stat1 stat2 write read dfind tar cat1 cat2)
declare -A TITLE=(
  [unpack]="unpack $FILES files (tar xf)"
  [unpacksync]="the same, until synced"
  [find]="find / -xdev | wc -l"
  [stat1]="stat storm, 1st pass"
  [stat2]="stat storm, 2nd pass"
  [write]="write ${BIG_MB} MiB (dd + sync)"
  [read]="read ${BIG_MB} MiB back (dd)"
  [dfind]="debian: find / -xdev | wc -l"
  [tar]="debian: tar -C /usr -cf - ."
  [cat1]="debian: cat /usr/*, 1st pass"
  [cat2]="debian: cat /usr/*, 2nd pass"
)
declare -A WL_OF=([unpack]=unpack [unpacksync]=unpack [find]=find [stat1]=stat [stat2]=stat [write]=dd [read]=dd
  [dfind]=dfind [tar]=tar [cat1]=cat [cat2]=cat)
ROWS=()
for row in "${ALL_ROWS[@]}"; do
  [[ " ${WORKLOADS[*]} " != *" ${WL_OF[$row]} "* ]] || ROWS+=("$row")
done
# Targets against the kernel overlay: 2x on metadata, 2.5x on reading /usr.
declare -A TARGET=([unpack]=2 [unpacksync]=2 [find]=2 [stat1]=2 [stat2]=2 [dfind]=2 [tar]=2.5 [cat1]=2.5 [cat2]=2.5)

# ---- by-hand mounts: hand.sh MODE LOWERDIR DIR SCRIPT SHELL, run in `unshare
# -Urm` (we are root in a user namespace that owns a mount namespace):
# mounts the layers (fuse-overlayfs, or the kernel's overlay) on DIR/mnt
# with DIR/upper and DIR/work, binds /dev (the image has an empty /dev),
# runs SCRIPT chrooted, and unmounts (fuse-overlayfs then exits; the
# mounts would go with the namespace anyway).
cat >"$WORK/hand.sh" <<EOF
#!/bin/sh
set -e
mode=\$1 lower=\$2 d=\$3 script=\$4 shell=\$5
mkdir -p "\$d/upper" "\$d/work" "\$d/mnt"
opts="lowerdir=\$lower,upperdir=\$d/upper,workdir=\$d/work"
if [ "\$mode" = fuse-overlayfs ]; then
  $FUSE_OVERLAYFS -f -o "\$opts" "\$d/mnt" 2>"\$d/fuse.log" &
  fpid=\$!
  i=0
  until grep -qF " \$d/mnt " /proc/self/mountinfo; do
    i=\$((i + 1))
    if [ \$i -gt 200 ] || ! kill -0 \$fpid 2>/dev/null; then
      echo "fuse-overlayfs did not mount: \$(cat "\$d/fuse.log")" >&2
      kill \$fpid 2>/dev/null
      exit 1
    fi
    sleep 0.05
  done
else
  mount -t overlay overlay -o "\$opts,userxattr" "\$d/mnt"
fi
[ -d "\$d/mnt/dev" ] || mkdir "\$d/mnt/dev"
mount --rbind /dev "\$d/mnt/dev"
rc=0
chroot "\$d/mnt" "\$shell" -c "\$script" || rc=\$?
umount -R "\$d/mnt" || umount -l "\$d/mnt"
[ -z "\${fpid:-}" ] || wait \$fpid || true
exit \$rc
EOF
chmod +x "$WORK/hand.sh"

# run_wl COLUMN WORKLOAD OUT: runs the workload once in a fresh container
# or mount, its output in OUT.
run_wl() {
  local col=$1 wl=$2 out=$3 d rc=0 image=$img lower=$LOWER shell=sh
  if [[ -n ${DEBIAN_WL[$wl]:-} ]]; then
    image=$deb_img lower=$DEB_LOWER shell=bash
  fi
  case $col in
    rsp:*)
      timeout "$RUN_TIMEOUT" $rsp --storage-driver "${col#rsp:}" run --rm --network none "$image" "$shell" -c "${WL[$wl]}" >"$out" 2>&1 || rc=$?
      ;;
    before:*)
      timeout "$RUN_TIMEOUT" $rsp_before --storage-driver "${col#before:}" run --rm --network none "$image" "$shell" -c "${WL[$wl]}" >"$out" 2>&1 || rc=$?
      ;;
    fuse-overlayfs | kernel)
      d=$HAND/$col-$wl
      timeout "$RUN_TIMEOUT" unshare -Urm "$WORK/hand.sh" "$col" "$lower" "$d" "${WL[$wl]}" "$shell" >"$out" 2>&1 || rc=$?
      chmod -R u+rwx "$d" 2>/dev/null
      rm -rf "$d"
      ;;
  esac
  return $rc
}

# ---- results: V[ROW|COLUMN] = "ms ms ..." (one per run), R = medians
declare -A V R INFO
ms_of() { # OUT: "ROW MS [INFO...]" per timed part
  awk '$1 ~ /^@/ {i = ""; for (k = 4; k <= NF; k++) i = i " " $k
    printf "%s %.1f%s\n", substr($1, 2), ($3 - $2) * 1000, i}' "$1"
}
median() {
  printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1}
    END {m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m}'
}

# ---- set-up
start_registry
log "building the storage image (busybox + $FILES files over $TREE_LAYERS layers + /payload.tar)"
python3 "$BENCH_DIR/mkimage.py" "$REGISTRY" bench/storage:latest --tree "$FILES" --tree-layers "$TREE_LAYERS" >/dev/null
img=$REGISTRY/bench/storage:latest
$rsp pull --tls-verify=false "$img" >"$WORK/rsp-pull.log" 2>&1 || die "rsp pull failed: $(cat "$WORK/rsp-pull.log")"
# The image's layer directories in rsp's store, top layer first (overlay's
# lowerdir order), from its record: `image inspect` GraphDriver.Data.LowerDir.
LOWER=$($rsp image inspect "$img" | python3 -c 'import json, sys
print(json.load(sys.stdin)[0]["GraphDriver"]["Data"]["LowerDir"])')
log "layers (top first): $LOWER"
IFS=: read -ra lower_dirs <<<"$LOWER"
((${#lower_dirs[@]} == TREE_LAYERS + 2)) || die "expected $((TREE_LAYERS + 2)) layers, the store lists ${#lower_dirs[@]}"
for d in "${lower_dirs[@]}"; do [[ -d $d ]] || die "layer directory $d missing"; done
deb_img=localhost/bench-debian-storage:latest
DEB_LOWER=
if [[ " ${WORKLOADS[*]} " == *" dfind "* || " ${WORKLOADS[*]} " == *" tar "* || " ${WORKLOADS[*]} " == *" cat "* ]]; then
  log "building the Debian image (the host's own packages)"
  debian_root_tar "$WORK/debian" perl python3 libc6-dev util-linux procps diffutils tar
  $rsp import -q "$WORK/debian/root.tar" "$deb_img" >"$WORK/rsp-import.log" 2>&1 ||
    die "rsp import failed: $(cat "$WORK/rsp-import.log")"
  rm -f "$WORK/debian/root.tar"
  DEB_LOWER=$($rsp image inspect "$deb_img" | python3 -c 'import json, sys
print(json.load(sys.stdin)[0]["GraphDriver"]["Data"]["LowerDir"])')
  log "Debian image layers: $DEB_LOWER"
fi
mkdir -p "$HAND"

NOTES=()
COLS=()
declare -A COL_TITLE
for drv in $DRIVERS; do
  if out=$($rsp --storage-driver "$drv" run --rm --network none "$img" true 2>&1); then
    COLS+=("rsp:$drv")
    COL_TITLE[rsp:$drv]="rsp $drv"
  else
    log "rsp refuses --storage-driver $drv: $out"
    NOTES+=("rsp --storage-driver $drv skipped: $(head -1 <<<"$out")")
  fi
done
if [[ -n ${RSP_BEFORE:-} ]]; then
  [[ -x $RSP_BEFORE ]] || die "RSP_BEFORE=$RSP_BEFORE is not executable"
  rsp_before="$RSP_BEFORE --root $WORK/rsp/root --runroot $WORK/rsp/run"
  COLS+=("before:fuse-overlay")
  COL_TITLE[before:fuse-overlay]="fuse-ovl (before)"
fi
if [[ -x $FUSE_OVERLAYFS ]]; then
  COLS+=(fuse-overlayfs)
  COL_TITLE[fuse-overlayfs]="fuse-overlayfs"
else
  NOTES+=("$FUSE_OVERLAYFS not installed (apt-get install fuse-overlayfs): column skipped")
fi
COLS+=(kernel)
COL_TITLE[kernel]="kernel ovl (hand)"

# ---- runs: round 0 is the warm-up (and a smoke test: a column whose
# workload fails is dropped, with its output in the log); the columns take
# turns within each round, starting one further each round: a run is
# slowed by what the one before it left behind (on this VM's ext4, mounted
# with discard, the 1 GiB write varies up to 4x with the order).
declare -A BROKEN
for ((r = 0; r <= runs; r++)); do
  order=("${COLS[@]:r % ${#COLS[@]}}" "${COLS[@]:0:r % ${#COLS[@]}}")
  for wl in "${WORKLOADS[@]}"; do
    for col in "${order[@]}"; do
      [[ -z ${BROKEN[$col|$wl]:-} ]] || continue
      out=$WORK/out
      if ! run_wl "$col" "$wl" "$out" || ! grep -q '^@' "$out"; then
        log "$col $wl FAILED (round $r): $(head -c 2000 "$out")"
        BROKEN[$col|$wl]=1
        continue
      fi
      line=
      while read -r row ms info; do
        ((r == 0)) || V[$row|$col]+="$ms "
        [[ -z $info ]] || INFO[$row|$col]=$info
        line+="$row $ms ms${info:+ ($info)}; "
      done < <(ms_of "$out")
      log "$( ((r == 0)) && echo warm-up || echo "run $r/$runs") ${COL_TITLE[$col]}: $line"
    done
  done
done

for row in "${ROWS[@]}"; do
  for col in "${COLS[@]}"; do
    # shellcheck disable=SC2086 # the list of runs
    [[ -z ${V[$row|$col]:-} ]] || R[$row|$col]=$(median ${V[$row|$col]})
  done
done
# Files/entries each column saw: the same image, the same counts (rsp's
# containers have a few more entries: the mount points it adds, /proc, /sys,
# /etc/hosts...). Flagged when they differ by more than 20.
for row in unpack find stat1 write dfind tar cat1; do
  [[ " ${ROWS[*]} " == *" $row "* ]] || continue
  counts=$(for col in "${COLS[@]}"; do printf '%s=%s; ' "${COL_TITLE[$col]}" "${INFO[$row|$col]:-?}"; done)
  for col in "${COLS[@]}"; do echo "${INFO[$row|$col]:-}" | cut -d' ' -f1; done | grep . | sort -n |
    awk 'NR == 1 {a = $1} {b = $1} END {exit !(b - a > 20)}' &&
    NOTES+=("$row: the columns saw different counts: $counts")
  [[ $row != find && $row != dfind ]] || NOTES+=("$row counted: $counts")
done

# ---- table
ratio() { # A B: A/B with 2 decimals, or n/a
  [[ -n $1 && -n $2 ]] && awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}' || echo n/a
}
FO=rsp:fuse-overlay
have_fo=false
[[ " ${COLS[*]} " != *" $FO "* ]] || have_fo=true
echo
echo "== rsp storage benchmarks ($(id -un), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); kernel $(uname -r); median of $runs runs, ms, warm cache) =="
printf '%-30s' workload
for col in "${COLS[@]}"; do printf ' %17s' "${COL_TITLE[$col]}"; done
! $have_fo || printf ' %14s %14s' "fuse-ovl/ovl" "fuse-ovl/f-o"
echo
for row in "${ROWS[@]}"; do
  printf '%-30s' "${TITLE[$row]}"
  for col in "${COLS[@]}"; do
    v=${R[$row|$col]:-}
    [[ -n $v ]] || { [[ -n ${BROKEN[$col|${WL_OF[$row]}]:-} ]] && v=FAIL || v=n/a; }
    printf ' %17s' "$v"
  done
  if $have_fo; then
    a=$(ratio "${R[$row|$FO]:-}" "${R[$row|rsp:overlay]:-}")
    b=$(ratio "${R[$row|$FO]:-}" "${R[$row|fuse-overlayfs]:-}")
    # Targets: TARGET[row] x overlay, < fuse-overlayfs on all.
    if [[ $a != n/a && -n ${TARGET[$row]:-} ]]; then
      awk -v x="$a" -v t="${TARGET[$row]}" 'BEGIN {exit !(x <= t)}' && a+=" ok" || a+=" MISS"
    fi
    [[ $b == n/a ]] || { awk -v x="$b" 'BEGIN {exit !(x < 1)}' && b+=" ok" || b+=" MISS"; }
    printf ' %14s %14s' "$a" "$b"
  fi
  echo
done
echo
echo "Timed inside the container (busybox ash \$EPOCHREALTIME): start-up, vfs's copy of the image and teardown are not counted."
echo "Image: busybox + $FILES files of 100-2000 bytes in 200 directories, spread over $TREE_LAYERS layers (every directory merged from all $TREE_LAYERS), and /payload.tar (the same tree) in one more layer."
echo "stat storm: find /tree -type f | xargs stat -c %s >/dev/null (busybox), twice in one container: 1st pass on a fresh mount, 2nd with its caches warm."
echo "fuse-overlayfs and kernel ovl (hand): rsp's layer directories mounted in unshare -Urm (kernel: -o userxattr) with a fresh upper/work per run, workload chrooted."
[[ -z $DEB_LOWER ]] || echo "debian: an image of the host's packages ($(wc -l <"$WORK/debian/files") paths), one layer; each workload in a fresh container, cat's 2nd pass in the same one."
echo "Warm cache: the page cache cannot be dropped unprivileged. Targets: fuse-overlay <= 2x overlay on unpack/find/stat/debian find, <= 2.5x on debian tar/cat, and < fuse-overlayfs on every row."
! $have_fo || echo "fuse-ovl/ovl: rsp fuse-overlay / rsp overlay; fuse-ovl/f-o: rsp fuse-overlay / fuse-overlayfs; ok or MISS against those targets."
for n in "${NOTES[@]}"; do echo "note: $n"; done
