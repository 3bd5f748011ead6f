#!/usr/bin/env python3
"""Build a test image from the host's busybox-static and push it to a
registry on loopback over plain HTTP.

  mkimage.py REGISTRY REPO:TAG [--big MB --layers N] [--with-binary PATH[=DEST]]...
             [--tree FILES --tree-layers N [--tree-owner UID]]
  mkimage.py REGISTRY REPO:TAG --host-debian

With --big, adds N layers of incompressible data totalling about MB megabytes
(compressed), for pull benchmarks. With --with-binary (repeatable), adds one
layer holding the host's binary PATH (at DEST in the image if given, else
at PATH) plus every library `ldd PATH` lists and the dynamic loader, each at
the path ldd gives (symlinks on the host are followed: the image gets
regular files), e.g. --with-binary /usr/bin/iperf3 for the network
benchmark. With --tree, adds a file tree for the storage benchmark: FILES
small files (100-2000 bytes, deterministic text) under /tree/aNN/bNN/ (20 x 10
directories), spread over N layers (default 3) file by file, so that every
directory is merged from all N layers; then one more layer holding
/payload.tar (an uncompressed tar of the same tree, at tree/... inside) and
an empty /dev (a mount point for runs outside rsp, e.g. chroot); with
--tree-owner, the tree's entries belong to UID:UID (an image with recorded
owners, for the id emulation benchmark).

With --host-debian, the image is instead a Debian-like one of five layers
made from the host's own files (no busybox layer): the merged-usr symlinks,
/etc, /usr/bin and /usr/sbin; shared libraries; Python; /usr/share; GCC
and headers (HOST_LAYERS: each directory walked in sorted order, within a budget of
files and bytes per layer, files over 16 MB and files the user cannot read
left out). Real modes, mtimes, symlinks and hard links; owners 0:0; gzip
level 6 as `docker push` and `podman push` compress. On a Debian 12 host
this is 7 988 entries (5 206 regular files, 1 785 symlinks, 993
directories, 4 hard links), 342 MB unpacked and about 115 MB compressed:
the shape of a real distribution image, for the unpacking benchmark. It
prints the totals on stderr.

Only ever talks to the registry given, which must be on loopback.
"""
import gzip, hashlib, io, json, os, random, re, stat, subprocess, sys, tarfile, time, urllib.request, urllib.parse

BUSYBOX = "/bin/busybox"
APPLETS = ["sh", "ls", "cat", "echo", "id", "env", "true", "false", "sleep", "stat", "hostname", "mount", "ps", "test", "wc", "grep", "touch", "rm", "mkdir", "pwd", "uname", "nc", "httpd", "tty", "stty", "head", "kill", "find"]


