//! The command line: clap definitions with Podman's names and flags, short
//! handlers that call into the engine, and output formatting.
//!
//! Contract: every error is printed as one `Error: ...` line on stderr and
//! mapped to Podman's exit codes (125 for rsp's own errors, 126/127 when the
//! container's command cannot run, otherwise the container's status). A
//! closed stdout (`rsp images | head -1`) ends rsp quietly with status 0.

mod archive;
mod args;
mod build;
mod commit;
mod containers;
pub mod docs;
mod imagecmds;
mod images;
mod inspect;
mod lifecycle;
mod logging;
mod networks;
mod observe;
mod observe_fmt;
mod output;
mod pods;
mod progress;
mod registry;
mod system;
mod volumes;

pub use args::Cli;
use args::Command;
use clap::Parser;

/// An error with the exit code it should produce.
#[derive(Debug)]
pub struct Failure {
    pub code: i32,
    pub error: anyhow::Error,
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(e: E) -> Failure {
        let error = e.into();
        let code = error
            .downcast_ref::<rsp_runtime::RuntimeError>()
            .map(|r| r.exit_code())
            .unwrap_or(125);
        Failure { code, error }
    }
}

impl Failure {
    pub fn new(code: i32, error: anyhow::Error) -> Failure {
        Failure { code, error }
    }
}

pub type CmdResult = Result<i32, Failure>;

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The error and its causes on one line, as Podman prints them. Many of
/// our errors already quote their source: a cause already in the line is
/// not repeated.
/// `KEY=VALUE` flags (`--label`, `--opt`) as a map; a bare `KEY` has an
/// empty value, an empty key is an error naming `flag`.
fn key_values(
    flag: &str,
    items: &[String],
) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
    let mut out = std::collections::BTreeMap::new();
    for i in items {
        let (k, v) = i.split_once('=').unwrap_or((i, ""));
        if k.is_empty() {
            anyhow::bail!("invalid {flag} {i:?}: use KEY=VALUE");
        }
        out.insert(k.to_string(), v.to_string());
    }
    Ok(out)
}

/// An `until=` filter's time.
fn parse_until(v: &str) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    rsp_base::timespec::parse_time(v, chrono::Utc::now())
        .map_err(|e| anyhow::anyhow!("invalid until filter {v:?}: {e}"))
}

/// Whether `map` (labels, options) has `want`: `KEY` or `KEY=VALUE`.
fn map_has(map: &std::collections::BTreeMap<String, String>, want: &str) -> bool {
    match want.split_once('=') {
        Some((k, x)) => map.get(k).is_some_and(|y| y == x),
        None => map.contains_key(want),
    }
}

fn one_line(e: &anyhow::Error) -> String {
    let mut msg = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if msg.contains(&text) {
            continue;
        }
        if !msg.is_empty() {
            msg.push_str(": ");
        }
        msg.push_str(&text);
    }
    msg
}

/// Runs rsp with the process arguments; returns the exit code.
pub fn main() -> i32 {
    // A container's monitor is rsp re-executed: it must stay small, so it
    // skips the command-line machinery entirely.
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if argv.get(1).is_some_and(|a| a == rsp_runtime::monitor::ARG) {
        return rsp_runtime::monitor::main(&argv[2..]);
    }
    if argv
        .get(1)
        .is_some_and(|a| a == rsp_runtime::ownership::ARG)
    {
        return match rsp_runtime::ownership::main(&argv[2..]) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("Error: {e}");
                125
            }
        };
    }
    if argv
        .get(1)
        .is_some_and(|a| a == rsp_runtime::exec::JOIN_ARG)
    {
        return rsp_runtime::exec::join_main(&argv[2..]);
    }
    let cli = match Cli::try_parse_from(argv) {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            let code = match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => 0,
                ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => 125,
                _ => 125,
            };
            let _ = e.print();
            return code;
        }
    };
    logging::init(&cli.global.log_level);
    match dispatch(&cli) {
        Ok(code) => code,
        Err(f) if is_broken_pipe(&f.error) => 0,
        Err(f) => {
            // One line: the causes joined, as Podman prints them.
            eprintln!("Error: {}", one_line(&f.error));
            f.code
        }
    }
}

