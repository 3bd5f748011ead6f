//! `push`, `login`, `logout`, `search`, `manifest inspect`.

use super::args::{
    Global, LoginArgs, LogoutArgs, ManifestInspectArgs, PushArgs, RegistryConnOpts, SearchArgs,
};
use super::output::{self, Format};
use super::{CmdResult, Failure, open_store};
use anyhow::{Context, anyhow};
use rsp_image::reference::Reference;
use rsp_registry::auth::{self, AuthError, Credentials};
use rsp_registry::{PullOptions, RegistriesConf, Registry};
use rsp_transfer::push::{Compression, ManifestFormat, PushOptions};
use serde_json::{Value, json};
use std::io::{IsTerminal, Read, Write};

/// `--creds USER:PASS`. The error never repeats the value: it is a password.
pub fn parse_creds(creds: Option<&str>) -> anyhow::Result<Option<(String, String)>> {
    match creds {
        Some(c) => {
            let (u, p) = c
                .split_once(':')
                .filter(|(u, _)| !u.is_empty())
                .ok_or_else(|| anyhow!("--creds must be USERNAME:PASSWORD"))?;
            Ok(Some((u.to_string(), p.to_string())))
        }
        None => Ok(None),
    }
}

fn options(conn: &RegistryConnOpts, creds: Option<&str>) -> anyhow::Result<PullOptions> {
    Ok(PullOptions {
        tls_verify: conn.tls_verify,
        auth: parse_creds(creds)?,
        authfile: conn.authfile.clone(),
        ..PullOptions::default()
    })
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

pub fn push(g: &Global, a: &PushArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    let compression = match a.compression_format.as_deref() {
        Some("zstd") => Compression::Zstd,
        _ => Compression::Gzip,
    };
    if let Some(level) = a.compression_level {
        let (lo, hi) = match compression {
            Compression::Gzip => (0, 9),
            Compression::Zstd => (1, 19),
        };
        if !(lo..=hi).contains(&level) {
            return Err(anyhow!(
                "--compression-level {level} is out of range for {}: use {lo}-{hi}",
                compression.name()
            )
            .into());
        }
    }
    let format = match a.format.as_deref() {
        Some("v2s2") => ManifestFormat::V2s2,
        Some(_) => ManifestFormat::Oci,
        // An image built here with `--format docker` goes out as it was
        // made (its stored manifest lists uncompressed Docker layers);
        // pulled ones, whatever their source, go out as OCI.
        None => match rsp_image::lookup(&store.images()?, &a.image) {
            Ok(rec)
                if rec.manifest_media_type == rsp_image::local::DOCKER_MANIFEST
                    && made_as_docker(&store, &rec.manifest_digest) =>
            {
                ManifestFormat::V2s2
            }
            _ => ManifestFormat::Oci,
        },
    };
    let opts = PushOptions {
        registry: options(&a.conn, a.creds.as_ref().map(|c| c.0.as_str()))?,
        compression,
        level: a.compression_level,
        format,
    };
    let progress = super::progress::for_push(a.quiet);
    let pushed =
        rsp_transfer::push::push(&store, &a.image, a.destination.as_deref(), &opts, progress)?;
    if let Some(path) = &a.digestfile {
        std::fs::write(path, &pushed.manifest_digest)
            .with_context(|| format!("writing the digest file {}", path.display()))?;
    }
    let db = store.images()?;
    if let Ok(rec) = rsp_image::lookup(&db, &a.image) {
        rsp_runtime::image_event(&store, "push", &rec.id, &pushed.reference.to_string());
    }
    Ok(0)
}

/// The registry a login/logout argument names: a host, or an image reference's host.
fn registry_host(input: Option<&str>) -> anyhow::Result<String> {
    let input = match input {
        Some(i) => i.trim_start_matches("docker://").trim_end_matches('/'),
        None => {
            let conf = RegistriesConf::load()?;
            return conf
                .unqualified_search_registries
                .first()
                .cloned()
                .ok_or_else(|| anyhow!("no registry given and registries.conf lists no unqualified-search registries: name one, e.g. rsp login localhost:5000"));
        }
    };
    let input = input
        .strip_prefix("https://")
        .or_else(|| input.strip_prefix("http://"))
        .unwrap_or(input);
    if !input.contains('/') {
        // `docker.io`, `index.docker.io` and Docker's URL all mean Docker Hub.
        let host = match input {
            "index.docker.io" | "registry-1.docker.io" => "docker.io",
            h => h,
        };
        if host.is_empty() {
            return Err(anyhow!(
                "empty registry name: give a host, e.g. localhost:5000"
            ));
        }
        return Ok(host.to_string());
    }
    if input.starts_with("index.docker.io/v1") {
        return Ok("docker.io".to_string());
    }
    let r = Reference::parse(input)
        .with_context(|| format!("{input:?} is neither a registry nor an image reference"))?;
    Ok(r.registry)
}

/// Puts back the signal mask it saved when dropped.
struct RestoreMask(nix::sys::signal::SigSet);

impl Drop for RestoreMask {
    fn drop(&mut self) {
        let _ = nix::sys::signal::sigprocmask(
            nix::sys::signal::SigmaskHow::SIG_SETMASK,
            Some(&self.0),
            None,
        );
    }
}

/// Puts back the terminal settings it saved when dropped, so that no way
/// out of [`read_password_tty`] (error, panic, signal) leaves echo off.
struct RestoreTerminal<'a> {
    fd: std::os::fd::BorrowedFd<'a>,
    saved: nix::sys::termios::Termios,
}

