//! `run`, `ps`, `rm`, `inspect`, `container ...`.

use super::args::{
    ContainerCommand, ExistsArgs, FormatOnlyArgs, Global, InspectArgs, PsArgs, RmArgs, RunArgs,
};
use super::output::{self, Format};
use super::{CmdResult, Failure, open_store};
use crate::image::config::ImageConfig;
use crate::paths::Paths;
use crate::runtime::attach::{AttachOptions, parse_detach_keys};
use crate::runtime::container::{self, Container, ContainerConfig, Mount, Status};
use crate::runtime::monitor::Launch;
use crate::runtime::process;
use crate::storage::{ImageRecord, Store};
use anyhow::{Context, anyhow, bail};
use serde_json::{Value, json};
use std::io::Write;

/// Set in the environment of an rsp that re-executed itself after pulling,
/// so it does not pull again.
const PULLED_ENV: &str = "_RSP_PULLED";

/// Finds the image for `run`, pulling it as `--pull` says. Returns None
/// after a pull: the caller must re-execute (see [`reexec`]).
fn image_for_run(store: &Store, a: &RunArgs) -> anyhow::Result<Option<ImageRecord>> {
    let pulled = std::env::var_os(PULLED_ENV).is_some();
    let db = store.images()?;
    let found = crate::image::lookup(&db, &a.image);
    let must_pull = !pulled
        && match a.pull.as_str() {
            "always" | "newer" => true,
            "never" => false,
            _ => found.is_err(),
        };
    if must_pull {
        super::images::pull_into(store, &a.image, &a.pull_opts, a.quiet)?;
        return Ok(None);
    }
    Ok(Some(found?.clone()))
}

/// Replaces this process with a fresh rsp with the same arguments. After a
/// pull, worker threads may linger; the container must be forked from a
/// single-threaded process.
fn reexec() -> anyhow::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let args: Vec<CString> = std::env::args_os()
        .filter_map(|a| CString::new(a.as_bytes()).ok())
        .collect();
    let mut env = process::environ_cstrings();
    env.push(CString::new(format!("{PULLED_ENV}=1"))?);
    let exe = CString::new("/proc/self/exe")?;
    let e = nix::unistd::execve(&exe, &args, &env).unwrap_err();
    Err(anyhow!("re-executing rsp after the pull: {e}"))
}

pub(super) fn parse_env_file(path: &std::path::Path) -> anyhow::Result<Vec<String>> {
    let data = std::fs::read_to_string(path)
        .with_context(|| format!("reading --env-file {}: check the path", path.display()))?;
    let mut env = Vec::new();
    for (n, line) in data.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let kv = expand_env(line)
            .with_context(|| format!("--env-file {} line {}", path.display(), n + 1))?;
        env.extend(kv);
    }
    Ok(env)
}

/// `KEY=VALUE` as is; a bare `KEY` takes rsp's own value, or is dropped. As in Podman, white
/// space before the name is dropped, and an empty name (`=VALUE`, `''`) or one with white
/// space in it is refused.
pub(super) fn expand_env(kv: &str) -> anyhow::Result<Option<String>> {
    let kv = kv.trim_start();
    let (name, value) = match kv.split_once('=') {
        Some((name, value)) => (name, Some(value)),
        None => (kv, None),
    };
    if name.is_empty() {
        bail!("invalid environment variable: {kv:?}: use KEY=VALUE");
    }
    if name.contains(char::is_whitespace) {
        bail!("name {name:?} has white spaces, poorly formatted name");
    }
    if kv.contains('\0') {
        bail!("invalid environment variable: {kv:?}: it contains a NUL byte");
    }
    Ok(match value {
        Some(_) => Some(kv.to_string()),
        None => std::env::var(name).ok().map(|v| format!("{name}={v}")),
    })
}

/// `--env-file` files in order, then `-e` options: what the user asked for.
pub(super) fn user_env(
    files: &[std::path::PathBuf],
    env: &[String],
) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for f in files {
        out.extend(parse_env_file(f)?);
    }
    for e in env {
        out.extend(expand_env(e)?);
    }
    Ok(out)
}

fn parse_volume(spec: &str) -> anyhow::Result<Mount> {
    let parts: Vec<&str> = spec.split(':').collect();
    let (src, dst, opts) = match parts.as_slice() {
        [s, d] => (*s, *d, ""),
        [s, d, o] => (*s, *d, *o),
        _ => bail!("invalid volume {spec:?}: use -v HOST-DIR:CONTAINER-DIR[:ro]"),
    };
    if !(src.starts_with('/') || src.starts_with('.')) {
        bail!("volume {spec:?}: named volumes are not supported yet: give an absolute host path");
    }
    if !dst.starts_with('/') {
        bail!("volume {spec:?}: the container path {dst:?} must be absolute");
    }
    let mut readonly = false;
    for o in opts.split(',').filter(|o| !o.is_empty()) {
        match o {
            "ro" => readonly = true,
            "rw" => readonly = false,
            // SELinux relabelling and propagation options mean nothing here.
            "z" | "Z" | "rprivate" | "private" | "rbind" | "bind" => {}
            _ => bail!("volume {spec:?}: unknown option {o:?}: use ro or rw"),
        }
    }
    let source = std::fs::canonicalize(src)
        .with_context(|| format!("volume source {src}: create it first or fix the -v option"))?;
    Ok(Mount {
        source: source.display().to_string(),
        destination: dst.to_string(),
        readonly,
    })
}

