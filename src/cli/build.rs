//! `build`, `image build`, `buildx build`: flags into the engine's build
//! options (`rsp_build`), base images pulled first (then, as for `run`,
//! rsp starts afresh so that no pull thread lingers when stages fork), and
//! the build's progress printed as Podman prints it.

use super::args::{BuildArgs, Global, PullOpts};
use super::{CmdResult, Failure, open_store};
use anyhow::{Context as _, anyhow, bail};
use rsp_build::context::Context;
use rsp_build::exec::{self, BuildOptions, Event, Format, NamedContext, Output, Secret, Sources};
use rsp_transfer::ensure::{PullPolicy, ensure_image};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Set in the environment of an rsp that re-executed itself after pulling:
/// what it read from stdin, spooled to a file, and that it must not pull.
const STDIN_ENV: &str = "_RSP_BUILD_STDIN";
const PULLED_ENV: &str = "_RSP_BUILD_PULLED";

/// Stdin, read once: from the spool an earlier run of this build left
/// when it re-executed itself, else from the real stdin.
fn read_stdin() -> anyhow::Result<Vec<u8>> {
    if let Some(p) = std::env::var_os(STDIN_ENV) {
        let data =
            std::fs::read(&p).with_context(|| format!("reading {}", Path::new(&p).display()))?;
        let _ = std::fs::remove_file(&p);
        return Ok(data);
    }
    let mut data = Vec::new();
    std::io::stdin()
        .read_to_end(&mut data)
        .context("reading stdin")?;
    Ok(data)
}

fn parse_kv<'a>(flag: &str, s: &'a str) -> anyhow::Result<(&'a str, &'a str)> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k, v)),
        _ => bail!("invalid {flag} {s:?}: use KEY=VALUE"),
    }
}

fn build_args(a: &BuildArgs) -> anyhow::Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for f in &a.build_arg_file {
        let text = std::fs::read_to_string(f)
            .with_context(|| format!("reading --build-arg-file {}: check the path", f.display()))?;
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            add_build_arg(&mut out, line)?;
        }
    }
    for b in &a.build_arg {
        add_build_arg(&mut out, b)?;
    }
    Ok(out)
}

fn add_build_arg(out: &mut BTreeMap<String, String>, s: &str) -> anyhow::Result<()> {
    match s.split_once('=') {
        Some(("", _)) => bail!("invalid --build-arg {s:?}: use KEY=VALUE"),
        Some((k, v)) => {
            out.insert(k.to_string(), v.to_string());
        }
        // KEY alone: rsp's own environment's value, if it has one.
        None => {
            if let Ok(v) = std::env::var(s) {
                out.insert(s.to_string(), v);
            }
        }
    }
    Ok(())
}

fn secrets(a: &BuildArgs) -> anyhow::Result<BTreeMap<String, Secret>> {
    let mut out = BTreeMap::new();
    for s in &a.secret {
        let mut id = None;
        let mut src = None;
        let mut env = None;
        for part in s.split(',') {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            match k {
                "id" => id = Some(v.to_string()),
                "src" | "source" => src = Some(v.to_string()),
                "env" => env = Some(v.to_string()),
                "type" if v == "file" || v == "env" => {}
                _ => bail!("invalid --secret {s:?}: use id=ID,src=FILE or id=ID,env=VAR"),
            }
        }
        let id = id
            .filter(|i| !i.is_empty())
            .with_context(|| format!("invalid --secret {s:?}: give id=ID"))?;
        let secret = match (src, env) {
            (Some(p), None) => {
                let p = std::fs::canonicalize(&p)
                    .with_context(|| format!("--secret {id}: reading {p}: check the path"))?;
                Secret::File(p)
            }
            (None, Some(e)) => Secret::Value(
                std::env::var(&e)
                    .with_context(|| format!("--secret {id}: environment variable {e} is not set"))?
                    .into_bytes(),
            ),
            (None, None) => bail!("invalid --secret {s:?}: give src=FILE or env=VAR"),
            (Some(_), Some(_)) => bail!("invalid --secret {s:?}: give src= or env=, not both"),
        };
        out.insert(id, secret);
    }
    Ok(out)
}