impl Drop for RestoreTerminal<'_> {
    fn drop(&mut self) {
        let _ =
            nix::sys::termios::tcsetattr(self.fd, nix::sys::termios::SetArg::TCSANOW, &self.saved);
    }
}

/// Reads a line from the terminal with echo off. Echo goes off before the
/// prompt is shown, so a password typed as soon as it shows is never
/// echoed, and comes back on however this returns.
fn read_password_tty(prompt: &str) -> anyhow::Result<String> {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    use nix::sys::signal::{SigSet, SigmaskHow, Signal, sigprocmask};
    use nix::sys::signalfd::{SfdFlags, SignalFd};
    use nix::sys::termios::{LocalFlags, SetArg, tcgetattr, tcsetattr};
    use std::os::fd::AsFd;
    let stdin = std::io::stdin();
    // Ctrl-C (or a hangup) while echo is off must not leave the user's
    // terminal silent: the signals are taken through a signalfd, the
    // terminal restored, and then the signal's default action happens.
    // (rsp has one thread here, so the mask covers every signal sent.)
    let mut signals = SigSet::empty();
    for s in [
        Signal::SIGINT,
        Signal::SIGTERM,
        Signal::SIGHUP,
        Signal::SIGQUIT,
    ] {
        signals.add(s);
    }
    let mut old_mask = SigSet::empty();
    sigprocmask(SigmaskHow::SIG_BLOCK, Some(&signals), Some(&mut old_mask))
        .context("blocking signals while reading the password")?;
    let mask = RestoreMask(old_mask);
    let sfd = SignalFd::with_flags(&signals, SfdFlags::SFD_CLOEXEC | SfdFlags::SFD_NONBLOCK)
        .context("watching for Ctrl-C while reading the password")?;
    let saved = tcgetattr(&stdin).context("reading terminal settings")?;
    let mut quiet = saved.clone();
    quiet.local_flags.remove(LocalFlags::ECHO);
    quiet.local_flags.insert(LocalFlags::ECHONL);
    // Echo off first; the guard turns it back on whatever happens next.
    tcsetattr(&stdin, SetArg::TCSANOW, &quiet).context("turning terminal echo off")?;
    let terminal = RestoreTerminal {
        fd: stdin.as_fd(),
        saved,
    };
    // Only now the prompt: what is typed once it shows is not echoed.
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut fds = [
        PollFd::new(stdin.as_fd(), PollFlags::POLLIN),
        PollFd::new(sfd.as_fd(), PollFlags::POLLIN),
    ];
    let ready = loop {
        match poll(&mut fds, PollTimeout::NONE) {
            Err(nix::errno::Errno::EINTR) => continue,
            r => break r,
        }
    };
    let signal = fds[1]
        .revents()
        .is_some_and(|r| r.contains(PollFlags::POLLIN))
        .then(|| sfd.read_signal().ok().flatten())
        .flatten();
    let mut line = String::new();
    let r = match (ready, signal) {
        (Ok(_), None) => stdin.read_line(&mut line).map(|_| ()),
        (Ok(_), Some(_)) => Ok(()),
        (Err(e), _) => Err(std::io::Error::from(e)),
    };
    drop(terminal);
    if let Some(info) = signal {
        eprintln!();
        // The terminal is back: now the signal's default action, as at any
        // other moment, even where the mask or handler rsp was started with
        // would have kept it from ending the process.
        drop(mask);
        rsp_runtime::die_by_signal(
            Signal::try_from(info.ssi_signo as i32).unwrap_or(Signal::SIGINT),
        );
    }
    drop(mask);
    r.context("reading the password")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

fn read_line_tty(prompt: &str) -> anyhow::Result<String> {
    eprint!("{prompt}");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim().to_string())
}