/// `--network`: the mode rsp records (slirp, none or host) and the
/// slirp options. Podman's and Docker's names for a private network with
/// outbound access all mean rsp's own stack.
fn parse_network(spec: &str) -> anyhow::Result<(String, crate::net::NetOptions)> {
    let (mode, opts) = match spec.split_once(':') {
        Some((m, o)) => (m, Some(o)),
        None => (spec, None),
    };
    match mode {
        "none" | "host" if opts.is_none() => Ok((mode.to_string(), Default::default())),
        "slirp" | "slirp4netns" => Ok((
            "slirp".into(),
            crate::net::NetOptions::parse(opts.unwrap_or(""))?,
        )),
        "pasta" | "bridge" | "private" | "default" if opts.is_none() => {
            Ok(("slirp".into(), Default::default()))
        }
        _ => bail!("unknown network mode {spec:?}: use slirp[:OPTIONS], none or host"),
    }
}

fn parse_entrypoint(e: &str) -> anyhow::Result<Vec<String>> {
    if e.trim_start().starts_with('[') {
        return serde_json::from_str(e)
            .with_context(|| format!("--entrypoint {e:?} is not a JSON array of strings"));
    }
    Ok(if e.is_empty() {
        vec![]
    } else {
        vec![e.to_string()]
    })
}

