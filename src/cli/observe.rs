//! `logs`, `events`, `port`, `top`, `stats`: looking at containers
//! without changing them.

use super::args::{EventsArgs, Global, LogsArgs, PortArgs, StatsArgs, TopArgs};
use super::output::{self, Format};
use super::{CmdResult, observe_fmt, open_store};
use anyhow::{Context, anyhow};
use rsp_runtime::container::{self, Container};
use rsp_runtime::events::{self, Event, Filter};
use rsp_runtime::logs::{LogError, LogOptions, Stream};
use serde_json::{Value, json};
use std::io::Write;
use std::time::Duration;

fn time_arg(
    flag: &str,
    v: &Option<String>,
) -> anyhow::Result<Option<chrono::DateTime<chrono::Utc>>> {
    v.as_deref()
        .map(|s| rsp_base::timespec::parse_time(s, chrono::Utc::now()))
        .transpose()
        .with_context(|| format!("--{flag}"))
}

pub fn logs(g: &Global, a: &LogsArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    let mut targets = Vec::new();
    for n in &a.containers {
        let c = container::find(&store, n)?;
        if !c.config.logs_enabled() {
            return Err(anyhow!(
                "container {} uses the {:?} log driver, which keeps no logs: use --log-driver k8s-file",
                c.config.name,
                c.config.log_driver.as_str()
            )
            .into());
        }
        targets.push(c);
    }
    let opts = LogOptions {
        timestamps: a.timestamps,
        since: time_arg("since", &a.since)?,
        until: time_arg("until", &a.until)?,
        // Podman: a negative tail means all lines.
        tail: a.tail.and_then(|t| usize::try_from(t).ok()),
    };
    let several = targets.len() > 1;
    for c in &targets {
        let prefix = if a.names {
            format!("{} ", c.config.name)
        } else if several {
            format!("{} ", &c.config.id[..12])
        } else {
            String::new()
        };
        let mut at_line_start = [true, true];
        let mut out = |s: Stream, data: &[u8]| -> std::io::Result<()> {
            let i = matches!(s, Stream::Stderr) as usize;
            let mut buf = Vec::with_capacity(data.len() + prefix.len());
            for line in data.split_inclusive(|b| *b == b'\n') {
                if at_line_start[i] {
                    buf.extend_from_slice(prefix.as_bytes());
                }
                buf.extend_from_slice(line);
                at_line_start[i] = line.ends_with(b"\n");
            }
            match s {
                Stream::Stdout => {
                    let mut o = std::io::stdout().lock();
                    o.write_all(&buf)?;
                    o.flush()
                }
                Stream::Stderr => std::io::stderr().write_all(&buf),
            }
        };
        let path = c.config.log_path(&store);
        let res = if a.follow {
            let id = c.config.id.clone();
            let store = &store;
            let mut done =
                move || container::load(store, &id).map_or(true, |c| !c.state.is_active());
            rsp_runtime::logs::follow_logs(
                &path,
                &opts,
                &mut out,
                &mut done,
                Duration::from_millis(50),
            )
        } else {
            rsp_runtime::logs::read_logs(&path, &opts, &mut out).map(|_| ())
        };
        match res {
            Ok(()) | Err(LogError::NotFound { .. }) => {}
            Err(e) => return Err(anyhow::Error::new(e).into()),
        }
    }
    Ok(0)
}

/// Go's `time.Time` default rendering, as Podman templates print `.Time`.
fn go_time(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S%.9f +0000 UTC").to_string()
}

fn event_value(ev: &Event) -> Value {
    let mut v = observe_fmt::event_json(ev);
    if let Value::Object(m) = &mut v {
        m.insert("Time".into(), json!(go_time(&ev.time)));
        m.entry("ID").or_insert(json!(ev.id));
        m.entry("Name").or_insert(json!(ev.name));
        m.entry("Image").or_insert(json!(ev.image));
    }
    v
}