fn output(a: &BuildArgs) -> anyhow::Result<Option<(Output, bool)>> {
    let Some(o) = &a.output else { return Ok(None) };
    if !o.contains('=') {
        return Ok(Some((Output::Local(PathBuf::from(o)), false)));
    }
    let mut kind = None;
    let mut dest = None;
    for part in o.split(',') {
        let (k, v) = parse_kv("--output", part)?;
        match k {
            "type" => kind = Some(v.to_string()),
            "dest" => dest = Some(v.to_string()),
            _ => bail!("invalid --output {o:?}: use type=local,dest=DIR or type=tar,dest=FILE"),
        }
    }
    let dest = dest.with_context(|| format!("invalid --output {o:?}: give dest="))?;
    match kind.as_deref() {
        Some("local") => Ok(Some((Output::Local(PathBuf::from(dest)), false))),
        Some("tar") if dest == "-" => {
            let tmp =
                std::env::temp_dir().join(format!("rsp-build-output-{}.tar", std::process::id()));
            Ok(Some((Output::Tar(tmp), true)))
        }
        Some("tar") => Ok(Some((Output::Tar(PathBuf::from(dest)), false))),
        _ => bail!("invalid --output {o:?}: type must be local or tar"),
    }
}

fn check_platform(p: &str) -> anyhow::Result<()> {
    let host = rsp_image::Platform::host();
    let want = rsp_image::Platform::parse(p).with_context(|| format!("--platform {p}"))?;
    if want.os != host.os || want.architecture != host.architecture {
        bail!(
            "--platform {p}: rsp builds for this machine's platform ({}/{}) only; leave --platform out",
            host.os,
            host.architecture
        );
    }
    Ok(())
}

fn reexec(stdin: Option<&[u8]>, runroot: &Path) -> anyhow::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let args: Vec<CString> = std::env::args_os()
        .filter_map(|a| CString::new(a.as_bytes()).ok())
        .collect();
    let mut env = rsp_runtime::process::environ_cstrings();
    env.push(CString::new(format!("{PULLED_ENV}=1"))?);
    if let Some(data) = stdin {
        std::fs::create_dir_all(runroot)?;
        let p = runroot.join(format!("build-stdin-{}", std::process::id()));
        std::fs::write(&p, data).with_context(|| format!("writing {}", p.display()))?;
        env.push(CString::new(format!("{STDIN_ENV}={}", p.display()))?);
    }
    let exe = CString::new("/proc/self/exe")?;
    let e = nix::unistd::execve(&exe, &args, &env).unwrap_err();
    Err(anyhow!("re-executing rsp after the pull: {e}"))
}