fn build_config(store: &Store, a: &RunArgs, rec: &ImageRecord) -> anyhow::Result<ContainerConfig> {
    let img: ImageConfig = store
        .get_blob(&format!("sha256:{}", rec.id))
        .ok()
        .and_then(|b| ImageConfig::parse(&b).ok())
        .unwrap_or_default();
    let ic = &img.config;
    let entrypoint = match &a.entrypoint {
        Some(e) => Some(parse_entrypoint(e)?),
        None => None,
    };
    let image_ep = ic.entrypoint.clone().unwrap_or_default();
    let image_cmd = ic.cmd.clone().unwrap_or_default();
    let args = match &entrypoint {
        Some(ep) => {
            let mut v = ep.clone();
            v.extend(a.command.iter().cloned());
            if v.is_empty() {
                return Err(process::ProcessError::NoCommand.into());
            }
            v
        }
        None => process::argv(&image_ep, &image_cmd, None, &a.command)?,
    };

    let (network, net_options) = parse_network(&a.network)?;
    let mut ports = a
        .publish
        .iter()
        .map(|p| crate::net::parse_publish(p))
        .collect::<Result<Vec<_>, _>>()?;
    if a.publish_all {
        let mut keys: Vec<String> = ic
            .exposed_ports
            .as_ref()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        keys.extend(a.expose.iter().cloned());
        for m in crate::net::ports::exposed(&keys)? {
            let dup = ports
                .iter()
                .any(|p| p.container_port == m.container_port && p.protocol == m.protocol);
            if !dup {
                ports.push(m);
            }
        }
    }
    match network.as_str() {
        "host" if !ports.is_empty() => {
            log::warn!("published ports are discarded with the host network");
            ports.clear();
        }
        "none" if !ports.is_empty() => {
            bail!("ports cannot be published with --network none: use the default slirp network")
        }
        _ => {}
    }
    crate::net::ports::assign_host_ports(&mut ports)?;
    let (restart_policy, restart_max) = parse_restart(&a.restart)?;
    if restart_policy != "no" && a.rm {
        bail!(
            "the --rm option conflicts with --restart {}: choose one",
            a.restart
        );
    }
    if let Some(s) = &a.stop_signal
        && crate::runtime::ops::parse_signal(s).is_none()
    {
        bail!("invalid --stop-signal {s:?}: use a name such as SIGTERM or a number");
    }
    if a.log_driver == "passthrough" && (a.detach || a.tty) {
        bail!(
            "the passthrough log driver cannot be used with {}: use --log-driver k8s-file",
            if a.detach { "--detach" } else { "--tty" }
        );
    }
    let log_max_size = parse_log_opts(&a.log_opt)?;
    let mut labels = ic.labels.clone().unwrap_or_default();
    labels.extend(parse_labels(&a.label)?);
    let id = container::random_id();
    let hostname = match &a.hostname {
        Some(h) => h.clone(),
        None if network == "host" => nix::unistd::gethostname()
            .map(|h| h.to_string_lossy().into_owned())
            .unwrap_or_else(|_| id[..12].to_string()),
        None => id[..12].to_string(),
    };

    let layer_dirs: Vec<_> = rec
        .layers
        .iter()
        .filter_map(|d| store.layer_path(d).ok())
        .collect();
    let user_spec = a
        .user
        .clone()
        .or_else(|| ic.user.clone())
        .unwrap_or_default();
    let user = process::resolve_user(
        &user_spec,
        process::read_from_layers(&layer_dirs, "/etc/passwd").as_deref(),
        process::read_from_layers(&layer_dirs, "/etc/group").as_deref(),
    )?;

    let workdir = match &a.workdir {
        Some(w) if !w.starts_with('/') => bail!("working directory {w:?} must be an absolute path"),
        Some(w) => w.clone(),
        None => ic
            .working_dir
            .clone()
            .filter(|w| !w.is_empty())
            .unwrap_or_else(|| "/".into()),
    };

    let image_env = ic.env.clone().unwrap_or_default();
    let mut base = Vec::new();
    if process::env_get(&image_env, "PATH").is_none() {
        base.push(format!("PATH={}", process::DEFAULT_PATH));
    }
    if a.tty {
        base.push("TERM=xterm".to_string());
    }
    base.push("container=oci".to_string());
    let user_env = user_env(&a.env_file, &a.env)?;
    let mut env = process::merge_env(&[&base, &image_env, &user_env]);
    if process::env_get(&env, "HOME").is_none() {
        env.push(format!("HOME={}", user.home));
    }
    if process::env_get(&env, "HOSTNAME").is_none() {
        env.push(format!("HOSTNAME={hostname}"));
    }

    let mounts = a
        .volume
        .iter()
        .map(|v| parse_volume(v))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let name = match &a.name {
        Some(n) => n.clone(),
        None => container::random_name(&hex::decode(&id[..4]).unwrap_or_default()),
    };
    Ok(ContainerConfig {
        id,
        name,
        image_id: rec.id.clone(),
        image_name: rec
            .names
            .first()
            .cloned()
            .unwrap_or_else(|| a.image.clone()),
        created: container::now_rfc3339(),
        args,
        env,
        workdir,
        user: user_spec,
        uid: user.uid,
        gid: user.gid,
        hostname,
        network,
        net_options,
        ports,
        tty: a.tty,
        interactive: a.interactive,
        remove: a.rm,
        mounts,
        layers: rec.layers.clone(),
        labels,
        entrypoint: entrypoint.unwrap_or(image_ep),
        cmd: if a.command.is_empty() {
            image_cmd
        } else {
            a.command.clone()
        },
        restart_policy,
        restart_max,
        init: a.init,
        // Kept as Podman shows it: the full name, SIGUSR1.
        stop_signal: a
            .stop_signal
            .clone()
            .or_else(|| ic.stop_signal.clone())
            .and_then(|s| crate::runtime::ops::parse_signal(&s))
            .map(|s| s.as_str().to_string())
            .unwrap_or_else(|| "SIGTERM".into()),
        stop_timeout: a.stop_timeout.unwrap_or(10),
        log_driver: a.log_driver.clone(),
        log_max_size,
        no_cgroup: a.cgroups == "disabled",
        storage_driver: String::new(),
        owners: match a.owners.as_deref() {
            Some(o) => o.to_string(),
            None if store.layers_record_owners(&rec.layers) => "image".into(),
            None => "user".into(),
        },
    })
}

/// Parses `--restart`: no, on-failure[:N], always, unless-stopped.
fn parse_restart(p: &str) -> anyhow::Result<(String, u32)> {
    let (name, max) = match p.split_once(':') {
        Some((n, m)) => (n, Some(m)),
        None => (p, None),
    };
    match (name, max) {
        ("no" | "always" | "unless-stopped", None) => Ok((name.to_string(), 0)),
        ("on-failure", None) => Ok((name.to_string(), 0)),
        ("on-failure", Some(m)) => match m.parse::<u32>() {
            Ok(n) => Ok((name.to_string(), n)),
            Err(_) => {
                bail!("--restart {p:?}: the retry count must be a number, as in on-failure:3")
            }
        },
        _ => bail!(
            "invalid --restart policy {p:?}: use no, on-failure[:MAX], always or unless-stopped"
        ),
    }
}

