//! `version` and `info`.

use super::args::{Global, InfoArgs, VersionArgs};
use super::output::{self, Format};
use super::{CmdResult, open_store};
use anyhow::Context;
use serde_json::{Value, json};
use std::io::Write;

fn arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

fn print_value(
    format: Option<&str>,
    v: &Value,
    default: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> CmdResult {
    let fmt = output::parse_format(format, &[])?;
    let mut out = std::io::stdout().lock();
    match fmt {
        Format::Default => default(&mut out)?,
        Format::Json => writeln!(out, "{}", output::json_pretty(v))?,
        Format::Template { .. } => {
            output::render_template(&mut out, &fmt, std::slice::from_ref(v))?
        }
    }
    Ok(0)
}

pub fn version(a: &VersionArgs) -> CmdResult {
    let v = json!({
        "Client": {
            "Version": env!("CARGO_PKG_VERSION"),
            "OsArch": format!("linux/{}", arch()),
        }
    });
    print_value(a.format.as_deref(), &v, |out| {
        writeln!(out, "Version:      {}", env!("CARGO_PKG_VERSION"))?;
        writeln!(out, "OS/Arch:      linux/{}", arch())
    })
}

fn yaml(out: &mut dyn Write, v: &Value, indent: usize) -> std::io::Result<()> {
    let pad = " ".repeat(indent);
    if let Value::Object(map) = v {
        for (k, val) in map {
            match val {
                Value::Object(_) => {
                    writeln!(out, "{pad}{k}:")?;
                    yaml(out, val, indent + 2)?;
                }
                Value::Array(items) => {
                    writeln!(out, "{pad}{k}:")?;
                    for i in items {
                        writeln!(
                            out,
                            "{pad}- {}",
                            i.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| i.to_string())
                        )?;
                    }
                }
                Value::String(s) => writeln!(out, "{pad}{k}: {s}")?,
                other => writeln!(out, "{pad}{k}: {other}")?,
            }
        }
    }
    Ok(())
}

pub fn info(g: &Global, a: &InfoArgs) -> CmdResult {
    let (paths, store) = open_store(g)?;
    let userns = rsp_runtime::userns::probe();
    let uname = nix::sys::utsname::uname()?;
    let images = store.images().map(|d| d.images.len()).unwrap_or(0);
    let containers = rsp_runtime::container::list(&store).unwrap_or_default();
    let running = containers
        .iter()
        .filter(|c| c.state.status == rsp_runtime::container::Status::Running)
        .count();
    let cgroup_v2 = std::path::Path::new("/sys/fs/cgroup/cgroup.controllers").exists();
    let (driver, reason) = rsp_storage::driver::select(g.storage_driver.as_deref(), &paths.root)?;
    // Which limit flags work here, and why the others do not.
    let placement = rsp_runtime::cgroup::placement();
    let mut controllers = Vec::new();
    let mut limits = serde_json::Map::new();
    for (controller, flags) in [
        ("memory", "--memory, --memory-swap, --memory-reservation"),
        ("cpu", "--cpus, --cpu-shares, --cpu-weight"),
        ("cpuset", "--cpuset-cpus"),
        ("pids", "--pids-limit"),
        ("io", "--blkio-weight"),
    ] {
        let state = match &placement {
            Ok(p) if p.controllers.iter().any(|c| c == controller) => {
                controllers.push(controller);
                format!(
                    "available (cgroup v2, containers in {})",
                    p.parent.display()
                )
            }
            Ok(p) if p.has(controller) => {
                controllers.push(controller);
                format!(
                    "available (cgroup v1 hierarchy, containers in {})",
                    p.v1_dir(controller)
                        .map(|d| d.display().to_string())
                        .unwrap_or_default()
                )
            }
            Ok(p) => format!("unavailable: {}", p.why_not(controller)),
            Err(why) => format!("unavailable: {why}"),
        };
        limits.insert(
            controller.to_string(),
            json!({ "flags": flags, "state": state }),
        );
    }
    let v = json!({
        "host": {
            "arch": arch(),
            "os": "linux",
            "kernel": uname.release().to_string_lossy(),
            "hostname": uname.nodename().to_string_lossy(),
            "cgroupVersion": if cgroup_v2 { "v2" } else { "v1" },
            "cgroupManager": "cgroupfs",
            "cgroupControllers": controllers,
            "limits": limits,
            "security": {
                "rootless": !nix::unistd::getuid().is_root(),
                "capabilities": rsp_runtime::caps::names(rsp_runtime::caps::DEFAULT).join(","),
                "seccompEnabled": true,
                "seccompProfilePath": "(rsp's default, built in)",
            },
            "userNamespaces": {
                "available": userns.is_ok(),
                "detail": match &userns { Ok(()) => "unprivileged user namespaces work".to_string(), Err(e) => e.clone() },
                "uidMapping": format!("container user -> {} (one id, no /etc/subuid needed)", nix::unistd::getuid()),
            },
        },
        "store": {
            "graphRoot": paths.root.display().to_string(),
            "runRoot": paths.runroot.display().to_string(),
            "graphDriverName": driver.as_str(),
            "graphDriverReason": format!("{}; {reason}", driver.describe()),
            "imageStore": { "number": images },
            "containerStore": { "number": containers.len(), "running": running, "stopped": containers.len() - running },
        },
        "version": {
            "Version": env!("CARGO_PKG_VERSION"),
            "OsArch": format!("linux/{}", arch()),
        },
    });
    print_value(a.format.as_deref(), &v, |out| yaml(out, &v, 0))
}