pub fn events(g: &Global, a: &EventsArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    let filter = Filter::parse(&a.filter).map_err(anyhow::Error::new)?;
    let since = time_arg("since", &a.since)?;
    let until = time_arg("until", &a.until)?;
    let fmt = output::parse_format(a.format.as_deref(), &[])?;
    let mut print = |ev: &Event| -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        match &fmt {
            Format::Default => writeln!(out, "{}", observe_fmt::event_line(ev))?,
            Format::Json => writeln!(out, "{}", observe_fmt::event_json(ev))?,
            Format::Template { .. } => output::render_template(&mut out, &fmt, &[event_value(ev)])
                .map_err(std::io::Error::other)?,
        }
        out.flush()
    };
    let path = store.events_path();
    if a.stream {
        events::follow(
            &path,
            since,
            until,
            &filter,
            &mut print,
            Duration::from_millis(50),
        )
        .map_err(anyhow::Error::new)?;
    } else {
        for ev in events::read(&path, since, until, &filter).map_err(anyhow::Error::new)? {
            print(&ev)?;
        }
    }
    Ok(0)
}

pub fn port(g: &Global, a: &PortArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    let targets: Vec<Container> = match (&a.container, a.all) {
        (Some(n), false) => vec![container::find(&store, n)?],
        (None, true) => container::list(&store)?,
        _ => {
            return Err(anyhow!("give one container, or --all").into());
        }
    };
    let mut out = std::io::stdout().lock();
    if let Some(p) = &a.port {
        let c = &targets[0];
        let want = if p.contains('/') {
            p.clone()
        } else {
            format!("{p}/tcp")
        };
        let found: Vec<_> = rsp_net::ports::each(&c.config.ports)
            .into_iter()
            .filter(|(ctr, _, _)| *ctr == want)
            .collect();
        if found.is_empty() {
            return Err(anyhow!(
                "no public port {want:?} published for {}: publish it with -p when creating the container",
                c.config.name
            )
            .into());
        }
        for (_, ip, port) in found {
            writeln!(out, "{ip}:{port}")?;
        }
        return Ok(0);
    }
    for c in &targets {
        if a.all && (c.config.ports.is_empty() || !c.state.is_active()) {
            continue;
        }
        for (ctr, ip, port) in rsp_net::ports::each(&c.config.ports) {
            if a.all {
                writeln!(out, "{}\t{ctr} -> {ip}:{port}", &c.config.id[..12])?;
            } else {
                writeln!(out, "{ctr} -> {ip}:{port}")?;
            }
        }
    }
    Ok(0)
}

pub fn top(g: &Global, a: &TopArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    let c = container::find(&store, &a.container)?;
    if !c.state.is_active() {
        return Err(rsp_runtime::RuntimeError::NotRunning(c.config.name.clone()).into());
    }
    let pids =
        rsp_runtime::procs::members(c.state.pid, c.state.ns_pid()).map_err(anyhow::Error::new)?;
    let read = |f: &str| rsp_runtime::process::read_in_container(c.state.ns_pid(), f);
    let descriptors: Vec<String> = a
        .descriptors
        .iter()
        .flat_map(|d| d.split(',').map(str::to_string).collect::<Vec<_>>())
        .filter(|d| !d.is_empty())
        .collect();
    let mut out = std::io::stdout().lock();
    match rsp_runtime::top::top(
        &pids,
        &descriptors,
        read("/etc/passwd").as_deref(),
        read("/etc/group").as_deref(),
    ) {
        Ok((header, rows)) => {
            let header: Vec<&str> = header.iter().map(String::as_str).collect();
            output::table(&mut out, &header, &rows)?;
        }
        Err(rsp_runtime::top::TopError::UnknownDescriptor(_)) => {
            // Not descriptors: ps(1) options, filtered to the container.
            let text =
                rsp_runtime::top::ps_fallback(&pids, &a.descriptors).map_err(anyhow::Error::new)?;
            out.write_all(text.as_bytes())?;
        }
        Err(e) => return Err(anyhow::Error::new(e).into()),
    }
    Ok(0)
}