/// Parses a size such as `10m`, `1.5k`, `1024`, `2GB` (Podman's units).
pub fn parse_size(s: &str) -> Option<u64> {
    let t = s.trim().to_ascii_lowercase();
    let t = t.strip_suffix('b').unwrap_or(&t);
    let (num, mult) = match t.chars().last()? {
        'k' => (&t[..t.len() - 1], 1u64 << 10),
        'm' => (&t[..t.len() - 1], 1 << 20),
        'g' => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    let n: f64 = num.parse().ok()?;
    (n >= 0.0).then_some((n * mult as f64) as u64)
}

fn parse_log_opts(opts: &[String]) -> anyhow::Result<Option<u64>> {
    let mut max = None;
    for o in opts {
        match o.split_once('=') {
            Some(("max-size", v)) => {
                max =
                    Some(parse_size(v).with_context(|| {
                        format!("--log-opt {o:?}: give a size such as 10m or 512k")
                    })?)
            }
            // Accepted by Podman for other drivers; nothing to do here.
            Some(("tag" | "path" | "max-file", _)) => {}
            _ => bail!("unknown --log-opt {o:?}: rsp supports max-size=SIZE"),
        }
    }
    Ok(max.filter(|m| *m > 0))
}

fn parse_labels(labels: &[String]) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
    let mut out = std::collections::BTreeMap::new();
    for l in labels {
        let (k, v) = l.split_once('=').unwrap_or((l, ""));
        if k.is_empty() {
            bail!("invalid --label {l:?}: use KEY=VALUE");
        }
        out.insert(k.to_string(), v.to_string());
    }
    Ok(out)
}

pub fn run(g: &Global, a: &RunArgs) -> CmdResult {
    run_or_create(g, a, false)
}

pub fn create(g: &Global, a: &RunArgs) -> CmdResult {
    run_or_create(g, a, true)
}

fn run_or_create(g: &Global, a: &RunArgs, create_only: bool) -> CmdResult {
    let (paths, store) = open_store(g)?;
    // Checked again when the config is built; here so a bad option fails before a pull.
    user_env(&a.env_file, &a.env)?;
    let Some(rec) = image_for_run(&store, a)? else {
        reexec()?;
        unreachable!("execve returned without error");
    };
    let mut cfg = build_config(&store, a, &rec)?;
    let (driver, _) = crate::storage::driver::select(g.storage_driver.as_deref(), &paths.root)?;
    cfg.storage_driver = driver.as_str().to_string();
    // A random name may collide with an existing one: draw again.
    let mut tries = 0;
    loop {
        match crate::runtime::create(&store, &cfg) {
            Ok(()) => break,
            Err(crate::runtime::RuntimeError::NameInUse(_)) if a.name.is_none() && tries < 20 => {
                tries += 1;
                let seed = container::random_id();
                cfg.name = format!(
                    "{}{}",
                    container::random_name(&hex::decode(&seed[..4]).unwrap_or_default()),
                    if tries > 10 {
                        format!("_{}", &seed[..4])
                    } else {
                        String::new()
                    }
                );
            }
            Err(e) => return Err(e.into()),
        }
    }
    if create_only {
        println!("{}", cfg.id);
        return Ok(0);
    }
    // Just created: its record is what we hold.
    let c = Container {
        config: cfg.clone(),
        state: Default::default(),
    };
    let launch = crate::runtime::ops::start(&store, &paths, &c, !a.detach)?;
    let Launch::Started { pid, client } = launch else {
        return Err(anyhow!("container {} was started by someone else", cfg.name).into());
    };
    if a.detach {
        println!("{}", cfg.id);
        return Ok(0);
    }
    // With passthrough the container has our stdio itself: we only wait.
    let relay = cfg.log_driver != "passthrough";
    let opts = AttachOptions {
        stdin: a.interactive && relay,
        stdout: relay,
        stderr: relay,
        tty: a.tty,
        detach_keys: parse_detach_keys(&a.detach_keys).map_err(|e| anyhow!(e))?,
        sig_proxy: a.sig_proxy.then_some(pid),
    };
    let client = client.context("the monitor gave no attach connection")?;
    super::lifecycle::finish_attach(&store, &cfg.id, client, &opts)
}

/// Docker's `{"80/tcp": [{"HostIp": ..., "HostPort": ...}]}`; in
/// `PortBindings` (`bindings`) an unspecified address is "", as asked.
fn port_map(ports: &[crate::net::PortMapping], bindings: bool) -> Value {
    let mut m = serde_json::Map::new();
    for (ctr, ip, port) in crate::net::ports::each(ports) {
        let ip = if bindings && ip == "0.0.0.0" {
            String::new()
        } else {
            ip.trim_matches(|c| c == '[' || c == ']').to_string()
        };
        let entry = m.entry(ctr).or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(a) = entry {
            a.push(json!({ "HostIp": ip, "HostPort": port.to_string() }));
        }
    }
    Value::Object(m)
}