def tar_layer(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for e in entries:
            ti = tarfile.TarInfo(e["name"])
            ti.mtime = 1700000000
            ti.mode = e.get("mode", 0o644)
            ti.uid, ti.gid = e.get("uid", 0), e.get("gid", 0)
            if e.get("dir"):
                ti.type = tarfile.DIRTYPE
                t.addfile(ti)
            elif "link" in e:
                ti.type = tarfile.SYMTYPE
                ti.linkname = e["link"]
                t.addfile(ti)
            else:
                data = e["data"]
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def busybox_layer():
    entries = [{"name": d, "dir": True, "mode": 0o755} for d in ["bin", "etc", "root", "tmp", "var", "var/www", "home"]]
    entries[3]["mode"] = 0o1777
    entries.append({"name": "bin/busybox", "mode": 0o755, "data": open(BUSYBOX, "rb").read()})
    entries += [{"name": "bin/" + a, "link": "busybox", "mode": 0o777} for a in APPLETS]
    entries.append({"name": "etc/passwd", "data": b"root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n"})
    entries.append({"name": "etc/group", "data": b"root:x:0:\nwww-data:x:33:\nnogroup:x:65534:\n"})
    return tar_layer(entries)


def big_layers(total_mb, n):
    rnd = random.Random(42)
    per = total_mb * 1000 * 1000 // n
    out = []
    for i in range(n):
        out.append(tar_layer([{"name": "data%d" % i, "dir": True, "mode": 0o755},
                              {"name": "data%d/blob" % i, "data": rnd.randbytes(per)}]))
    return out


def tree_files(nfiles):
    """(path, data) of the --tree files: 20 x 10 directories, deterministic."""
    rnd = random.Random(7)
    ndirs = 200
    out = []
    for i in range(nfiles):
        d = i % ndirs
        path = "tree/a%02d/b%02d/f%05d" % (d // 10, d % 10, i)
        line = b"%s %d\n" % (path.encode(), i)
        out.append((path, (line * (2000 // len(line) + 1))[:rnd.randint(100, 2000)]))
    return out


def tree_layers(nfiles, n, owner=0):
    """N layers holding the tree (file i in layer i % N, every directory in
    each), then a layer with /payload.tar (the same tree) and /dev."""
    files = tree_files(nfiles)
    dirs = ["tree"] + ["tree/a%02d" % a for a in range(20)] + \
        ["tree/a%02d/b%02d" % (a, b) for a in range(20) for b in range(10)]
    dirents = [{"name": d, "dir": True, "mode": 0o755, "uid": owner, "gid": owner} for d in dirs]
    out = []
    for k in range(n):
        out.append(tar_layer(dirents + [{"name": p, "data": data, "uid": owner, "gid": owner}
                                        for j, (p, data) in enumerate(files) if j % n == k]))
    payload = tar_layer(sorted(dirents, key=lambda e: e["name"]) + [{"name": p, "data": data} for p, data in sorted(files)])
    out.append(tar_layer([{"name": "dev", "dir": True, "mode": 0o755},
                          {"name": "payload.tar", "data": payload}]))
    return out


# (directories, max entries, max MB) per layer of --host-debian.
HOST_LAYERS = [
    (["/etc", "/usr/bin", "/usr/sbin"], 2000, 100),
    (["/usr/lib/x86_64-linux-gnu"], 2000, 140),
    (["/usr/lib/python3.11", "/usr/lib/python3"], 1800, 60),
    (["/usr/share"], 2000, 40),
    (["/usr/lib/gcc", "/usr/include"], 1000, 60),
]
HOST_MAX_FILE = 16 << 20


def host_layers():
    """The --host-debian layers, as raw tars, and (entries, bytes) totals."""
    out, entries, size = [], 0, 0
    for n, (roots, max_entries, max_mb) in enumerate(HOST_LAYERS):
        buf = io.BytesIO()
        budget, count, seen = max_mb << 20, 0, set()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
            def add(path):
                nonlocal budget, count
                name = path.lstrip("/")
                if name in seen:
                    return True
                # Parents first, as tar does (they may be outside the roots).
                parent = os.path.dirname(name)
                if parent and parent not in seen:
                    add("/" + parent)
                st = os.lstat(path)
                if stat.S_ISREG(st.st_mode):
                    if st.st_size > HOST_MAX_FILE or st.st_size > budget or not os.access(path, os.R_OK):
                        return True
                    budget -= st.st_size
                elif not (stat.S_ISDIR(st.st_mode) or stat.S_ISLNK(st.st_mode)):
                    return True
                ti = t.gettarinfo(path, name)
                ti.uid = ti.gid = 0
                ti.uname = ti.gname = ""
                if ti.isreg():
                    with open(path, "rb") as f:
                        t.addfile(ti, f)
                else:
                    t.addfile(ti)
                seen.add(name)
                count += 1
                return count < max_entries
            if n == 0:
                for link, target in [("bin", "usr/bin"), ("sbin", "usr/sbin"), ("lib", "usr/lib"), ("lib64", "usr/lib64")]:
                    ti = tarfile.TarInfo(link)
                    ti.type, ti.linkname, ti.mode, ti.mtime = tarfile.SYMTYPE, target, 0o777, 1700000000
                    t.addfile(ti)
            full = False
            for root in roots:
                for dirpath, dirnames, filenames in os.walk(root):
                    dirnames.sort()
                    # Unreadable directories cannot be walked by the user.
                    dirnames[:] = [d for d in dirnames if os.access(os.path.join(dirpath, d), os.R_OK | os.X_OK)
                                   or os.path.islink(os.path.join(dirpath, d))]
                    names = [dirpath] + [os.path.join(dirpath, f) for f in sorted(filenames)]
                    names += [os.path.join(dirpath, d) for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
                    for path in names:
                        if not add(path):
                            full = True
                            break
                    if full:
                        break
                if full:
                    break
        out.append(buf.getvalue())
        entries += count
        size += (max_mb << 20) - budget
    return out, entries, size


def binary_layer(specs):
    """The binaries SPECS (PATH or PATH=DEST) with their shared libraries and
    loader (per ldd)."""
    files = []  # (host path, path in the image)
    for spec in specs:
        path, _, dest = spec.partition("=")
        path = os.path.abspath(path)
        files.append((path, dest or path))
        out = subprocess.run(["ldd", path], capture_output=True, text=True)
        if out.returncode != 0 and "not a dynamic executable" not in out.stdout + out.stderr:
            sys.exit("ldd %s failed: %s" % (path, out.stderr.strip()))
        for line in out.stdout.splitlines():
            if "not found" in line:
                sys.exit("ldd %s: %s" % (path, line.strip()))
            # "libx.so => /lib/libx.so (0x...)" or "/lib64/ld-linux.so.2 (0x...)";
            # linux-vdso has no file.
            m = re.search(r"(?:=>\s*)?(/\S+)\s+\(0x", line)
            if m:
                files.append((m.group(1), m.group(1)))
    dirs, entries, seen = set(), [], set()
    for f, dest in files:
        name = os.path.normpath(dest).lstrip("/")
        if name in seen:
            continue
        seen.add(name)
        parts = name.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in dirs:
                dirs.add(d)
                entries.append({"name": d, "dir": True, "mode": 0o755})
        st = os.stat(f)  # follows symlinks: the layer holds the real file
        entries.append({"name": name, "mode": st.st_mode & 0o7777, "data": open(f, "rb").read()})
    # Directories before their contents.
    entries.sort(key=lambda e: (not e.get("dir"), e["name"]))
    return tar_layer(entries)


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def req(method, url, data=None, headers=None):
    r = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    with urllib.request.urlopen(r, timeout=60) as resp:
        return resp.status, dict(resp.headers), resp.read()


def push_blob(reg, repo, data):
    d = sha(data)
    try:
        req("HEAD", f"http://{reg}/v2/{repo}/blobs/{d}")
        return d
    except urllib.error.HTTPError:
        pass
    _, h, _ = req("POST", f"http://{reg}/v2/{repo}/blobs/uploads/")
    loc = urllib.parse.urljoin(f"http://{reg}/", h["Location"])
    sep = "&" if "?" in loc else "?"
    req("PUT", f"{loc}{sep}digest={d}", data=data, headers={"Content-Type": "application/octet-stream"})
    return d


def main():
    reg, ref = sys.argv[1], sys.argv[2]
    host = reg.split(":")[0]
    assert host in ("localhost", "::1") or host.startswith("127."), "loopback registries only"
    repo, tag = ref.rsplit(":", 1)
    level = 1
    if "--host-debian" in sys.argv:
        layers, entries, size = host_layers()
        print("host-debian: %d layers, %d entries, %.0f MB of file data"
              % (len(layers), entries, size / 1e6), file=sys.stderr)
        level = 6
    else:
        layers = [busybox_layer()]
    if "--big" in sys.argv:
        mb = int(sys.argv[sys.argv.index("--big") + 1])
        n = int(sys.argv[sys.argv.index("--layers") + 1]) if "--layers" in sys.argv else 4
        layers += big_layers(mb, n)
    bins = [sys.argv[i + 1] for i, a in enumerate(sys.argv[:-1]) if a == "--with-binary"]
    if bins:
        layers.append(binary_layer(bins))
    if "--tree" in sys.argv:
        nfiles = int(sys.argv[sys.argv.index("--tree") + 1])
        n = int(sys.argv[sys.argv.index("--tree-layers") + 1]) if "--tree-layers" in sys.argv else 3
        owner = int(sys.argv[sys.argv.index("--tree-owner") + 1]) if "--tree-owner" in sys.argv else 0
        layers += tree_layers(nfiles, n, owner)
    descs, diff_ids = [], []
    for raw in layers:
        comp = gzip.compress(raw, compresslevel=level, mtime=0)
        diff_ids.append(sha(raw))
        descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": push_blob(reg, repo, comp), "size": len(comp)})
    config = json.dumps({"created": "2024-01-01T00:00:00Z", "architecture": "amd64", "os": "linux",
                         "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["sh"]},
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    cdesc = {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": push_blob(reg, repo, config), "size": len(config)}
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": cdesc, "layers": descs}).encode()
    req("PUT", f"http://{reg}/v2/{repo}/manifests/{tag}", data=manifest, headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
    print(sha(config))


if __name__ == "__main__":
    main()