/// `rsp system check`: what is wrong with the store, one line each, and
/// with `--repair` what was removed. Exit 0 when nothing untrusted is
/// left, 1 otherwise (findings it was not asked to repair).
pub fn check(g: &Global, a: &super::args::CheckArgs) -> CmdResult {
    if a.force && !a.repair {
        return Err(anyhow::anyhow!("--force only goes with --repair").into());
    }
    let (_, store) = open_store(g)?;
    let lock = store.lock()?;
    let findings = rsp_storage::check::check(&store, &lock, a.quick);
    for f in &findings {
        println!("{f}");
    }
    let mut left = findings.iter().filter(|f| f.damaged()).count();
    if a.repair && left > 0 {
        for line in rsp_storage::check::repair(&store, &lock, &findings, a.force)? {
            println!("{line}");
        }
        left = rsp_storage::check::check(&store, &lock, a.quick)
            .iter()
            .filter(|f| f.damaged())
            .count();
        if left > 0 {
            println!(
                "{left} problem(s) left: damaged containers are removed only with --repair --force"
            );
        }
    }
    if findings.is_empty() {
        println!("No problems found");
    }
    Ok(if left > 0 { 1 } else { 0 })
}

/// `rsp system reset`: every container (running ones killed), image and
/// layer, the runtime state, and the remembered storage driver, so the
/// next container probes the kernel again.
pub fn reset(g: &Global, a: &super::args::ResetArgs) -> CmdResult {
    let paths = rsp_base::paths::Paths::resolve(g.root.as_deref(), g.runroot.as_deref())?;
    if !a.force {
        eprint!(
            "WARNING! This will remove:\n - all containers\n - all images\n - all build cache\n - the detected storage driver\nfrom {} and {}\nAre you sure you want to continue? [y/N] ",
            paths.root.display(),
            paths.runroot.display()
        );
        let mut answer = String::new();
        let _ = std::io::stdin().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") {
            return Ok(0);
        }
    }
    if paths.root.exists() {
        let store = rsp_storage::Store::open(&paths.root)?;
        for c in rsp_runtime::container::list(&store)? {
            rsp_runtime::ops::remove(&store, &paths, &c, true, Some(0), true, &mut output::warn)
                .with_context(|| format!("removing container {}", c.config.name))?;
        }
    }
    for dir in [&paths.root, &paths.runroot] {
        rsp_storage::remove_tree(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    Ok(0)
}