pub fn build(g: &Global, a: &BuildArgs) -> CmdResult {
    let (paths, store) = open_store(g)?;
    let (driver, _) = rsp_storage::driver::select(g.storage_driver.as_deref(), &paths.root)?;
    // Every flag is checked before anything is read or fetched.
    for r in a.cache_from.iter().chain(&a.cache_to) {
        let parsed = rsp_image::reference::Reference::parse(r)
            .with_context(|| format!("--cache-from/--cache-to {r:?}: give a repository"))?;
        if parsed.tag.is_some() || parsed.digest.is_some() {
            return Err(anyhow!(
                "--cache-from/--cache-to {r:?}: give a repository without a tag; rsp tags each step with its cache key"
            )
            .into());
        }
    }
    let format = match a.format.as_str() {
        "oci" => Format::Oci,
        "docker" => Format::Docker,
        f => return Err(anyhow!("unrecognized image type {f:?}: use oci or docker").into()),
    };
    if let Some(p) = &a.platform {
        check_platform(p)?;
    }
    let policy = PullPolicy::parse(&a.pull).with_context(|| {
        format!(
            "invalid --pull policy {:?}: use always, missing, never or newer",
            a.pull
        )
    })?;
    let pulled = std::env::var_os(PULLED_ENV).is_some();
    let policy = if pulled { PullPolicy::Never } else { policy };
    let progress = match a.progress.as_str() {
        "auto" => std::io::stdout().is_terminal(),
        "tty" => true,
        "plain" => false,
        p => return Err(anyhow!("invalid --progress {p:?}: use auto, plain or tty").into()),
    };
    let (network, net_options) = rsp_runtime::spec::parse_network(match a.network.as_str() {
        // RUN steps get a network of their own; Podman's "bridge" for
        // them is that default network.
        "default" | "" | "bridge" => "slirp4netns",
        n => n,
    })?;
    let mut labels = Vec::new();
    for l in &a.label {
        let (k, v) = parse_kv("--label", l)?;
        labels.push((k.to_string(), v.to_string()));
    }
    let mut annotations = Vec::new();
    for l in &a.annotation {
        let (k, v) = parse_kv("--annotation", l)?;
        annotations.push((k.to_string(), v.to_string()));
    }
    let tags = a
        .tag
        .iter()
        .map(|t| rsp_runtime::commit::normalize_name(t))
        .collect::<Result<Vec<_>, _>>()?;
    let args = build_args(a)?;
    let secrets = secrets(a)?;
    let output = output(a)?;

    // The context and the Containerfile; stdin is read at most once.
    let ctx_arg = a.context.clone().unwrap_or_else(|| ".".into());
    let file_stdin = a.file.as_deref() == Some(Path::new("-"));
    if ctx_arg == "-" && file_stdin {
        return Err(
            anyhow!("the context and the Containerfile cannot both come from stdin").into(),
        );
    }
    if ctx_arg.starts_with("http://")
        || ctx_arg.starts_with("https://")
        || ctx_arg.starts_with("git@")
    {
        return Err(anyhow!("{ctx_arg}: remote build contexts are not supported: clone or download it and give the directory").into());
    }
    let stdin = if ctx_arg == "-" || file_stdin {
        Some(read_stdin()?)
    } else {
        None
    };
    let scratch = store.temp_dir("build-context")?;
    let result = build_in(
        &paths,
        &store,
        a,
        driver,
        &ctx_arg,
        stdin.as_deref(),
        &scratch,
        policy,
        pulled,
        format,
        network,
        net_options,
        labels,
        annotations,
        tags,
        args,
        secrets,
        output,
        progress,
    );
    let _ = rsp_storage::remove_tree(&scratch);
    result
}

