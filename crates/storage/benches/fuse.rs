//! What rsp's FUSE overlay (the fuse-overlay storage driver) costs
//! metadata-heavy work: stat and readdir storms, as `git status` or `find`
//! make, through a real mount against the same tree read from disk. The
//! tree: 100 directories of 100 files, the directories alternating between
//! two layers. `cargo bench --bench fuse -- [PASSES]` (default 5, at least
//! 2). Prints the first pass through the fresh mount (the kernel caches no
//! entry or attribute yet) and the median and minimum of the later ones,
//! then the median and minimum of the passes over both layers on disk, in
//! milliseconds.
//!
//! Mounts as a container does (`/dev/fuse` opened, `mount(2)`, then
//! [`rsp_storage::fuse::serve`]), so it needs `/dev/fuse` and unprivileged
//! user namespaces: it re-executes itself under `unshare -Urm`
//! (util-linux). Unprivileged, and nothing outside its temporary directory
//! (under `TMPDIR`) is touched; the mount ends with its namespace.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const INSIDE: &str = "RSP_FUSE_BENCH_IN_NAMESPACE";
const DIRS: usize = 100;
const FILES: usize = 100;

/// Lists every directory under `root` and lstats each entry; returns how
/// many entries it saw.
fn storm(root: &Path) -> usize {
    let mut n = 0;
    for d in fs::read_dir(root).unwrap() {
        for f in fs::read_dir(d.unwrap().path()).unwrap() {
            fs::symlink_metadata(f.unwrap().path()).unwrap();
            n += 1;
        }
    }
    n
}

/// Times `passes` storms, checking each saw `want` entries.
fn passes(passes: usize, want: usize, mut one: impl FnMut() -> usize) -> Vec<Duration> {
    (0..passes)
        .map(|_| {
            let t = Instant::now();
            let n = one();
            let d = t.elapsed();
            assert_eq!(n, want, "entries seen");
            d
        })
        .collect()
}

/// Median and minimum, in ms.
fn median(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    (ms(v[v.len() / 2]), ms(v[0]))
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let n: usize = args
        .first()
        .and_then(|p| p.parse().ok())
        .unwrap_or(5)
        .max(2);
    if std::env::var_os(INSIDE).is_none() {
        let status = Command::new("unshare")
            .args(["-Urm", "--"])
            .arg(std::env::current_exe().unwrap())
            .args(&args)
            .env(INSIDE, "1")
            .status()
            .expect("running unshare (util-linux)");
        std::process::exit(status.code().unwrap_or(1));
    }

    let tmp = tempfile::tempdir().unwrap();
    let dir = |name: &str| {
        let p = tmp.path().join(name);
        fs::create_dir(&p).unwrap();
        p
    };
    let layers: Vec<PathBuf> = vec![dir("l0"), dir("l1")];
    let (upper, work, mnt) = (dir("upper"), dir("work"), dir("mnt"));
    for d in 0..DIRS {
        let sub = layers[d % 2].join(format!("d{d}"));
        fs::create_dir(&sub).unwrap();
        for f in 0..FILES {
            fs::write(sub.join(format!("f{f}")), "x").unwrap();
        }
    }

    let dev = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/fuse")
        .expect("opening /dev/fuse");
    let opts = rsp_storage::driver::fuse_mount_data(&dev, 0, 0);
    nix::mount::mount(
        Some("rsp-bench"),
        &mnt,
        Some("fuse"),
        nix::mount::MsFlags::MS_NOSUID | nix::mount::MsFlags::MS_NODEV,
        Some(opts.as_str()),
    )
    .expect("mounting FUSE in the user namespace");
    let server = rsp_storage::fuse::serve(dev.into(), layers.clone(), upper, work, (0, 0)).unwrap();
    let want = DIRS * FILES;
    let mut fuse = passes(n, want, || storm(&mnt));
    nix::mount::umount2(&mnt, nix::mount::MntFlags::MNT_DETACH).unwrap();
    server.join().unwrap();
    let disk = passes(n, want, || storm(&layers[0]) + storm(&layers[1]));

    println!("tree: {DIRS} directories x {FILES} files over 2 layers, {n} passes each");
    let first = fuse.remove(0).as_secs_f64() * 1e3;
    println!("{:<32} {first:8.1} ms", "fuse mount, first pass");
    let (fuse_med, fuse_min) = median(fuse);
    println!(
        "{:<32} median {fuse_med:8.1} ms   min {fuse_min:8.1} ms",
        "fuse mount, later passes"
    );
    let (disk_med, disk_min) = median(disk);
    println!(
        "{:<32} median {disk_med:8.1} ms   min {disk_min:8.1} ms",
        "disk, both layers"
    );
}
