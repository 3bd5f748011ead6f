//! What it costs to make the write-protected image of rsp that every
//! container's processes run from (issue 14): the read-only detached
//! mount rsp makes, against the sealed memfd copy runc makes (rsp's
//! fallback). `cargo bench --bench sealed -- [BINARY] [RUNS]`; BINARY
//! defaults to this benchmark's own executable. Prints the median and
//! minimum of each, in microseconds, and what each keeps in memory.

use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    (us(v[v.len() / 2]), us(v[0]))
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let bin = args
        .first()
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::current_exe().unwrap());
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(50);
    let size = std::fs::metadata(&bin).unwrap().len();
    println!(
        "binary: {} ({:.1} MB), {runs} runs each",
        bin.display(),
        size as f64 / 1e6
    );
    type Make = fn(&std::path::Path) -> std::io::Result<std::os::fd::OwnedFd>;
    let ways: [(&str, Make, u64); 2] = [
        (
            "read-only detached mount",
            rsp_sys::exe::make_read_only_mount,
            0,
        ),
        ("sealed memfd copy", rsp_sys::exe::make_sealed_memfd, size),
    ];
    for (name, make, kept) in ways {
        let times = (0..runs)
            .map(|_| {
                let t = Instant::now();
                let fd = make(&bin).unwrap_or_else(|e| panic!("{name}: {e}"));
                let d = t.elapsed();
                drop(fd);
                d
            })
            .collect();
        let (med, min) = median(times);
        println!(
            "{name:<24} median {med:8.1} us   min {min:8.1} us   memory held per running container: {:.1} MB",
            kept as f64 / 1e6
        );
    }
}
