#!/bin/bash
# Prepares rootless Podman for the benchmark user $BENCH_USER (default rsptest),
# as root: /etc/subuid + /etc/subgid ranges (Podman needs them, rsp doesn't)
# and ~/.config/containers/containers.conf for this VM (cgroups v1 hybrid:
# runc + cgroupfs, file events). Does nothing if podman is not installed.
set -euo pipefail

user=${BENCH_USER:-rsptest}
command -v podman >/dev/null 2>&1 || { echo "podman not installed: skipping setup" >&2; exit 0; }
[[ $(id -u) -eq 0 ]] || { echo "setup-podman.sh: must run as root" >&2; exit 1; }
id "$user" >/dev/null

# A free 65536-id range above every range already allocated.
for f in /etc/subuid /etc/subgid; do
  touch "$f"
  if ! grep -q "^$user:" "$f"; then
    start=$(awk -F: 'BEGIN {m = 100000} $2 + $3 > m {m = $2 + $3} END {print m}' "$f")
    echo "$user:$start:65536" >>"$f"
    echo "added $user:$start:65536 to $f" >&2
  fi
done

home=$(getent passwd "$user" | cut -d: -f6)
conf=$home/.config/containers/containers.conf
if [[ ! -e $conf ]]; then
  setpriv --reuid="$user" --regid="$user" --init-groups mkdir -p "$(dirname "$conf")"
  setpriv --reuid="$user" --regid="$user" --init-groups tee "$conf" >/dev/null <<'CONF'
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
[containers]
CONF
  echo "wrote $conf" >&2
fi

# slirp4netns (Podman's default rootless network) needs /dev/net/tun, which
# this VM ships as 0600; 0666 is the usual udev default.
if [[ -c /dev/net/tun ]] && [[ $(stat -c %a /dev/net/tun) != 666 ]]; then
  chmod 0666 /dev/net/tun
  echo "chmod 0666 /dev/net/tun (for slirp4netns)" >&2
fi