fn network_settings(cfg: &ContainerConfig, st: &crate::runtime::container::State) -> Value {
    let slirp = cfg.network == "slirp" && st.is_active();
    let (ip, gw, prefix) = if slirp {
        (
            crate::net::GUEST.to_string(),
            crate::net::GATEWAY.to_string(),
            crate::net::PREFIX,
        )
    } else {
        (String::new(), String::new(), 0)
    };
    json!({
        "IPAddress": ip,
        "IPPrefixLen": prefix,
        "Gateway": gw,
        "Ports": port_map(&cfg.ports, false),
        "SandboxKey": if st.is_active() && cfg.network != "host" { format!("/proc/{}/ns/net", st.ns_pid()) } else { String::new() },
    })
}

fn status_text(c: &Container) -> String {
    match c.state.status {
        Status::Created => "Created".into(),
        Status::Paused => "Paused".into(),
        Status::Running => {
            let since = c.state.started_at.as_deref().unwrap_or(&c.config.created);
            format!("Up {}", output::human_ago(since).trim_end_matches(" ago"))
        }
        Status::Exited => format!(
            "Exited ({}) {}",
            c.state.exit_code,
            c.state
                .finished_at
                .as_deref()
                .map(output::human_ago)
                .unwrap_or_default()
        ),
    }
}

fn unix(t: Option<&str>) -> i64 {
    t.and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp())
        .unwrap_or(0)
}

fn ps_row(c: &Container, no_trunc: bool) -> Value {
    let command = c.config.args.join(" ");
    let short_cmd = if no_trunc || command.chars().count() <= 20 {
        command.clone()
    } else {
        format!("{}...", command.chars().take(17).collect::<String>())
    };
    let id = if no_trunc {
        c.config.id.clone()
    } else {
        c.config.id[..12].to_string()
    };
    json!({
        "ID": id,
        "Id": c.config.id,
        "Image": c.config.image_name,
        "ImageID": c.config.image_id,
        "Command": short_cmd,
        "CreatedAt": c.config.created,
        "CreatedHuman": output::human_ago(&c.config.created),
        "RunningFor": output::human_ago(&c.config.created),
        "Created": unix(Some(&c.config.created)),
        "Status": status_text(c),
        "State": c.state.status.as_str(),
        "Names": c.config.name,
        "Size": "",
        "Ports": crate::net::ports::ps_text(&c.config.ports),
        "Pid": c.state.pid,
        "ExitCode": c.state.exit_code,
        "Exited": c.state.status == Status::Exited,
        "AutoRemove": c.config.remove,
        "Labels": c.config.labels,
    })
}

/// Podman's `ps --filter`: the same key repeated matches any of its
/// values; different keys must all match.
fn ps_filter(filters: &[String]) -> anyhow::Result<impl Fn(&Container) -> bool> {
    let mut by_key: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for f in filters {
        let (k, v) = f
            .split_once('=')
            .with_context(|| format!("invalid filter {f:?}: use KEY=VALUE"))?;
        match k {
            "status" => {
                if ![
                    "created",
                    "running",
                    "paused",
                    "exited",
                    "stopped",
                    "restarting",
                    "removing",
                    "unknown",
                ]
                .contains(&v)
                {
                    bail!(
                        "invalid filter {f:?}: status must be one of created, running, paused, exited, stopped"
                    );
                }
            }
            "name" | "id" | "label" | "ancestor" | "exited" | "before" | "since" => {}
            _ => bail!(
                "invalid filter key {k:?}: use status, name, id, label, ancestor, exited, before or since"
            ),
        }
        by_key.entry(k.to_string()).or_default().push(v.to_string());
    }
    Ok(move |c: &Container| {
        by_key.iter().all(|(k, vals)| {
            vals.iter().any(|v| match k.as_str() {
                "status" => {
                    c.state.status.as_str() == v
                        || (v == "stopped" && c.state.status == Status::Exited)
                }
                "name" => regex_lite_match(v, &c.config.name),
                "id" => c.config.id.starts_with(v.as_str()),
                "label" => match v.split_once('=') {
                    Some((lk, lv)) => c.config.labels.get(lk).is_some_and(|x| x == lv),
                    None => c.config.labels.contains_key(v.as_str()),
                },
                "ancestor" => {
                    c.config.image_name == *v
                        || c.config.image_name.starts_with(&format!("{v}:"))
                        || c.config.image_name.ends_with(&format!("/{v}"))
                        || c.config.image_name.contains(&format!("/{v}:"))
                        || c.config.image_id.starts_with(v.as_str())
                }
                "exited" => c.state.status == Status::Exited && c.state.exit_code.to_string() == *v,
                _ => true,
            })
        })
    })
}

/// Podman matches names as unanchored regular expressions; rsp supports
/// the common forms: plain substrings, `^` and `$` anchors.
fn regex_lite_match(pat: &str, name: &str) -> bool {
    let (start, p) = match pat.strip_prefix('^') {
        Some(p) => (true, p),
        None => (false, pat),
    };
    let (end, p) = match p.strip_suffix('$') {
        Some(p) => (true, p),
        None => (false, p),
    };
    match (start, end) {
        (true, true) => name == p,
        (true, false) => name.starts_with(p),
        (false, true) => name.ends_with(p),
        (false, false) => name.contains(p),
    }
}