pub fn stats(g: &Global, a: &StatsArgs) -> CmdResult {
    let (_, store) = open_store(g)?;
    let fmt = output::parse_format(a.format.as_deref(), &[])?;
    // Each refresh shows the CPU use since the one before.
    let mut cpu = rsp_runtime::stats::CpuTracker::default();
    let mut first = true;
    loop {
        let targets: Vec<Container> = if a.containers.is_empty() {
            container::list(&store)?
                .into_iter()
                .filter(|c| a.all || c.state.is_active())
                .collect()
        } else {
            a.containers
                .iter()
                .map(|n| container::find(&store, n))
                .collect::<Result<_, _>>()?
        };
        let mut rows = Vec::new();
        for c in &targets {
            let usage = rsp_runtime::stats::of_container(c).map_err(anyhow::Error::new)?;
            let cpu = cpu.update(
                &c.config.id,
                rsp_runtime::stats::started_at(c).filter(|_| c.state.is_active()),
                usage.cpu_nanos,
                std::time::SystemTime::now(),
            );
            let id = if a.no_trunc {
                c.config.id.clone()
            } else {
                c.config.id[..12].to_string()
            };
            rows.push(observe_fmt::stats_row(&id, &c.config.name, &usage, cpu));
        }
        let mut out = std::io::stdout().lock();
        if !first && !a.no_stream && matches!(fmt, Format::Default) {
            // Redraw in place, as Podman does on a terminal.
            write!(out, "\x1b[2J\x1b[H")?;
        }
        match &fmt {
            Format::Json => writeln!(out, "{}", output::json_pretty(&Value::Array(rows)))?,
            Format::Template { .. } => output::render_template(&mut out, &fmt, &rows)?,
            Format::Default => {
                let table: Vec<Vec<String>> =
                    rows.iter().map(observe_fmt::stats_table_row).collect();
                output::table(&mut out, observe_fmt::STATS_HEADERS, &table)?;
            }
        }
        out.flush()?;
        if a.no_stream {
            return Ok(0);
        }
        first = false;
        std::thread::sleep(Duration::from_secs(a.interval.max(1)));
    }
}

/// One side of `rsp cp`.
enum CpArg<'a> {
    Stdio,
    Host(&'a str),
    Container(&'a str, String),
}

/// Docker's rule: `NAME:PATH` names a container unless the argument starts
/// like a local path (`/`, `.`); `-` is a tar stream.
fn cp_arg(s: &str) -> CpArg<'_> {
    if s == "-" {
        return CpArg::Stdio;
    }
    if s.starts_with('/') || s.starts_with('.') {
        return CpArg::Host(s);
    }
    match s.split_once(':') {
        Some((name, path)) if !name.is_empty() && !name.contains('/') => {
            CpArg::Container(name, path.to_string())
        }
        _ => CpArg::Host(s),
    }
}

/// A container path as given, made absolute against its working directory
/// as Podman does.
fn ctr_path(c: &Container, p: &str) -> String {
    if p.starts_with('/') {
        return p.to_string();
    }
    let wd = if c.config.workdir.is_empty() {
        "/"
    } else {
        &c.config.workdir
    };
    let p = if p.is_empty() { "." } else { p };
    format!("{}/{p}", wd.trim_end_matches('/'))
}

pub fn cp(g: &super::args::Global, a: &super::args::CpArgs) -> CmdResult {
    use rsp_runtime::copy::{InSrc, OutDest, copy_in, copy_out};
    let (_, store) = open_store(g)?;
    match (cp_arg(&a.src), cp_arg(&a.dest)) {
        (CpArg::Container(n, p), dest) => {
            let c = container::find(&store, n)?;
            let src = ctr_path(&c, &p);
            match dest {
                CpArg::Container(..) => {
                    return Err(anyhow!(
                        "copying between containers is not supported: copy to the host first"
                    )
                    .into());
                }
                CpArg::Stdio => {
                    let mut out = std::io::stdout().lock();
                    copy_out(
                        &store,
                        &c,
                        &src,
                        a.follow_link,
                        a.overwrite,
                        OutDest::Tar(&mut out),
                    )?;
                    out.flush()?;
                }
                CpArg::Host(h) => copy_out(
                    &store,
                    &c,
                    &src,
                    a.follow_link,
                    a.overwrite,
                    OutDest::Path(h),
                )?,
            }
        }
        (src, CpArg::Container(n, p)) => {
            let c = container::find(&store, n)?;
            let dest = ctr_path(&c, &p);
            match src {
                CpArg::Stdio => {
                    let mut input = std::io::stdin().lock();
                    copy_in(
                        &store,
                        &c,
                        InSrc::Tar(&mut input),
                        &dest,
                        true,
                        false,
                        a.overwrite,
                    )?
                }
                CpArg::Host(h) => copy_in(
                    &store,
                    &c,
                    InSrc::Path(h),
                    &dest,
                    a.archive,
                    a.follow_link,
                    a.overwrite,
                )?,
                CpArg::Container(..) => unreachable!("handled above"),
            }
        }
        _ => {
            return Err(anyhow!(
                "one of {:?} and {:?} must name a container, as CONTAINER:PATH",
                a.src,
                a.dest
            )
            .into());
        }
    }
    Ok(0)
}