#[allow(clippy::too_many_arguments)]
fn build_in(
    paths: &rsp_base::paths::Paths,
    store: &rsp_storage::Store,
    a: &BuildArgs,
    driver: rsp_storage::driver::Driver,
    ctx_arg: &str,
    stdin: Option<&[u8]>,
    scratch: &Path,
    policy: PullPolicy,
    pulled: bool,
    format: Format,
    network: rsp_runtime::container::NetworkMode,
    net_options: rsp_net::NetOptions,
    labels: Vec<(String, String)>,
    annotations: Vec<(String, String)>,
    tags: Vec<String>,
    build_args: BTreeMap<String, String>,
    secrets: BTreeMap<String, Secret>,
    output: Option<(Output, bool)>,
    timed: bool,
) -> CmdResult {
    let context = if ctx_arg == "-" {
        Context::from_tar(stdin.unwrap_or_default(), scratch)?
    } else {
        Context::open(Path::new(ctx_arg), a.ignorefile.as_deref())?
    };
    let (df_path, text) = if a.file.as_deref() == Some(Path::new("-")) {
        (
            PathBuf::from("-"),
            String::from_utf8(stdin.unwrap_or_default().to_vec())
                .context("the Containerfile on stdin is not UTF-8 text")?,
        )
    } else {
        context.dockerfile(a.file.as_deref())?
    };
    let dockerfile = rsp_build::dockerfile::parse(&text)
        .with_context(|| format!("parsing {}", df_path.display()))?;
    let plan = rsp_build::plan::plan(&dockerfile, &build_args, a.target.as_deref())?;
    for s in plan.stages.iter().filter(|s| plan.needed[s.index]) {
        if let Some(p) = &s.platform {
            check_platform(p)
                .with_context(|| format!("FROM --platform in stage {}", s.index + 1))?;
        }
    }
    // Build args no ARG declares: Podman's warning.
    let declared: std::collections::BTreeSet<&str> = dockerfile
        .instructions
        .iter()
        .filter_map(|i| match &i.kind {
            rsp_build::dockerfile::Kind::Arg(v) => Some(v),
            _ => None,
        })
        .flatten()
        .map(|(n, _)| n.as_str())
        .collect();
    let unused: Vec<&str> = build_args
        .keys()
        .map(String::as_str)
        .filter(|k| !declared.contains(k) && !rsp_build::plan::PROXY_ARGS.contains(k))
        .collect();
    if !unused.is_empty() {
        eprintln!(
            "[Warning] one or more build args were not consumed: [{}]",
            unused.join(" ")
        );
    }
    let mut named = BTreeMap::new();
    for c in &a.build_context {
        let (name, value) = parse_kv("--build-context", c)?;
        let nc = if let Some(img) = value
            .strip_prefix("docker-image://")
            .or_else(|| value.strip_prefix("container-image://"))
        {
            NamedContext::Image(img.to_string())
        } else if value.contains("://") {
            return Err(
                anyhow!("--build-context {c:?}: use a directory or docker-image://IMAGE").into(),
            );
        } else {
            NamedContext::Dir(Context::open(Path::new(value), None)?)
        };
        named.insert(name.to_string(), nc);
    }
    // Base images, pulled as --pull says, before any stage starts.
    let pull_opts = super::images::registry_options(&PullOpts {
        tls_verify: a.tls_verify,
        platform: None,
        creds: a.creds.clone(),
        authfile: a.authfile.clone(),
    })?;
    let mut images = BTreeMap::new();
    let mut contacted = false;
    for name in exec::external_images(&plan, &named) {
        let ensured = ensure_image(
            store,
            &name,
            policy,
            &pull_opts,
            super::progress::for_pull(a.quiet),
        )
        .with_context(|| format!("base image {name}"))?;
        for w in &ensured.warnings {
            log::warn!("{w}");
        }
        if ensured.pulled {
            super::images::pull_event(store, &ensured.image, &name);
        }
        contacted |= ensured.contacted_registry;
        images.insert(name, ensured.image);
    }
    if contacted && !pulled {
        reexec(stdin, &paths.runroot)?;
    }
    let run_output = if a.quiet {
        Some(
            std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/null")
                .context("opening /dev/null")?
                .into(),
        )
    } else {
        None
    };
    let (out, out_stdout) = match output {
        Some((o, s)) => (Some(o), s),
        None => (None, false),
    };
    let opts = BuildOptions {
        dockerfile,
        build_args,
        target: a.target.clone(),
        tags: tags.clone(),
        no_cache: a.no_cache,
        layers: a.layers,
        squash: a.squash,
        squash_all: a.squash_all,
        labels,
        annotations,
        format,
        network,
        net_options,
        secrets,
        storage_driver: driver,
        jobs: a.jobs,
        run_output,
        output: out.clone(),
        remote: if a.cache_from.is_empty() && a.cache_to.is_empty() {
            None
        } else {
            Some(Box::new(RegistryCache {
                global: global_args(paths, driver),
                from: a.cache_from.clone(),
                to: a.cache_to.clone(),
                tls_verify: a.tls_verify,
                root: paths.root.clone(),
                quiet: a.quiet,
            }))
        },
    };
    let sources = Sources {
        context,
        named,
        images,
    };
    let quiet = a.quiet;
    let started = std::cell::Cell::new(Instant::now());
    let events = |e: Event<'_>| {
        if quiet {
            return;
        }
        let line = match e {
            Event::Step {
                stage,
                stages,
                n,
                of,
                text,
            } => {
                started.set(Instant::now());
                if stages > 1 {
                    format!("[{stage}/{stages}] STEP {n}/{of}: {text}")
                } else {
                    format!("STEP {n}/{of}: {text}")
                }
            }
            Event::UsingCache { id } => format!("--> Using cache {id}"),
            Event::Done { id } if timed => {
                format!("--> {id} ({:.1}s)", started.get().elapsed().as_secs_f64())
            }
            Event::Done { id } => format!("--> {id}"),
            Event::Commit {
                name,
                stage,
                stages,
            } => {
                // Podman names the image as it was given to -t.
                let name = a.tag.first().map_or(name, String::as_str);
                let commit = if name.is_empty() {
                    "COMMIT".to_string()
                } else {
                    format!("COMMIT {name}")
                };
                if stages > 1 {
                    format!("[{stage}/{stages}] {commit}")
                } else {
                    commit
                }
            }
            Event::Tagged { name } => format!("Successfully tagged {name}"),
            Event::Warning(w) => {
                log::warn!("{w}");
                return;
            }
        };
        // One write, flushed: stage processes share this stdout.
        let mut so = std::io::stdout().lock();
        let _ = so.write_all(format!("{line}\n").as_bytes());
        let _ = so.flush();
    };
    let built = exec::build(store, paths, &opts, &plan, &sources, &events).map_err(|e| {
        // Podman exits with the failed RUN's own status.
        let code = match e {
            exec::BuildError::RunFailed { code, .. } if code > 0 => code,
            _ => 125,
        };
        Failure::new(code, e.into())
    })?;
    rsp_runtime::image_event(
        store,
        "build",
        &built.id,
        tags.first().map(String::as_str).unwrap_or(""),
    );
    if let Some(p) = &a.iidfile {
        std::fs::write(p, format!("sha256:{}", built.id))
            .with_context(|| format!("writing the image ID file {}", p.display()))?;
    }
    if out_stdout && let Some(Output::Tar(tmp)) = &out {
        let mut f = std::fs::File::open(tmp).context("reading the exported tar")?;
        let mut so = std::io::stdout().lock();
        std::io::copy(&mut f, &mut so).context("writing the tar to stdout")?;
        let _ = std::fs::remove_file(tmp);
        return Ok(0);
    }
    println!("{}", built.id);
    Ok(0)
}