fn image_size(store: &Store, image_id: &str) -> u64 {
    store
        .images()
        .ok()
        .and_then(|db| db.images.iter().find(|i| i.id == image_id).map(|i| i.size))
        .unwrap_or(0)
}

/// Bytes a container has written to its own layer.
pub(super) fn upper_size(store: &Store, id: &str) -> u64 {
    fn walk(p: &std::path::Path) -> u64 {
        let Ok(rd) = std::fs::read_dir(p) else {
            return 0;
        };
        rd.flatten()
            .map(|e| match e.metadata() {
                Ok(m) if m.is_dir() => walk(&e.path()),
                Ok(m) => m.len(),
                Err(_) => 0,
            })
            .sum()
    }
    walk(&store.container_dir(id).join("upper"))
}

pub fn ps(g: &Global, a: &PsArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    let keep = ps_filter(&a.filter)?;
    let mut all: Vec<Container> = container::list(&store)?
        .into_iter()
        .filter(|c| {
            // As Podman: only a status filter widens the list beyond the
            // running containers (paused ones included only with -a).
            a.all
                || a.last.is_some()
                || a.latest
                || a.filter.iter().any(|f| f.starts_with("status="))
                || c.state.status == Status::Running
        })
        .filter(|c| keep(c))
        .collect();
    if a.latest {
        all.truncate(1);
    } else if let Some(n) = a.last {
        all.truncate(n);
    }
    let sizes: std::collections::HashMap<String, u64> = if a.size {
        all.iter()
            .map(|c| (c.config.id.clone(), upper_size(&store, &c.config.id)))
            .collect()
    } else {
        Default::default()
    };
    let mut out = std::io::stdout().lock();
    if a.quiet {
        for c in &all {
            writeln!(
                out,
                "{}",
                if a.no_trunc {
                    &c.config.id[..]
                } else {
                    &c.config.id[..12]
                }
            )?;
        }
        return Ok(0);
    }
    let fmt = output::parse_format(a.format.as_deref(), &[("ID", "CONTAINER ID")])?;
    match fmt {
        Format::Json => {
            let arr: Vec<Value> = all
                .iter()
                .map(|c| {
                    json!({
                        "AutoRemove": c.config.remove,
                        "Command": c.config.args,
                        "CreatedAt": output::human_ago(&c.config.created),
                        "Exited": c.state.status == Status::Exited,
                        "ExitedAt": unix(c.state.finished_at.as_deref()),
                        "ExitCode": c.state.exit_code,
                        "Id": c.config.id,
                        "Image": c.config.image_name,
                        "ImageID": c.config.image_id,
                        "IsInfra": false,
                        "Labels": c.config.labels,
                        "Mounts": c.config.mounts.iter().map(|m| m.destination.clone()).collect::<Vec<_>>(),
                        "Names": [c.config.name],
                        "Networks": [],
                        "Pid": c.state.pid,
                        "Pod": "",
                        "PodName": "",
                        "Ports": c.config.ports.iter().map(|p| json!({
                            "host_ip": p.host_ip,
                            "container_port": p.container_port,
                            "host_port": p.host_port,
                            "range": p.range,
                            "protocol": p.protocol,
                        })).collect::<Vec<_>>(),
                        "StartedAt": unix(c.state.started_at.as_deref()),
                        "State": c.state.status.as_str(),
                        "Status": status_text(c),
                        "Created": unix(Some(&c.config.created)),
                    })
                })
                .collect();
            writeln!(out, "{}", output::json_pretty(&Value::Array(arr)))?;
        }
        Format::Template { .. } => {
            let rows: Vec<Value> = all.iter().map(|c| ps_row(c, a.no_trunc)).collect();
            output::render_template(&mut out, &fmt, &rows)?;
        }
        Format::Default => {
            let rows: Vec<Vec<String>> = all
                .iter()
                .map(|c| {
                    let r = ps_row(c, a.no_trunc);
                    let mut row: Vec<String> = [
                        "ID",
                        "Image",
                        "Command",
                        "CreatedHuman",
                        "Status",
                        "Ports",
                        "Names",
                    ]
                    .iter()
                    .map(|k| r[*k].as_str().unwrap_or_default().to_string())
                    .collect();
                    if a.size {
                        row.push(format!(
                            "{} (virtual {})",
                            output::human_size(
                                sizes.get(&c.config.id).copied().unwrap_or(0),
                                output::SizeStyle::Spaced,
                            ),
                            output::human_size(
                                image_size(&store, &c.config.image_id),
                                output::SizeStyle::Spaced,
                            )
                        ));
                    }
                    row
                })
                .collect();
            let mut header = vec![
                "CONTAINER ID",
                "IMAGE",
                "COMMAND",
                "CREATED",
                "STATUS",
                "PORTS",
                "NAMES",
            ];
            if a.size {
                header.push("SIZE");
            }
            output::table(&mut out, &header, &rows)?;
        }
    }
    Ok(0)
}