/// Resolves the state directories and opens the store.
pub fn open_store(
    g: &args::Global,
) -> anyhow::Result<(rsp_base::paths::Paths, rsp_storage::Store)> {
    let paths = rsp_base::paths::Paths::resolve(g.root.as_deref(), g.runroot.as_deref())?;
    let store = rsp_storage::Store::open(&paths.root)?;
    Ok((paths, store))
}

fn dispatch(cli: &Cli) -> CmdResult {
    let g = &cli.global;
    match &cli.command {
        Command::Version(a) => system::version(a),
        Command::Info(a) => system::info(g, a),
        Command::System(args::SystemCommand::Info(a)) => system::info(g, a),
        Command::System(args::SystemCommand::Reset(a)) => system::reset(g, a),
        Command::System(args::SystemCommand::Df(a)) => imagecmds::system_df(g, a),
        Command::System(args::SystemCommand::Prune(a)) => imagecmds::system_prune(g, a),
        Command::System(args::SystemCommand::Check(a)) => system::check(g, a),
        Command::Tag(a) => imagecmds::tag(g, a),
        Command::Untag(a) => imagecmds::untag(g, a),
        Command::History(a) => imagecmds::history(g, a),
        Command::Pull(a) => images::pull(g, a),
        Command::Images(a) => images::list(g, a),
        Command::Rmi(a) => images::rmi(g, a),
        Command::Image(sub) => images::image_cmd(g, sub),
        Command::Run(a) => containers::run(g, a),
        Command::Ps(a) => containers::ps(g, a),
        Command::Rm(a) => containers::rm(g, a),
        Command::Container(sub) => containers::container_cmd(g, sub),
        Command::Inspect(a) => containers::inspect(g, a),
        Command::Create(a) => containers::create(g, a),
        Command::Start(a) => lifecycle::start(g, a),
        Command::Stop(a) => lifecycle::stop(g, a),
        Command::Kill(a) => lifecycle::kill(g, a),
        Command::Restart(a) => lifecycle::restart(g, a),
        Command::Wait(a) => lifecycle::wait(g, a),
        Command::Rename(a) => lifecycle::rename(g, a),
        Command::Update(a) => lifecycle::update(g, a),
        Command::Attach(a) => lifecycle::attach(g, a),
        Command::Exec(a) => lifecycle::exec(g, a),
        Command::Pause(a) => lifecycle::pause(g, a),
        Command::Unpause(a) => lifecycle::unpause(g, a),
        Command::Logs(a) => observe::logs(g, a),
        Command::Top(a) => observe::top(g, a),
        Command::Port(a) => observe::port(g, a),
        Command::Stats(a) => observe::stats(g, a),
        Command::Events(a) => observe::events(g, a),
        Command::Cp(a) => observe::cp(g, a),
        Command::Commit(a) => commit::commit(g, a),
        Command::Volume(sub) => volumes::volume_cmd(g, sub),
        Command::Network(sub) => networks::network_cmd(g, sub),
        Command::Pod(sub) => pods::pod_cmd(g, sub),
        Command::Diff(a) => commit::diff(g, a),
        Command::Export(a) => commit::export(g, a),
        Command::Import(a) => commit::import(g, a),
        Command::Push(a) => registry::push(g, a),
        Command::Save(a) => archive::save(g, a),
        Command::Load(a) => archive::load(g, a),
        Command::Login(a) => registry::login(a),
        Command::Logout(a) => registry::logout(a),
        Command::Search(a) => registry::search(a),
        Command::Manifest(args::ManifestCommand::Inspect(a)) => registry::manifest_inspect(a),
        Command::Build(a) => build::build(g, a),
        Command::Buildx(args::BuildxCommand::Build(a)) => build::build(g, a),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn causes_are_not_repeated() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        let e = anyhow::Error::new(rsp_storage::StoreError::Write {
            path: "/x".into(),
            source: io,
        })
        .context("pulling y");
        assert_eq!(super::one_line(&e), "pulling y: writing /x: gone");
    }
}