pub fn login(a: &LoginArgs) -> CmdResult {
    let registry = registry_host(a.registry.as_deref())?;
    if a.get_login {
        return match auth::lookup(&registry, a.conn.authfile.as_deref())? {
            Some(c) => {
                println!("{}", c.username);
                Ok(0)
            }
            None => Err(AuthError::NotLoggedIn { registry }.into()),
        };
    }
    if a.password.is_some() && a.password_stdin {
        return Err(
            anyhow!("--password and --password-stdin are mutually exclusive: give one").into(),
        );
    }
    let conf = RegistriesConf::load()?;
    let plain = rsp_registry::plain_http_for(&registry, a.conn.tls_verify, &conf);
    let rt = runtime()?;
    if a.username.is_none() && a.password.is_none() && !a.password_stdin {
        // As Podman: stored credentials that still work need no new login.
        if let Some(existing) = auth::lookup(&registry, a.conn.authfile.as_deref())? {
            println!("Authenticating with existing credentials for {registry}");
            if rt
                .block_on(auth::verify(&registry, &existing, plain))
                .is_ok()
            {
                println!("Existing credentials are valid. Already logged in to {registry}");
                return Ok(0);
            }
            eprintln!("Existing credentials are invalid, please enter valid username and password");
        }
    }
    let tty = std::io::stdin().is_terminal();
    let username = match &a.username {
        Some(u) => u.clone(),
        None if tty && !a.password_stdin => read_line_tty("Username: ")?,
        None => {
            return Err(anyhow!(
                "no username given: use --username (stdin is not a terminal to ask)"
            )
            .into());
        }
    };
    if username.is_empty() || username.contains(':') {
        return Err(
            anyhow!("invalid username {username:?}: it must be non-empty and have no ':'").into(),
        );
    }
    let password = if let Some(p) = &a.password {
        eprintln!("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
        p.0.clone()
    } else if a.password_stdin {
        let mut s = String::new();
        // A password is short; the bound keeps a stray pipe from filling memory.
        std::io::stdin()
            .take(64 * 1024)
            .read_to_string(&mut s)
            .context("reading the password from stdin")?;
        s.trim_end_matches(['\n', '\r']).to_string()
    } else if tty {
        read_password_tty("Password: ")?
    } else {
        return Err(anyhow!(
            "no password given: use --password-stdin (stdin is not a terminal to ask)"
        )
        .into());
    };
    if password.is_empty() {
        return Err(anyhow!("empty password: give the password for {username}").into());
    }
    let creds = Credentials { username, password };
    match rt.block_on(auth::verify(&registry, &creds, plain)) {
        Ok(()) => {}
        Err(e @ AuthError::InvalidCredentials { .. }) => return Err(Failure::new(125, e.into())),
        Err(e) => return Err(e.into()),
    }
    auth::store(&registry, &creds, a.conn.authfile.as_deref())?;
    println!("Login Succeeded!");
    Ok(0)
}

pub fn logout(a: &LogoutArgs) -> CmdResult {
    if a.all {
        auth::remove_all(a.authfile.as_deref())?;
        println!("Removed login credentials for all registries");
        return Ok(0);
    }
    let registry = registry_host(a.registry.as_deref())?;
    match auth::remove(&registry, a.authfile.as_deref()) {
        Ok(()) => {
            println!("Removed login credentials for {registry}");
            Ok(0)
        }
        Err(AuthError::NotLoggedIn { .. }) => {
            // Podman points at the other files that still hold credentials.
            let elsewhere = auth::other_file_with(a.authfile.as_deref(), &registry);
            match elsewhere {
                Some(p) => Err(anyhow!(
                    "not logged into {registry} with rsp: the credentials come from {}, remove them there",
                    p.display()
                )
                .into()),
                None => Err(AuthError::NotLoggedIn { registry }.into()),
            }
        }
        Err(e) => Err(e.into()),
    }
}

fn truncate(s: &str, n: usize) -> String {
    let s = s.replace('\n', " ");
    if s.chars().count() <= n {
        s
    } else {
        format!("{}...", s.chars().take(n).collect::<String>())
    }
}

pub fn search(a: &SearchArgs) -> CmdResult {
    let conf = RegistriesConf::load()?;
    // `HOST/term` searches HOST; a bare term searches the first search registry.
    let (registry, term) = match a.term.split_once('/') {
        Some((host, rest)) if host.contains('.') || host.contains(':') || host == "localhost" => {
            (host.to_string(), rest.to_string())
        }
        _ => (
            conf.unqualified_search_registries
                .first()
                .cloned()
                .unwrap_or_else(|| "docker.io".to_string()),
            a.term.clone(),
        ),
    };
    let registry = if registry == "index.docker.io" {
        "docker.io".to_string()
    } else {
        registry
    };
    let limit = a.limit.clamp(1, 10_000);
    let opts = options(&a.conn, a.creds.as_ref().map(|c| c.0.as_str()))?;
    let rt = runtime()?;
    let mut out = std::io::stdout().lock();
    if a.list_tags {
        let reference = Reference::parse(&format!("{registry}/{term}"))
            .with_context(|| format!("--list-tags needs an image name, not {:?}", a.term))?;
        if reference.tag.is_some() || reference.digest.is_some() {
            return Err(anyhow!(
                "--list-tags needs an image name without a tag or digest: use {}",
                reference.name()
            )
            .into());
        }
        let client = Registry::new(&reference, &opts, &conf)?;
        let tags = rt.block_on(client.list_tags(&reference, limit))?;
        let items: Vec<Value> = tags
            .iter()
            .map(|t| json!({"Name": t.name, "Tag": t.tag}))
            .collect();
        let fmt = output::parse_format(a.format.as_deref(), &[])?;
        match fmt {
            Format::Json => writeln!(
                out,
                "{}",
                output::json_pretty(
                    &json!([{"Name": reference.name(), "Tags": tags.iter().map(|t| t.tag.clone()).collect::<Vec<_>>()}])
                )
            )?,
            Format::Template { .. } => output::render_template(&mut out, &fmt, &items)?,
            Format::Default => {
                let rows: Vec<Vec<String>> = tags
                    .iter()
                    .map(|t| vec![t.name.clone(), t.tag.clone()])
                    .collect();
                output::table(&mut out, &["NAME", "TAG"], &rows)?;
            }
        }
        return Ok(0);
    }
    let results = if registry == "docker.io" {
        rt.block_on(rsp_registry::search_docker_hub(&term, limit))?
    } else {
        let probe = Reference::parse(&format!("{registry}/search"))?;
        let client = Registry::new(&probe, &opts, &conf)?;
        rt.block_on(client.search_catalog(&term, limit))?
    };
    let items: Vec<Value> = results
        .iter()
        .map(|r| {
            json!({
                "Index": registry,
                "Name": r.name,
                "Description": if a.no_trunc { r.description.clone() } else { truncate(&r.description, 44) },
                "Stars": r.stars,
                "Official": if r.official { "[OK]" } else { "" },
                "Automated": if r.automated { "[OK]" } else { "" },
                "Tag": "",
            })
        })
        .collect();
    let fmt = output::parse_format(a.format.as_deref(), &[])?;
    match fmt {
        Format::Json => writeln!(out, "{}", output::json_pretty(&Value::Array(items)))?,
        Format::Template { .. } => output::render_template(&mut out, &fmt, &items)?,
        Format::Default => {
            let rows: Vec<Vec<String>> = items
                .iter()
                .map(|i| {
                    vec![
                        i["Name"].as_str().unwrap_or_default().to_string(),
                        i["Description"].as_str().unwrap_or_default().to_string(),
                    ]
                })
                .collect();
            output::table(&mut out, &["NAME", "DESCRIPTION"], &rows)?;
        }
    }
    Ok(0)
}

pub fn manifest_inspect(a: &ManifestInspectArgs) -> CmdResult {
    let input = a.image.trim_start_matches("docker://");
    let conf = RegistriesConf::load()?;
    let opts = options(&a.conn, a.creds.as_ref().map(|c| c.0.as_str()))?;
    let candidates = conf.candidates(input)?;
    let rt = runtime()?;
    let mut errors = Vec::new();
    for reference in &candidates {
        let client = Registry::new(reference, &opts, &conf)?;
        match rt.block_on(client.fetch_manifest_raw(reference)) {
            Ok((bytes, _)) => {
                let v: Value = serde_json::from_slice(&bytes).with_context(|| {
                    format!(
                        "the manifest of {reference} is not JSON: the registry content is broken"
                    )
                })?;
                println!("{}", output::json_pretty(&v));
                return Ok(0);
            }
            Err(e) if candidates.len() == 1 => return Err(e.into()),
            Err(e) => errors.push(e.to_string()),
        }
    }
    Err(anyhow!("{}", errors.join("; ")).into())
}

/// Whether the stored manifest `digest` is one rsp made for a
/// `--format docker` image (Docker media types, uncompressed layers).
fn made_as_docker(store: &rsp_storage::Store, digest: &str) -> bool {
    store
        .get_blob(digest)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .is_some_and(|m| {
            m["layers"].as_array().is_some_and(|l| {
                l.iter()
                    .all(|l| l["mediaType"] == rsp_image::local::DOCKER_LAYER_TAR)
            })
        })
}