pub fn rm(g: &Global, a: &RmArgs) -> CmdResult {
    let (paths, store) = open_store(g)?;
    let targets: Vec<String> = if a.all {
        container::list(&store)?
            .into_iter()
            .map(|c| c.config.id)
            .collect()
    } else {
        a.containers.clone()
    };
    if targets.is_empty() && !a.all {
        return Err(Failure::new(
            125,
            anyhow!("rsp rm needs at least one container name or ID, or --all"),
        ));
    }
    // As Podman: every name is looked up first, and a missing one (unless
    // -f or -i, which skip it silently) means nothing is removed.
    let mut found = Vec::new();
    let mut missing = false;
    for t in &targets {
        match container::find(&store, t) {
            Ok(c) => found.push((t, c)),
            Err(_) if a.ignore || a.force => {}
            Err(e) => {
                eprintln!("Error: {e}");
                missing = true;
            }
        }
    }
    if missing {
        return Ok(1);
    }
    let mut code = 0;
    for (t, c) in &found {
        match crate::runtime::ops::remove(&store, &paths, c, a.force, a.time, &mut output::warn) {
            Ok(()) => println!("{t}"),
            Err(e @ crate::runtime::RuntimeError::Running(_)) => {
                eprintln!("Error: {e}");
                code = 2;
            }
            Err(e) => return Err(e.into()),
        }
    }
    if a.all {
        remove_orphans(&store, &paths)?;
    }
    Ok(code)
}

/// Removes what killed creates and removals left (never listed, so never
/// printed); `rm -a`, `container prune` and `system prune` do it.
pub(super) fn remove_orphans(store: &Store, paths: &Paths) -> anyhow::Result<()> {
    let removed = container::remove_orphans(store, paths)
        .context("removing the leftovers of killed container creations")?;
    if !removed.is_empty() {
        log::debug!("removed leftovers of killed creations: {removed:?}");
    }
    Ok(())
}

/// Container inspect JSON, shaped like Podman's.
fn inspect_json(c: &Container, paths: &Paths, store: &Store) -> Value {
    let cfg = &c.config;
    let st = &c.state;
    json!({
        "Id": cfg.id,
        "Created": cfg.created,
        "Path": cfg.args.first().cloned().unwrap_or_default(),
        "Args": cfg.args.iter().skip(1).cloned().collect::<Vec<_>>(),
        "State": {
            "OciVersion": "1.1.0",
            "Status": st.status.as_str(),
            "Running": st.status == Status::Running,
            "Paused": st.status == Status::Paused,
            "Restarting": false,
            "OOMKilled": false,
            "Dead": false,
            "Pid": st.pid,
            "ConmonPid": st.monitor_pid,
            "ExitCode": st.exit_code,
            "Error": "",
            "StartedAt": st.started_at.clone().unwrap_or_default(),
            "FinishedAt": st.finished_at.clone().unwrap_or_default(),
            // How `pause` froze it: "signal" (SIGSTOP to every process of
            // its pid namespace) or "cgroup" (the cgroup v2 freezer).
            "PauseMethod": st.pause_method,
        },
        "Image": cfg.image_id,
        "ImageName": cfg.image_name,
        "Rootfs": "",
        "ResolvConfPath": paths.runroot.join("containers").join(&cfg.id).join("resolv.conf"),
        "HostnamePath": paths.runroot.join("containers").join(&cfg.id).join("hostname"),
        "HostsPath": paths.runroot.join("containers").join(&cfg.id).join("hosts"),
        "Name": cfg.name,
        "RestartCount": st.restart_count,
        "LogPath": if cfg.logs_enabled() {
            store.container_dir(&cfg.id).join("ctr.log").display().to_string()
        } else {
            String::new()
        },
        "Driver": crate::storage::driver::Driver::from_record(&cfg.storage_driver).as_str(),
        "Mounts": cfg.mounts.iter().map(|m| json!({
            "Type": "bind",
            "Source": m.source,
            "Destination": m.destination,
            "Mode": "",
            "RW": !m.readonly,
            "Propagation": "rprivate",
        })).collect::<Vec<_>>(),
        "Config": {
            "Hostname": cfg.hostname,
            "User": cfg.user,
            "Env": cfg.env,
            "Cmd": cfg.cmd,
            "Image": cfg.image_name,
            "WorkingDir": cfg.workdir,
            "Entrypoint": cfg.entrypoint,
            "Labels": cfg.labels,
            "StopSignal": cfg.stop_signal,
            "StopTimeout": cfg.stop_timeout,
            "CreateCommand": [],
            "Tty": cfg.tty,
            "OpenStdin": cfg.interactive,
            "AttachStdin": cfg.interactive,
            "AttachStdout": true,
            "AttachStderr": true,
        },
        "HostConfig": {
            "NetworkMode": cfg.network,
            "AutoRemove": cfg.remove,
            "RestartPolicy": {
                "Name": if cfg.restart_policy.is_empty() { "no" } else { &cfg.restart_policy },
                "MaximumRetryCount": cfg.restart_max,
            },
            "Init": cfg.init,
            "Owners": if cfg.emulates_owners() { "image" } else { "user" },
            "Cgroups": if cfg.no_cgroup { "disabled" } else { "enabled" },
            "CgroupPath": st.cgroup,
            "LogConfig": {
                "Type": if cfg.log_driver.is_empty() { "k8s-file" } else { &cfg.log_driver },
                "Config": null,
                "Size": cfg.log_max_size.map(|s| s.to_string()).unwrap_or_else(|| "0B".into()),
            },
            "PortBindings": port_map(&cfg.ports, true),
            "Binds": cfg.mounts.iter().map(|m| format!("{}:{}:{}", m.source, m.destination, if m.readonly { "ro" } else { "rw" })).collect::<Vec<_>>(),
        },
        "NetworkSettings": network_settings(cfg, st),
        "IdMappings": {
            "UidMap": [format!("{}:{}:1", cfg.uid, nix::unistd::getuid())],
            "GidMap": [format!("{}:{}:1", cfg.gid, nix::unistd::getgid())],
        },
    })
}