/// rsp's global flags for a child rsp working on the same store.
fn global_args(
    paths: &rsp_base::paths::Paths,
    driver: rsp_storage::driver::Driver,
) -> Vec<std::ffi::OsString> {
    vec![
        "--root".into(),
        paths.root.clone().into_os_string(),
        "--runroot".into(),
        paths.runroot.clone().into_os_string(),
        "--storage-driver".into(),
        driver.as_str().into(),
    ]
}

/// `--cache-from` / `--cache-to` through child rsp processes (`pull`,
/// `push`): a stage process must stay single-threaded to start RUN
/// containers, and registry clients are not.
struct RegistryCache {
    global: Vec<std::ffi::OsString>,
    from: Vec<String>,
    to: Vec<String>,
    tls_verify: Option<bool>,
    root: PathBuf,
    quiet: bool,
}

impl RegistryCache {
    fn rsp(&self, args: &[&str]) -> std::process::Command {
        let mut c = std::process::Command::new("/proc/self/exe");
        c.args(&self.global);
        c.args(args);
        if let Some(t) = self.tls_verify {
            c.arg(format!("--tls-verify={t}"));
        }
        c.stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null());
        c
    }
}

impl exec::RemoteCache for RegistryCache {
    fn fetch(&self, key: &str) -> Option<String> {
        for repo in &self.from {
            let name = format!("{repo}:{key}");
            let ok = self
                .rsp(&["pull", "-q", &name])
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if ok {
                let store = rsp_storage::Store::open(&self.root).ok()?;
                let db = store.images().ok()?;
                if let Ok(rec) = rsp_image::lookup(&db, &name) {
                    return Some(rec.id.clone());
                }
            }
        }
        None
    }

    fn store(&self, key: &str, id: &str) -> Result<(), String> {
        if !self.quiet {
            // Podman's line, before the step's `--> ID`.
            let line = format!("--> Pushing cache [{}]:{key}\n", self.to.join(" "));
            let mut so = std::io::stdout().lock();
            let _ = so.write_all(line.as_bytes());
            let _ = so.flush();
        }
        for repo in &self.to {
            let name = format!("{repo}:{key}");
            let out = self
                .rsp(&["push", "-q", id, &name])
                .stderr(std::process::Stdio::piped())
                .output()
                .map_err(|e| format!("pushing {name}: {e}"))?;
            if !out.status.success() {
                return Err(format!(
                    "pushing {name}: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
        }
        Ok(())
    }
}