pub fn inspect(g: &Global, a: &InspectArgs) -> CmdResult {
    let (paths, store) = open_store(g)?;
    let db = store.images()?;
    let mut items = Vec::new();
    for n in &a.names {
        if a.kind != "image"
            && let Ok(c) = container::find(&store, n)
        {
            items.push(inspect_json(&c, &paths, &store));
            continue;
        }
        if a.kind != "container"
            && let Ok(rec) = crate::image::lookup(&db, n)
        {
            items.push(super::images::inspect_json(&store, rec));
            continue;
        }
        super::images::print_inspect(a.format.as_deref(), &items)?;
        return Err(anyhow!(
            "no such object: {n:?}: check the name with `rsp ps -a` or `rsp images`"
        )
        .into());
    }
    super::images::print_inspect(a.format.as_deref(), &items)?;
    Ok(0)
}

fn container_inspect(g: &Global, a: &FormatOnlyArgs) -> CmdResult {
    let (paths, store) = open_store(g)?;
    let mut items = Vec::new();
    for n in &a.names {
        let c = container::find(&store, n)?;
        items.push(inspect_json(&c, &paths, &store));
    }
    super::images::print_inspect(a.format.as_deref(), &items)?;
    Ok(0)
}

fn exists(g: &Global, a: &ExistsArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    Ok(if container::find(&store, &a.name).is_ok() {
        0
    } else {
        1
    })
}

pub fn container_cmd(g: &Global, sub: &ContainerCommand) -> CmdResult {
    match sub {
        ContainerCommand::Ps(a) => ps(g, a),
        ContainerCommand::Run(a) => run(g, a),
        ContainerCommand::Rm(a) => rm(g, a),
        ContainerCommand::Inspect(a) => container_inspect(g, a),
        ContainerCommand::Exists(a) => exists(g, a),
        ContainerCommand::Create(a) => create(g, a),
        ContainerCommand::Start(a) => super::lifecycle::start(g, a),
        ContainerCommand::Stop(a) => super::lifecycle::stop(g, a),
        ContainerCommand::Kill(a) => super::lifecycle::kill(g, a),
        ContainerCommand::Restart(a) => super::lifecycle::restart(g, a),
        ContainerCommand::Wait(a) => super::lifecycle::wait(g, a),
        ContainerCommand::Rename(a) => super::lifecycle::rename(g, a),
        ContainerCommand::Attach(a) => super::lifecycle::attach(g, a),
        ContainerCommand::Exec(a) => super::lifecycle::exec(g, a),
        ContainerCommand::Pause(a) => super::lifecycle::pause(g, a),
        ContainerCommand::Unpause(a) => super::lifecycle::unpause(g, a),
        ContainerCommand::Prune(a) => super::lifecycle::prune(g, a),
        ContainerCommand::Logs(a) => super::observe::logs(g, a),
        ContainerCommand::Top(a) => super::observe::top(g, a),
        ContainerCommand::Port(a) => super::observe::port(g, a),
        ContainerCommand::Stats(a) => super::observe::stats(g, a),
        ContainerCommand::Cp(a) => super::observe::cp(g, a),
        ContainerCommand::Commit(a) => super::commit::commit(g, a),
        ContainerCommand::Diff(a) => super::commit::diff(g, a),
        ContainerCommand::Export(a) => super::commit::export(g, a),
    }
}
