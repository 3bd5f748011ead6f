//! Running a build: each stage's instructions in order, each step's result
//! an image (Podman's intermediate images), found again in the [`cache`]
//! when nothing it depends on changed.
//!
//! Contract:
//! - RUN is a container started as `rsp run` starts one (same
//!   namespaces, network, storage driver, ownership and id emulation),
//!   through `rsp_runtime`, tied to this process: when the build dies, its
//!   container and mounts die with it, and its record is swept by the next
//!   build ([`rsp_runtime::container::remove_dead_build_containers`]). Its
//!   changes become a layer through the code `rsp commit` uses.
//! - COPY, ADD and WORKDIR write into a fresh upper directory above the
//!   image's layers ([`crate::copy`]), made a layer the same way.
//! - Config-only steps (ENV, LABEL, CMD, ...) make an image without a
//!   layer, with an `empty_layer` history entry, as Podman does.
//! - Independent stages run at the same time, each in a child process of
//!   its own (the runtime starts containers only from single-threaded
//!   processes, so stages are processes, not threads); stages the target
//!   does not need are skipped.
//! - Every image is stored whole or not at all (`rsp_image::local`); a build
//!   killed at any point leaves at most intermediate images and layers
//!   that `rsp image prune` removes.
//!
//! Nothing here prints: progress goes to the caller's [`Event`] handler,
//! called from whichever process runs the stage; it must write each event
//! whole and flush it, since stage processes share the caller's output.

use crate::cache::{Cache, CacheError, Key};
use crate::context::Context;
use crate::copy::{self, CopyError, CopyOptions};
use crate::dockerfile::{self, Command, CopyArgs, Health, Heredoc, Instruction, Kind};
use crate::expand::{self, ExpandError};
use crate::plan::{self, Base, Plan, PlanError, flag};
use crate::tree::{LayersTree, Tree};
use crate::{archive, fetch};
use rsp_base::paths::Paths;
use rsp_image::local::{self, StoreAs};
use rsp_runtime::commit;
use rsp_runtime::container::{BuildOwner, Container, LogDriver, Mount, NetworkMode};
use rsp_runtime::monitor::Launch;
use rsp_runtime::spec::{ContainerSpec, LogSpec};
use rsp_storage::driver::Driver;
use rsp_storage::pack::Layer;
use rsp_storage::view::View;
use rsp_storage::{ImageRecord, Store};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Parse(#[from] dockerfile::ParseError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("building at STEP \"{step}\": {source}")]
    Expand { step: String, source: ExpandError },
    #[error("building at STEP \"{step}\": {message}")]
    Step { step: String, message: String },
    #[error("building at STEP \"{step}\": while running runtime: exit status {code}")]
    RunFailed { step: String, code: i32 },
    #[error("building at STEP \"{step}\": {source}")]
    Copy { step: String, source: CopyError },
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error(transparent)]
    Store(#[from] rsp_storage::StoreError),
    #[error("storing the image: {0}")]
    Image(#[from] local::LocalImageError),
    #[error("making a layer: {0}")]
    Commit(#[from] commit::CommitError),
    #[error("{0}")]
    Stage(String),
    #[error("starting a build stage: {0}")]
    Spawn(rsp_sys::spawn::SpawnError),
    #[error("image {0:?} was not resolved before the build")]
    Unresolved(String),
    #[error("the config of image {id} is not JSON: {reason}")]
    BadConfig { id: String, reason: String },
    #[error("reading the layers of the build: {0}")]
    Layers(std::io::Error),
    #[error("--output {what}: {source}")]
    Output {
        what: String,
        source: std::io::Error,
    },
}

type Result<T, E = BuildError> = std::result::Result<T, E>;

/// Progress, for the caller to show (as Podman prints it).
#[derive(Debug)]
pub enum Event<'a> {
    /// `[i/N] STEP n/m: TEXT` (the prefix only with several stages).
    Step {
        stage: usize,
        stages: usize,
        n: usize,
        of: usize,
        text: &'a str,
    },
    /// `--> Using cache ID`.
    UsingCache { id: &'a str },
    /// `--> ID` (short) after a step or stage.
    Done { id: &'a str },
    /// `COMMIT NAME` before the final image is stored; `stage` of
    /// `stages` is the target's (1-based), for the `[i/n]` prefix.
    Commit {
        name: &'a str,
        stage: usize,
        stages: usize,
    },
    /// `Successfully tagged NAME`.
    Tagged { name: &'a str },
    /// Something the user should know that does not stop the build.
    Warning(String),
}

/// `--format`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Oci,
    Docker,
}

/// `--output`.
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    /// The final stage's files into a directory.
    Local(PathBuf),
    /// ... as a tar file (`-`: stdout, handled by the caller's writer).
    Tar(PathBuf),
}

/// A `--secret`.
#[derive(Clone, Debug)]
pub enum Secret {
    File(PathBuf),
    /// The value itself (from `env=`), written to a private file for the
    /// step that mounts it.
    Value(Vec<u8>),
}

/// A `--build-context NAME=...`.
pub enum NamedContext {
    Dir(Context),
    Image(String),
}

/// `--cache-from` / `--cache-to`: a registry repository holding step
/// images tagged with their cache keys. The caller implements it (it talks
/// to registries, which this crate does not).
pub trait RemoteCache {
    /// Fetches the image of cache key `key` into the store, if a
    /// `--cache-from` repository has it; its ID.
    fn fetch(&self, key: &str) -> Option<String>;
    /// Sends image `id` as the result of `key` to the `--cache-to`
    /// repositories; an error is a warning, not a failed build.
    fn store(&self, key: &str, id: &str) -> std::result::Result<(), String>;
}

/// What the build is asked to do.
pub struct BuildOptions {
    pub dockerfile: dockerfile::Dockerfile,
    pub build_args: BTreeMap<String, String>,
    pub target: Option<String>,
    /// Fully qualified names for the result.
    pub tags: Vec<String>,
    pub no_cache: bool,
    /// `--layers` (default): every step an image, cached.
    pub layers: bool,
    pub squash: bool,
    pub squash_all: bool,
    pub labels: Vec<(String, String)>,
    pub annotations: Vec<(String, String)>,
    pub format: Format,
    pub network: NetworkMode,
    pub net_options: rsp_net::NetOptions,
    pub secrets: BTreeMap<String, Secret>,
    pub storage_driver: Driver,
    /// Most stages built at once (0: no limit).
    pub jobs: usize,
    /// RUN output goes here instead of the caller's stdout/stderr (`-q`).
    pub run_output: Option<OwnedFd>,
    pub output: Option<Output>,
    pub remote: Option<Box<dyn RemoteCache>>,
}

/// Where sources and base images come from.
pub struct Sources {
    pub context: Context,
    pub named: BTreeMap<String, NamedContext>,
    /// Every image the plan names (FROM, `--from`), resolved by the
    /// caller (pulled as its `--pull` says) before the build starts.
    pub images: BTreeMap<String, ImageRecord>,
}

/// The images a plan needs from outside: FROM images and `--from` names
/// that are neither stages nor build contexts.
pub fn external_images(plan: &Plan, named: &BTreeMap<String, NamedContext>) -> Vec<String> {
    let mut out = BTreeSet::new();
    for s in plan.stages.iter().filter(|s| plan.needed[s.index]) {
        if let Base::Image(i) = &s.base {
            match named.get(i) {
                Some(NamedContext::Image(img)) => out.insert(img.clone()),
                Some(NamedContext::Dir(_)) => false,
                None => out.insert(i.clone()),
            };
        }
        for e in &s.external {
            match named.get(e) {
                Some(NamedContext::Image(img)) => out.insert(img.clone()),
                Some(NamedContext::Dir(_)) => false,
                None => out.insert(e.clone()),
            };
        }
    }
    out.into_iter().collect()
}

/// The result of a build.
#[derive(Debug)]
pub struct Built {
    pub id: String,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

fn short(id: &str) -> &str {
    &id[..id.len().min(11)]
}

/// A stage's working state: the image so far.
#[derive(Clone)]
struct State {
    /// The whole image config.
    config: Map<String, Value>,
    /// The image ID of `config`, once stored.
    id: Option<String>,
    /// ARGs in scope: name → value (None: declared, no value).
    args: BTreeMap<String, Option<String>>,
    /// Whether this stage set CMD (ENTRYPOINT then keeps it).
    cmd_set: bool,
    /// Directories WORKDIR named that the image lacks, with their owner:
    /// as in Podman, WORKDIR is an empty layer and they go into the next
    /// step's layer (RUN's container makes its working directory itself).
    pending_dirs: Vec<(String, (u32, u32))>,
}

impl State {
    fn cfg(&mut self) -> &mut Map<String, Value> {
        object_at(&mut self.config, "config")
    }

    fn cfg_ref(&self) -> Option<&Map<String, Value>> {
        self.config.get("config").and_then(Value::as_object)
    }

    fn layers(&self) -> Vec<String> {
        self.config
            .get("rootfs")
            .and_then(|r| r.get("diff_ids"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn env(&self) -> Vec<String> {
        self.cfg_ref()
            .and_then(|c| c.get("Env"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn env_get(&self, key: &str) -> Option<String> {
        self.env().into_iter().find_map(|kv| {
            kv.split_once('=')
                .filter(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
        })
    }

    fn set_env(&mut self, key: &str, value: &str) {
        let mut env = self.env();
        let entry = format!("{key}={value}");
        match env
            .iter_mut()
            .find(|kv| kv.split_once('=').map(|(k, _)| k) == Some(key))
        {
            Some(e) => *e = entry,
            None => env.push(entry),
        }
        self.cfg().insert("Env".into(), json!(env));
    }

    fn str_field(&self, key: &str) -> String {
        self.cfg_ref()
            .and_then(|c| c.get(key))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    }

    fn shell(&self) -> Vec<String> {
        self.cfg_ref()
            .and_then(|c| c.get("Shell"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect::<Vec<_>>()
            })
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| vec!["/bin/sh".into(), "-c".into()])
    }

    /// ENV first, then ARGs in scope, as Docker looks variables up.
    fn lookup(&self, key: &str) -> Option<String> {
        self.env_get(key)
            .or_else(|| self.args.get(key).cloned().flatten())
    }

    /// ARGs with a value, proxies left out: what RUN's cache key and
    /// history take.
    fn arg_values(&self) -> Vec<(String, String)> {
        self.args
            .iter()
            .filter(|(k, _)| !plan::PROXY_ARGS.contains(&k.as_str()))
            .filter_map(|(k, v)| v.clone().map(|v| (k.clone(), v)))
            .collect()
    }
}

/// A directory removed (with what it holds) when this goes.
struct RemoveOnDrop(Option<PathBuf>);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(d) = &self.0 {
            let _ = rsp_storage::remove_tree(d);
            // The per-user scratch base goes too once empty (a build that
            // makes its own at the same time falls back to the store's).
            if let Some(base) = d.parent() {
                let _ = std::fs::remove_dir(base);
            }
        }
    }
}

/// Copies up to this many bytes are staged on a tmpfs.
const FAST_SCRATCH_LIMIT: u64 = 64 << 20;

/// The tmpfs directories a COPY may be staged in: the run root (usually
/// `$XDG_RUNTIME_DIR/rsp`), else `/dev/shm`; each gets a directory of
/// this user's, `rsp-build-UID`, checked to be ours (never followed if it
/// is a link another user planted).
fn scratch_bases(paths: &Paths) -> Vec<PathBuf> {
    let uid = nix::unistd::getuid().as_raw();
    [paths.runroot.clone(), PathBuf::from("/dev/shm")]
        .into_iter()
        .filter(|b| {
            nix::sys::statfs::statfs(b.as_path())
                .is_ok_and(|f| f.filesystem_type() == nix::sys::statfs::TMPFS_MAGIC)
        })
        .map(|b| b.join(format!("rsp-build-{uid}")))
        .collect()
}

/// A new empty directory on a tmpfs for `bytes` of copied files, if
/// there is one to use and the copy is small enough.
fn fast_scratch(paths: &Paths, bytes: u64) -> Option<PathBuf> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt};
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    if bytes > FAST_SCRATCH_LIMIT {
        return None;
    }
    let uid = nix::unistd::getuid().as_raw();
    for base in scratch_bases(paths) {
        let _ = std::fs::DirBuilder::new().mode(0o700).create(&base);
        let ours = std::fs::symlink_metadata(&base)
            .is_ok_and(|m| m.is_dir() && m.uid() == uid && m.mode() & 0o077 == 0);
        if !ours {
            continue;
        }
        let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = base.join(format!("{}-{seq}", std::process::id()));
        let _ = rsp_storage::remove_tree(&dir);
        if std::fs::DirBuilder::new().mode(0o755).create(&dir).is_ok() {
            return Some(dir);
        }
    }
    None
}

/// Removes what killed builds left in the tmpfs scratch directories
/// (named after their process, as the store's work files are).
fn sweep_scratch(paths: &Paths) {
    for base in scratch_bases(paths) {
        let Ok(entries) = std::fs::read_dir(&base) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let pid = name.split('-').next().and_then(|p| p.parse::<i32>().ok());
            if !pid.is_some_and(|p| Path::new(&format!("/proc/{p}")).exists()) {
                let _ = rsp_storage::remove_tree(&e.path());
            }
        }
    }
}

/// The object under `key` of `m`, made (or made an object) if it is not.
fn object_at<'a>(m: &'a mut Map<String, Value>, key: &str) -> &'a mut Map<String, Value> {
    let v = m.entry(key).or_insert_with(|| json!({}));
    if !v.is_object() {
        *v = json!({});
    }
    v.as_object_mut().expect("made an object")
}

/// Builds the plan's target. `sources.images` must hold every name
/// [`external_images`] lists.
pub fn build(
    store: &Store,
    paths: &Paths,
    opts: &BuildOptions,
    plan: &Plan,
    sources: &Sources,
    events: &dyn Fn(Event<'_>),
) -> Result<Built> {
    // Containers of builds that died are swept before we add ours.
    let _ = rsp_runtime::container::remove_dead_build_containers(store, paths);
    store.clean_temp();
    sweep_scratch(paths);
    let b = Builder {
        store,
        paths,
        opts,
        plan,
        sources,
        events,
        cache: Cache::open(store),
        results: Default::default(),
    };
    let results = b.run_stages()?;
    let mut id = results
        .get(&plan.target)
        .cloned()
        .ok_or_else(|| BuildError::Stage("the target stage made no image".into()))?;
    id = b.finish(&id)?;
    if let Some(out) = &opts.output {
        b.export(&id, out)?;
    }
    Ok(Built { id })
}

/// A running stage process.
struct Worker {
    stage: usize,
    child: rsp_sys::spawn::Started<String>,
    result: std::fs::File,
}

struct Builder<'a> {
    store: &'a Store,
    paths: &'a Paths,
    opts: &'a BuildOptions,
    plan: &'a Plan,
    sources: &'a Sources,
    events: &'a dyn Fn(Event<'_>),
    cache: Cache,
    /// Stages built before the one this process runs.
    results: std::cell::RefCell<BTreeMap<usize, String>>,
}

impl Builder<'_> {
    /// Runs every needed stage, each once all it depends on are done, as
    /// many at once as `jobs` allows. Returns stage → image ID.
    fn run_stages(&self) -> Result<BTreeMap<usize, String>> {
        let plan = self.plan;
        let mut done: BTreeMap<usize, String> = BTreeMap::new();
        let mut running: Vec<Worker> = Vec::new();
        let mut pending: Vec<usize> = (0..plan.stages.len()).filter(|&i| plan.needed[i]).collect();
        let limit = if self.opts.jobs == 0 {
            usize::MAX
        } else {
            self.opts.jobs
        };
        while !pending.is_empty() || !running.is_empty() {
            // Start what is ready.
            let ready: Vec<usize> = pending
                .iter()
                .copied()
                .filter(|&i| plan.stages[i].deps.iter().all(|d| done.contains_key(d)))
                .collect();
            for i in ready {
                if running.len() >= limit {
                    break;
                }
                pending.retain(|&p| p != i);
                // One stage and nothing else to do: no process needed.
                if running.is_empty() && pending.is_empty() {
                    let id = self.run_stage(i, &done)?;
                    done.insert(i, id);
                    continue;
                }
                running.push(self.spawn_stage(i, &done)?);
            }
            if running.is_empty() {
                if pending.is_empty() {
                    break;
                }
                continue;
            }
            // Wait for one to finish.
            let idx = wait_any(&running)?;
            let mut w = running.remove(idx);
            let mut out = String::new();
            let _ = w.result.read_to_string(&mut out);
            let outcome = w.child.outcome();
            let _ = w.child.wait();
            match outcome {
                Ok(()) if out.trim().len() == 64 => {
                    done.insert(w.stage, out.trim().to_string());
                }
                Ok(()) => {
                    self.stop_all(&mut running);
                    return Err(BuildError::Stage(format!(
                        "stage {} ended without an image",
                        w.stage + 1
                    )));
                }
                Err(e) => {
                    self.stop_all(&mut running);
                    let msg = match e {
                        rsp_sys::spawn::Failure::Child(m) => m,
                        rsp_sys::spawn::Failure::Setup(s) => s.to_string(),
                    };
                    return Err(BuildError::Stage(msg));
                }
            }
        }
        Ok(done)
    }

    fn stop_all(&self, running: &mut Vec<Worker>) {
        for w in running.drain(..) {
            w.child.kill();
            let _ = w.child.wait();
        }
    }

    fn spawn_stage(&self, i: usize, done: &BTreeMap<usize, String>) -> Result<Worker> {
        use nix::fcntl::OFlag;
        let (r, w) = nix::unistd::pipe2(OFlag::O_CLOEXEC)
            .map_err(|e| BuildError::Spawn(rsp_sys::spawn::SpawnError::Pipe(e.into())))?;
        let (child, r) = rsp_sys::spawn::Spawn::new()
            .die_with_parent()
            .start_keeping(r, move |_| {
                let id = self.run_stage(i, done).map_err(|e| e.to_string())?;
                let mut f = std::fs::File::from(w);
                f.write_all(id.as_bytes()).map_err(|e| e.to_string())
            })
            .map_err(BuildError::Spawn)?;
        Ok(Worker {
            stage: i,
            child,
            result: std::fs::File::from(r),
        })
    }

    /// The image a stage starts from.
    fn base_state(&self, i: usize, done: &BTreeMap<usize, String>) -> Result<State> {
        let stage = &self.plan.stages[i];
        let (config, id) = match &stage.base {
            Base::Scratch => {
                let p = rsp_image::Platform::host();
                let mut c = json!({
                    "architecture": p.architecture,
                    "os": p.os,
                    "config": {},
                    "rootfs": {"type": "layers", "diff_ids": []},
                    "history": [],
                });
                if let Some(v) = p.variant {
                    c["variant"] = json!(v);
                }
                (c, None)
            }
            Base::Stage(j) => {
                let id = done
                    .get(j)
                    .ok_or_else(|| BuildError::Stage(format!("stage {} was not built", j + 1)))?;
                (self.config_of(id)?, Some(id.clone()))
            }
            Base::Image(name) => {
                let rec = self.image(name)?;
                (self.config_of(&rec.id)?, Some(rec.id.clone()))
            }
        };
        let config = match config {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        Ok(State {
            config,
            id,
            args: BTreeMap::new(),
            cmd_set: false,
            pending_dirs: Vec::new(),
        })
    }

    fn image(&self, name: &str) -> Result<&ImageRecord> {
        let name = match self.sources.named.get(name) {
            Some(NamedContext::Image(i)) => i.as_str(),
            _ => name,
        };
        self.sources
            .images
            .get(name)
            .ok_or_else(|| BuildError::Unresolved(name.to_string()))
    }

    fn config_of(&self, id: &str) -> Result<Value> {
        let bytes = self.store.get_blob(&format!("sha256:{id}"))?;
        serde_json::from_slice(&bytes).map_err(|e| BuildError::BadConfig {
            id: id.to_string(),
            reason: e.to_string(),
        })
    }

    /// Runs stage `i`; returns its image ID.
    fn run_stage(&self, i: usize, done: &BTreeMap<usize, String>) -> Result<String> {
        *self.results.borrow_mut() = done.clone();
        let stage = &self.plan.stages[i];
        // Podman counts the stages up to the target only.
        let stages = self.plan.target + 1;
        let ev = self.events;
        let mut st = self.base_state(i, done)?;
        // ONBUILD triggers of the base image run first, numbered as steps
        // after FROM (Podman's FROM line still counts without them).
        let triggers: Vec<String> = st
            .cfg_ref()
            .and_then(|c| c.get("OnBuild"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        ev(Event::Step {
            stage: i + 1,
            stages,
            n: 1,
            of: stage.steps.len() + 1,
            text: &stage.from_text,
        });
        let of = stage.steps.len() + 1 + triggers.len();
        let mut n = 1;
        let last = stage.steps.len();
        if !triggers.is_empty() {
            // The triggers' steps build on the base image (their cache
            // keys name it) but commit a config without them.
            st.cfg().remove("OnBuild");
            for t in &triggers {
                let df = dockerfile::parse(&format!("FROM scratch\n{t}\n"))?;
                if let Some(ins) = df.instructions.get(1) {
                    n += 1;
                    ev(Event::Step {
                        stage: i + 1,
                        stages,
                        n,
                        of,
                        text: ins.original.trim_end(),
                    });
                    let final_step = i == self.plan.target && last == 0 && n == of;
                    self.step(i, &mut st, ins, final_step)?;
                    if !final_step && let Some(id) = &st.id {
                        ev(Event::Done { id: short(id) });
                    }
                }
            }
        }
        for (k, ins) in stage.steps.iter().enumerate() {
            n += 1;
            ev(Event::Step {
                stage: i + 1,
                stages,
                n,
                of,
                text: ins.original.trim_end(),
            });
            let final_step = i == self.plan.target && k + 1 == last;
            self.step(i, &mut st, ins, final_step)?;
            if !final_step && let Some(id) = &st.id {
                ev(Event::Done { id: short(id) });
            }
        }
        // A stage with nothing but FROM (or with ONBUILD triggers only
        // dropped) still needs an image of its own.
        if st.id.is_none() {
            let id = self.store_state(&mut st, None)?;
            st.id = Some(id);
        }
        Ok(st.id.expect("stored above"))
    }

    /// Stores the state's config as an image; returns its ID.
    fn store_state(&self, st: &mut State, created_by: Option<(&str, bool)>) -> Result<String> {
        let t = now();
        st.config.insert("created".into(), json!(t));
        if let Some((by, empty)) = created_by {
            let mut h = json!({"created": t, "created_by": by});
            if empty {
                h["empty_layer"] = json!(true);
            }
            let hist = st.config.entry("history").or_insert_with(|| json!([]));
            if !hist.is_array() {
                *hist = json!([]);
            }
            hist.as_array_mut().expect("made a list").push(h);
        }
        let bytes = serde_json::to_vec(&Value::Object(st.config.clone())).expect("JSON serializes");
        let rec = local::store_image_as(
            self.store,
            &bytes,
            Vec::new(),
            StoreAs {
                intermediate: true,
                docker: self.opts.format == Format::Docker,
                annotations: Default::default(),
            },
        )?;
        st.id = Some(rec.id.clone());
        Ok(rec.id)
    }

    fn use_cache(&self) -> bool {
        self.opts.layers && !self.opts.no_cache
    }

    /// A cache hit for `key`: the state becomes that image.
    fn try_cache(&self, st: &mut State, key: &str) -> Result<bool> {
        if !self.use_cache() {
            return Ok(false);
        }
        let db = self.store.images()?;
        let id = match self.cache.get(key, &db) {
            Some(id) => id,
            None => match self.opts.remote.as_ref().and_then(|r| r.fetch(key)) {
                Some(id) => {
                    self.cache.put(key, &id)?;
                    id
                }
                None => return Ok(false),
            },
        };
        let args = std::mem::take(&mut st.args);
        let cmd_set = st.cmd_set;
        let pending_dirs = std::mem::take(&mut st.pending_dirs);
        let Value::Object(config) = self.config_of(&id)? else {
            st.args = args;
            st.pending_dirs = pending_dirs;
            return Ok(false);
        };
        *st = State {
            config,
            id: Some(id.clone()),
            args,
            cmd_set,
            pending_dirs,
        };
        (self.events)(Event::UsingCache { id: &id });
        Ok(true)
    }

    fn remember(&self, key: &str, id: &str) -> Result<()> {
        if self.opts.layers {
            self.cache.put(key, id)?;
            if let Some(r) = &self.opts.remote
                && let Err(e) = r.store(key, id)
            {
                (self.events)(Event::Warning(format!("--cache-to: {e}")));
            }
        }
        Ok(())
    }

    fn parent_key(&self, what: &str, st: &State, text: &str) -> Key {
        let mut k = Key::new(what);
        k.add(st.id.as_deref().unwrap_or("scratch"));
        k.add(text);
        k
    }

    fn expand_word(&self, st: &State, ins: &Instruction, text: &str) -> Result<String> {
        let lookup = |k: &str| st.lookup(k);
        expand::word(text, self.plan.escape, &lookup)
            .map(|e| e.value)
            .map_err(|source| BuildError::Expand {
                step: ins.text.clone(),
                source,
            })
    }

    fn expand_words(&self, st: &State, ins: &Instruction, text: &str) -> Result<Vec<String>> {
        let lookup = |k: &str| st.lookup(k);
        expand::words(text, self.plan.escape, &lookup)
            .map(|e| e.value)
            .map_err(|source| BuildError::Expand {
                step: ins.text.clone(),
                source,
            })
    }

    fn step_err(&self, ins: &Instruction, message: impl Into<String>) -> BuildError {
        BuildError::Step {
            step: ins.text.clone(),
            message: message.into(),
        }
    }

    /// One instruction.
    fn step(&self, stage: usize, st: &mut State, ins: &Instruction, _final: bool) -> Result<()> {
        match &ins.kind {
            Kind::Run {
                flags,
                cmd,
                heredocs,
            } => self.run(stage, st, ins, flags, cmd, heredocs),
            Kind::Copy(c) => self.copy(st, ins, c, false),
            Kind::Add(c) => self.copy(st, ins, c, true),
            Kind::Workdir(w) => self.workdir(st, ins, w),
            Kind::Arg(args) => {
                for (name, default) in args {
                    let value = if let Some(v) = self.opts.build_args.get(name) {
                        Some(v.clone())
                    } else if let Some(d) = default {
                        Some(self.expand_word(st, ins, d)?)
                    } else {
                        self.plan.global.get(name).cloned()
                    };
                    st.args.insert(name.clone(), value);
                }
                let names: Vec<String> = args.iter().map(|(n, _)| n.clone()).collect();
                let by = format!("/bin/sh -c #(nop) ARG {}", names.join(" "));
                self.config_step(st, ins, &by, |_| Ok(()))
            }
            _ => self.config_instruction(st, ins),
        }
    }

    /// A step that changes only the config: `change` applies it; the
    /// result is cached by parent and expanded text.
    ///
    /// `expanded` (the instruction with its variables substituted) keys
    /// the cache; the history has the instruction as written, as Podman's
    /// does (`/bin/sh -c #(nop) env  A=$X`), but ARG's only names.
    fn config_step(
        &self,
        st: &mut State,
        ins: &Instruction,
        expanded: &str,
        change: impl FnOnce(&mut State) -> Result<()>,
    ) -> Result<()> {
        let key = self.parent_key("config", st, expanded).finish();
        if self.try_cache(st, &key)? {
            return Ok(());
        }
        change(st)?;
        let by = match ins.kind {
            Kind::Arg(_) => expanded.to_string(),
            _ => format!("/bin/sh -c #(nop) {}", ins.original.trim_end()),
        };
        let id = self.store_state(st, Some((&by, true)))?;
        self.remember(&key, &id)
    }

    fn config_instruction(&self, st: &mut State, ins: &Instruction) -> Result<()> {
        let nop = |s: &str| format!("/bin/sh -c #(nop) {s}");
        match &ins.kind {
            Kind::Env(pairs) => {
                let mut vals = Vec::new();
                for (k, v) in pairs {
                    vals.push((k.clone(), self.expand_word(st, ins, v)?));
                }
                let text = vals
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" ");
                self.config_step(st, ins, &nop(&format!("ENV {text}")), |st| {
                    for (k, v) in &vals {
                        st.set_env(k, v);
                    }
                    Ok(())
                })
            }
            Kind::Label(pairs) => {
                let mut vals = Vec::new();
                for (k, v) in pairs {
                    vals.push((self.expand_word(st, ins, k)?, self.expand_word(st, ins, v)?));
                }
                let text = vals
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" ");
                self.config_step(st, ins, &nop(&format!("LABEL {text}")), |st| {
                    let m = object_at(st.cfg(), "Labels");
                    for (k, v) in vals {
                        m.insert(k, json!(v));
                    }
                    Ok(())
                })
            }
            Kind::User(u) => {
                let u = self.expand_word(st, ins, u)?;
                self.config_step(st, ins, &nop(&format!("USER {u}")), |st| {
                    st.cfg().insert("User".into(), json!(u));
                    Ok(())
                })
            }
            Kind::Expose(words) => {
                let mut ports = Vec::new();
                for w in words {
                    for p in self.expand_words(st, ins, w)? {
                        let key = if p.contains('/') {
                            p.to_ascii_lowercase()
                        } else {
                            format!("{p}/tcp")
                        };
                        let (num, proto) = key.split_once('/').expect("has a slash");
                        let valid_num = num
                            .split_once('-')
                            .map(|(a, b)| a.parse::<u16>().is_ok() && b.parse::<u16>().is_ok())
                            .unwrap_or_else(|| num.parse::<u16>().is_ok());
                        if !valid_num || !["tcp", "udp", "sctp"].contains(&proto) {
                            return Err(self.step_err(
                                ins,
                                format!("invalid port {p:?}: use PORT[/tcp|udp|sctp]"),
                            ));
                        }
                        ports.push(key);
                    }
                }
                let text = ports.join(" ");
                self.config_step(st, ins, &nop(&format!("EXPOSE {text}")), |st| {
                    let m = object_at(st.cfg(), "ExposedPorts");
                    for p in ports {
                        m.insert(p, json!({}));
                    }
                    Ok(())
                })
            }
            Kind::Volume(words) => {
                let mut vols = Vec::new();
                for w in words {
                    vols.extend(self.expand_words(st, ins, w)?);
                }
                if vols.iter().any(|v| v.is_empty()) {
                    return Err(self.step_err(ins, "VOLUME specified can not be an empty string"));
                }
                let text = format!("VOLUME {}", serde_json::to_string(&vols).expect("JSON"));
                self.config_step(st, ins, &nop(&text), |st| {
                    let m = object_at(st.cfg(), "Volumes");
                    for v in vols {
                        m.insert(v, json!({}));
                    }
                    Ok(())
                })
            }
            Kind::StopSignal(s) => {
                let s = self.expand_word(st, ins, s)?;
                if rsp_runtime::ops::parse_signal(&s).is_none() {
                    return Err(self.step_err(ins, format!("invalid signal {s:?}")));
                }
                self.config_step(st, ins, &nop(&format!("STOPSIGNAL {s}")), |st| {
                    st.cfg().insert("StopSignal".into(), json!(s));
                    Ok(())
                })
            }
            Kind::Cmd(c) | Kind::Entrypoint(c) => {
                let is_cmd = matches!(ins.kind, Kind::Cmd(_));
                let argv = match c {
                    Command::Exec(v) => v.clone(),
                    Command::Shell(s) => {
                        let mut v = st.shell();
                        v.push(s.clone());
                        v
                    }
                };
                let word = if is_cmd { "CMD" } else { "ENTRYPOINT" };
                let text = format!("{word} {}", serde_json::to_string(&argv).expect("JSON"));
                let cmd_set = st.cmd_set;
                self.config_step(st, ins, &nop(&text), |st| {
                    if is_cmd {
                        st.cfg().insert("Cmd".into(), json!(argv));
                    } else {
                        st.cfg().insert("Entrypoint".into(), json!(argv));
                        // Docker: an ENTRYPOINT resets a CMD inherited from
                        // the base image.
                        if !cmd_set {
                            st.cfg().remove("Cmd");
                        }
                    }
                    Ok(())
                })?;
                if is_cmd {
                    st.cmd_set = true;
                }
                Ok(())
            }
            Kind::Shell(v) => {
                let text = format!("SHELL {}", serde_json::to_string(v).expect("JSON"));
                let v = v.clone();
                self.config_step(st, ins, &nop(&text), |st| {
                    st.cfg().insert("Shell".into(), json!(v));
                    Ok(())
                })
            }
            Kind::Healthcheck(h) => {
                let value = match h {
                    Health::None => json!({"Test": ["NONE"]}),
                    Health::Check { flags, cmd } => {
                        let test = match cmd {
                            Command::Exec(v) => {
                                let mut t = vec!["CMD".to_string()];
                                t.extend(v.iter().cloned());
                                t
                            }
                            Command::Shell(s) => vec!["CMD-SHELL".to_string(), s.clone()],
                        };
                        let mut m = json!({"Test": test});
                        for (name, key) in [
                            ("interval", "Interval"),
                            ("timeout", "Timeout"),
                            ("start-period", "StartPeriod"),
                            ("start-interval", "StartInterval"),
                        ] {
                            if let Some(v) = flag(flags, name) {
                                let ns = parse_duration(v).ok_or_else(|| {
                                    self.step_err(
                                        ins,
                                        format!("invalid --{name} {v:?}: use a duration like 30s"),
                                    )
                                })?;
                                m[key] = json!(ns);
                            }
                        }
                        if let Some(v) = flag(flags, "retries") {
                            let n: u64 = v.parse().map_err(|_| {
                                self.step_err(ins, format!("invalid --retries {v:?}: use a number"))
                            })?;
                            m["Retries"] = json!(n);
                        }
                        m
                    }
                };
                let text = ins.text.clone();
                self.config_step(st, ins, &nop(&text), |st| {
                    st.cfg().insert("Healthcheck".into(), value);
                    Ok(())
                })
            }
            Kind::Onbuild(t) => {
                let t = t.clone();
                self.config_step(st, ins, &nop(&format!("ONBUILD {t}")), |st| {
                    let l = st.cfg().entry("OnBuild").or_insert_with(|| json!([]));
                    if !l.is_array() {
                        *l = json!([]);
                    }
                    l.as_array_mut().expect("made a list").push(json!(t));
                    Ok(())
                })
            }
            Kind::Maintainer(m) => {
                let m = self.expand_word(st, ins, m)?;
                self.config_step(st, ins, &nop(&format!("MAINTAINER {m}")), |st| {
                    st.config.insert("author".into(), json!(m));
                    Ok(())
                })
            }
            Kind::From { .. }
            | Kind::Run { .. }
            | Kind::Copy(_)
            | Kind::Add(_)
            | Kind::Workdir(_)
            | Kind::Arg(_) => Err(self.step_err(ins, "unexpected instruction")),
        }
    }

    /// The layer directories of the state's image, lowest first.
    fn layer_dirs(&self, st: &State) -> Result<Vec<PathBuf>> {
        st.layers()
            .iter()
            .map(|d| Ok(self.store.layer_path(d)?))
            .collect()
    }

    /// The state's files, as a tree.
    fn view(&self, layers: &[String]) -> Result<LayersTree> {
        let mut ls = Vec::new();
        for d in layers.iter().rev() {
            ls.push(Layer::image(self.store.layer_path(d)?));
        }
        Ok(LayersTree(View::new(ls).map_err(BuildError::Layers)?))
    }

    /// Adds layer `diff_id` and a history entry to the state, and stores it.
    fn add_layer(&self, st: &mut State, diff_id: &str, created_by: &str) -> Result<String> {
        let rootfs = st
            .config
            .entry("rootfs")
            .or_insert_with(|| json!({"type": "layers"}));
        if !rootfs.is_object() {
            *rootfs = json!({"type": "layers"});
        }
        let r = rootfs.as_object_mut().expect("made an object");
        r.insert("type".into(), json!("layers"));
        let ids = r.entry("diff_ids").or_insert_with(|| json!([]));
        if !ids.is_array() {
            *ids = json!([]);
        }
        ids.as_array_mut()
            .expect("made a list")
            .push(json!(diff_id));
        self.store_state(st, Some((created_by, false)))
    }

    /// Commits what `upper` changes over the state's layers.
    fn commit_upper(&self, st: &mut State, upper: &Path, created_by: &str) -> Result<String> {
        let stats = commit::upper_layer(self.store, upper, &st.layers())?;
        self.add_layer(st, &stats.diff_id, created_by)
    }

    fn workdir(&self, st: &mut State, ins: &Instruction, w: &str) -> Result<()> {
        let w = self.expand_word(st, ins, w)?;
        let cur = st.str_field("WorkingDir");
        let joined = if w.starts_with('/') {
            w.clone()
        } else {
            format!("{}/{w}", if cur.is_empty() { "/" } else { &cur })
        };
        let path = clean_path(&joined);
        let by = format!("/bin/sh -c #(nop) WORKDIR {path}");
        let view = self.view(&st.layers())?;
        if !resolve_exists(&view, &path) && !st.pending_dirs.iter().any(|(d, _)| *d == path) {
            let owner = self.user_owner(st)?;
            st.pending_dirs.push((path.clone(), owner));
        }
        let key = self.parent_key("workdir", st, &by).finish();
        if self.try_cache(st, &key)? {
            return Ok(());
        }
        st.cfg().insert("WorkingDir".into(), json!(path));
        // Podman's history has the line as written.
        let by = format!("/bin/sh -c #(nop) {}", ins.original.trim_end());
        let id = self.store_state(st, Some((&by, true)))?;
        self.remember(&key, &id)
    }

    /// The uid and gid of the config's USER in the image (WORKDIR's owner).
    fn user_owner(&self, st: &State) -> Result<(u32, u32)> {
        let user = st.str_field("User");
        if user.is_empty() {
            return Ok((0, 0));
        }
        let dirs = self.layer_dirs(st)?;
        let passwd = rsp_runtime::process::read_from_layers(&dirs, "/etc/passwd");
        let group = rsp_runtime::process::read_from_layers(&dirs, "/etc/group");
        Ok(
            rsp_runtime::process::resolve_user(&user, passwd.as_deref(), group.as_deref())
                .map(|u| (u.uid, u.gid))
                .unwrap_or((0, 0)),
        )
    }

    /// `--chown=user[:group]` in the image: names from its passwd and
    /// group files, a user alone also naming the group (Docker's rule).
    fn chown(&self, st: &State, ins: &Instruction, spec: &str) -> Result<(u32, u32)> {
        let dirs = self.layer_dirs(st)?;
        let passwd =
            rsp_runtime::process::read_from_layers(&dirs, "/etc/passwd").unwrap_or_default();
        let group = rsp_runtime::process::read_from_layers(&dirs, "/etc/group").unwrap_or_default();
        let (u, g) = match spec.split_once(':') {
            Some((u, g)) => (u, Some(g)),
            None => (spec, None),
        };
        let find = |text: &str, name: &str| {
            text.lines().find_map(|l| {
                let f: Vec<&str> = l.split(':').collect();
                (f.len() >= 3 && f[0] == name)
                    .then(|| f[2].parse::<u32>().ok())
                    .flatten()
            })
        };
        let uid = match u.parse::<u32>() {
            Ok(n) => n,
            Err(_) => find(&passwd, u).ok_or_else(|| {
                self.step_err(
                    ins,
                    format!("--chown: user {u:?} is not in the image's /etc/passwd"),
                )
            })?,
        };
        let gid = match g {
            None => match u.parse::<u32>() {
                Ok(n) => n,
                // A name alone: its primary group, as Docker takes it.
                Err(_) => passwd
                    .lines()
                    .find_map(|l| {
                        let f: Vec<&str> = l.split(':').collect();
                        (f.len() >= 4 && f[0] == u)
                            .then(|| f[3].parse::<u32>().ok())
                            .flatten()
                    })
                    .unwrap_or(uid),
            },
            Some(g) => match g.parse::<u32>() {
                Ok(n) => n,
                Err(_) => find(&group, g).ok_or_else(|| {
                    self.step_err(
                        ins,
                        format!("--chown: group {g:?} is not in the image's /etc/group"),
                    )
                })?,
            },
        };
        Ok((uid, gid))
    }

    /// COPY and ADD.
    fn copy(&self, st: &mut State, ins: &Instruction, c: &CopyArgs, add: bool) -> Result<()> {
        let cerr = |source| BuildError::Copy {
            step: ins.text.clone(),
            source,
        };
        for (name, _) in &c.flags {
            let ok = match name.as_str() {
                "from" | "chown" | "chmod" | "link" => true,
                "checksum" => add,
                _ => false,
            };
            if !ok {
                return Err(self.step_err(
                    ins,
                    format!("--{name} is not supported by rsp build yet: leave it out"),
                ));
            }
        }
        let from = flag(&c.flags, "from")
            .map(|f| self.expand_word(st, ins, f))
            .transpose()?;
        let chown = flag(&c.flags, "chown")
            .map(|f| self.expand_word(st, ins, f))
            .transpose()?
            .map(|spec| self.chown(st, ins, &spec))
            .transpose()?;
        let chmod = flag(&c.flags, "chmod")
            .map(|f| self.expand_word(st, ins, f))
            .transpose()?
            .map(|m| {
                u32::from_str_radix(&m, 8)
                    .ok()
                    .filter(|v| *v <= 0o7777)
                    .ok_or_else(|| {
                        self.step_err(ins, format!("invalid --chmod {m:?}: use octal, e.g. 755"))
                    })
            })
            .transpose()?;
        let checksum = flag(&c.flags, "checksum")
            .map(|f| self.expand_word(st, ins, f))
            .transpose()?;
        if add && from.is_some() {
            return Err(self.step_err(ins, "ADD --from is not supported: use COPY --from"));
        }
        let dest = self.expand_word(st, ins, &c.dest)?;
        let workdir = st.str_field("WorkingDir");
        let opts = CopyOptions {
            chown,
            chmod,
            keep_owners: false,
        };
        // The tree sources come from.
        let stage_tree;
        let tree: &dyn Tree = match &from {
            None => &self.sources.context,
            Some(f) => match self.sources.named.get(f) {
                Some(NamedContext::Dir(ctx)) => ctx,
                Some(NamedContext::Image(_)) | None => {
                    let id = match plan::stage_ref(&self.plan.stages, f) {
                        Some(j) => self.stage_result(j)?,
                        None => self.image(f)?.id.clone(),
                    };
                    let layers = self.layers_of(&id)?;
                    stage_tree = self.view(&layers)?;
                    &stage_tree
                }
            },
        };
        // Sources: heredocs, URLs (ADD), and patterns in the tree.
        let mut patterns = Vec::new();
        let mut heredocs: Vec<(&Heredoc, String)> = Vec::new();
        let mut urls = Vec::new();
        for raw in &c.sources {
            if let Some(h) = raw
                .strip_prefix("<<")
                .map(|n| {
                    n.trim_start_matches('-')
                        .trim_matches(|c| c == '"' || c == '\'')
                })
                .and_then(|n| c.heredocs.iter().find(|h| h.name == n))
            {
                let body = if h.expand {
                    let lookup = |k: &str| st.lookup(k);
                    expand::heredoc(&h.body, &lookup)
                        .map_err(|source| BuildError::Expand {
                            step: ins.text.clone(),
                            source,
                        })?
                        .value
                } else {
                    h.body.clone()
                };
                heredocs.push((h, body));
                continue;
            }
            for w in self.expand_words(st, ins, raw)? {
                // BuildKit clones git repositories here; rsp would fetch
                // a web page instead, so it says so.
                let git = w.starts_with("git@")
                    || w.starts_with("git://")
                    || (fetch::is_url(&w)
                        && w.split(['?', '#'])
                            .next()
                            .is_some_and(|u| u.ends_with(".git")));
                if add && git {
                    return Err(self.step_err(
                        ins,
                        format!("ADD {w}: git sources are not supported by rsp build: clone it into the context and COPY it"),
                    ));
                }
                if add && fetch::is_url(&w) {
                    urls.push(w);
                } else {
                    patterns.push(w);
                }
            }
        }
        if patterns.is_empty() && heredocs.is_empty() && urls.is_empty() {
            return Err(cerr(CopyError::NoSources));
        }
        let several = c.sources.len() > 1 || patterns.iter().any(|p| p.contains(['*', '?', '[']));
        let matched = if patterns.is_empty() {
            Vec::new()
        } else {
            copy::sources(tree, &patterns).map_err(cerr)?
        };
        // Downloads happen before the cache lookup: their contents are
        // part of the key.
        let scratch = self.store.temp_dir("build-copy")?;
        let r = self.copy_in(
            st,
            ins,
            add,
            tree,
            &matched,
            several,
            &heredocs,
            &urls,
            checksum.as_deref(),
            &dest,
            &workdir,
            &opts,
            &scratch,
            from.as_deref(),
        );
        let _ = rsp_storage::remove_tree(&scratch);
        r
    }

    #[allow(clippy::too_many_arguments)]
    fn copy_in(
        &self,
        st: &mut State,
        ins: &Instruction,
        add: bool,
        tree: &dyn Tree,
        matched: &[PathBuf],
        several: bool,
        heredocs: &[(&Heredoc, String)],
        urls: &[String],
        checksum: Option<&str>,
        dest: &str,
        workdir: &str,
        opts: &CopyOptions,
        scratch: &Path,
        from: Option<&str>,
    ) -> Result<()> {
        let cerr = |source| BuildError::Copy {
            step: ins.text.clone(),
            source,
        };
        let downloads = scratch.join("urls");
        let _ = std::fs::create_dir(&downloads);
        let mut fetched = Vec::new();
        for u in urls {
            let f = fetch::fetch(u, checksum, &downloads)
                .map_err(|e| self.step_err(ins, e.to_string()))?;
            fetched.push((u.clone(), f));
        }
        if checksum.is_some() && urls.is_empty() {
            return Err(self.step_err(ins, "--checksum is only for URL sources"));
        }
        // The key: parent, expanded instruction, and the content hash.
        let word = if add { "ADD" } else { "COPY" };
        let (hash, bytes) = if matched.is_empty() {
            (String::new(), 0)
        } else {
            copy::hash_sized(tree, matched, opts).map_err(cerr)?
        };
        let mut key = self.parent_key(word, st, &ins.text);
        key.add(from.unwrap_or(""));
        key.add(&hash);
        key.add(dest);
        key.add(workdir);
        key.add(&format!("{:?}{:?}", opts.chown, opts.chmod));
        for (h, body) in heredocs {
            key.add(&h.name).add(body);
        }
        for (u, f) in &fetched {
            key.add(u).add(&f.digest).add(&format!("{:?}", f.mtime));
        }
        let key = key.finish();
        let pending = std::mem::take(&mut st.pending_dirs);
        if self.try_cache(st, &key)? {
            return Ok(());
        }
        // The upper is read once, into the layer, and removed: on a tmpfs
        // its thousands of small files cost nothing on disk.
        let fast = RemoveOnDrop(fast_scratch(self.paths, bytes));
        let upper = match &fast.0 {
            Some(d) => d.clone(),
            None => {
                let u = scratch.join("upper");
                std::fs::create_dir(&u)
                    .map_err(|e| self.step_err(ins, format!("{}: {e}", u.display())))?;
                u
            }
        };
        let layers = st.layers();
        let image = self.view(&layers)?;
        for (dir, owner) in &pending {
            copy::make_dir(dir, &image, &upper, *owner).map_err(|source| BuildError::Copy {
                step: ins.text.clone(),
                source,
            })?;
        }
        // ADD extracts local archives.
        let mut plain = Vec::new();
        let mut n_archive = 0;
        for src in matched {
            if add && let Some(c) = self.archive_kind(tree, src) {
                let dir = scratch.join(format!("archive{n_archive}"));
                n_archive += 1;
                std::fs::create_dir(&dir)
                    .map_err(|e| self.step_err(ins, format!("{}: {e}", dir.display())))?;
                let r = tree.open(src).map_err(|source| {
                    cerr(CopyError::Read {
                        path: src.clone(),
                        source,
                    })
                })?;
                archive::extract(r, c, &src.display().to_string(), &dir)
                    .map_err(|e| self.step_err(ins, e.to_string()))?;
                let t = LayersTree(
                    View::new(vec![Layer::image(dir)])
                        .map_err(|e| self.step_err(ins, e.to_string()))?,
                );
                let dir_dest = if dest.ends_with('/') {
                    dest.to_string()
                } else {
                    format!("{dest}/")
                };
                let keep = CopyOptions {
                    keep_owners: opts.chown.is_none(),
                    ..opts.clone()
                };
                copy::copy(
                    &t,
                    &[PathBuf::new()],
                    true,
                    &dir_dest,
                    workdir,
                    &image,
                    &upper,
                    &keep,
                )
                .map_err(cerr)?;
            } else {
                plain.push(src.clone());
            }
        }
        if !plain.is_empty() {
            copy::copy(tree, &plain, several, dest, workdir, &image, &upper, opts).map_err(cerr)?;
        }
        for (u, f) in &fetched {
            // Docker: a URL's file is named after the URL under a
            // directory destination, mode 0600 unless --chmod.
            let to = if dest.ends_with('/') || several {
                if f.file_name.is_empty() {
                    return Err(self.step_err(
                        ins,
                        format!(
                            "cannot determine a file name for {u}: give a destination file name"
                        ),
                    ));
                }
                format!("{}/{}", dest.trim_end_matches('/'), f.file_name)
            } else {
                dest.to_string()
            };
            let data = std::fs::read(&f.path)
                .map_err(|e| self.step_err(ins, format!("{}: {e}", f.path.display())))?;
            let file_opts = CopyOptions {
                chmod: opts.chmod.or(Some(0o600)),
                ..opts.clone()
            };
            copy::write_file(&data, &to, workdir, &image, &upper, &file_opts).map_err(cerr)?;
        }
        // Into a directory, a heredoc is a file named after its delimiter
        // (BuildKit copies it from a scratch file of that name).
        for (h, body) in heredocs {
            copy::write_named_file(
                &h.name,
                body.as_bytes(),
                dest,
                workdir,
                &image,
                &upper,
                opts,
            )
            .map_err(cerr)?;
        }
        let what = match (
            matched.len() + heredocs.len() + fetched.len(),
            matched.first(),
        ) {
            (1, Some(p)) => match tree.lstat(p) {
                Ok(Some(m)) if m.kind == crate::tree::Kind::Dir => "dir",
                _ => "file",
            },
            (1, None) => "file",
            _ => "multi",
        };
        let digest = if hash.is_empty() {
            let mut k = Key::new("content");
            for (h, body) in heredocs {
                k.add(&h.name).add(body);
            }
            for (_, f) in &fetched {
                k.add(&f.digest);
            }
            k.finish()
        } else {
            hash.trim_start_matches("sha256:").to_string()
        };
        let by = format!("/bin/sh -c #(nop) {word} {what}:{digest} in {dest} ");
        let id = self.commit_upper(st, &upper, &by)?;
        self.remember(&key, &id)
    }

    /// The compression of an ADD source that is a tar archive.
    fn archive_kind(&self, tree: &dyn Tree, src: &Path) -> Option<archive::Compression> {
        let meta = tree.lstat(src).ok()??;
        if meta.kind != crate::tree::Kind::File {
            return None;
        }
        let mut head = Vec::new();
        tree.open(src)
            .ok()?
            .take(4096)
            .read_to_end(&mut head)
            .ok()?;
        archive::detect(&head)
    }

    /// A stage's result, in a stage process (built before it started).
    fn stage_result(&self, j: usize) -> Result<String> {
        self.results
            .borrow()
            .get(&j)
            .cloned()
            .ok_or_else(|| BuildError::Stage(format!("stage {} was not built", j + 1)))
    }

    fn layers_of(&self, id: &str) -> Result<Vec<String>> {
        let cfg = self.config_of(id)?;
        Ok(cfg["rootfs"]["diff_ids"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// RUN.
    fn run(
        &self,
        _stage: usize,
        st: &mut State,
        ins: &Instruction,
        flags: &[(String, Option<String>)],
        cmd: &Command,
        heredocs: &[Heredoc],
    ) -> Result<()> {
        let mut network = (self.opts.network, self.opts.net_options.clone());
        let mut mounts: Vec<MountReq> = Vec::new();
        for (name, value) in flags {
            let v = value.as_deref().unwrap_or("");
            match name.as_str() {
                "mount" => mounts.push(self.parse_mount(st, ins, v)?),
                "network" => {
                    network = match v {
                        "default" => network,
                        "none" => (NetworkMode::None, Default::default()),
                        "host" => (NetworkMode::Host, Default::default()),
                        _ => {
                            return Err(self.step_err(
                                ins,
                                format!("invalid --network={v}: use default, none or host"),
                            ));
                        }
                    }
                }
                "security" => {
                    if v != "sandbox" {
                        return Err(self.step_err(
                            ins,
                            format!(
                                "--security={v} is not supported: rootless builds run sandboxed"
                            ),
                        ));
                    }
                }
                _ => {
                    return Err(self.step_err(ins, format!("unknown flag --{name} for RUN")));
                }
            }
        }
        let argv = self.run_argv(st, ins, cmd, heredocs)?;
        let args = st.arg_values();
        let by = if args.is_empty() {
            match cmd {
                Command::Shell(_) => format!(
                    "{} {}",
                    st.shell().join(" "),
                    argv.last().cloned().unwrap_or_default()
                ),
                Command::Exec(v) => v.join(" "),
            }
        } else {
            let prefix = format!(
                "|{} {}",
                args.len(),
                args.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            );
            match cmd {
                Command::Shell(_) => format!(
                    "{prefix} {} {}",
                    st.shell().join(" "),
                    argv.last().cloned().unwrap_or_default()
                ),
                Command::Exec(v) => format!("{prefix} {}", v.join(" ")),
            }
        };
        let mut key = self.parent_key("run", st, &by);
        key.add(&serde_json::to_string(&argv).expect("JSON"));
        for m in &mounts {
            key.add(&m.key);
        }
        key.add(&format!("{:?}", network.0));
        let key = key.finish();
        // The container makes its working directory; others WORKDIR named
        // before it are not made (nor are they in Podman).
        st.pending_dirs.clear();
        if self.try_cache(st, &key)? {
            return Ok(());
        }
        let Some(image_id) = st.id.clone() else {
            return Err(self.step_err(
                ins,
                "RUN needs a base image with a shell: FROM scratch has none",
            ));
        };
        // Build args are the command's environment, under its ENV.
        // The proxy ARGs need no ARG line (Docker's predefined ARGs).
        let proxies = plan::PROXY_ARGS.iter().filter_map(|p| {
            let v = self.opts.build_args.get(*p)?;
            (!st.args.contains_key(*p)).then(|| (p.to_string(), Some(v.clone())))
        });
        let declared = st.args.clone().into_iter().chain(proxies);
        let env: Vec<String> = declared
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .filter(|(k, _)| st.env_get(k).is_none())
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let mut locks = Vec::new();
        let mut cleanup: Vec<PathBuf> = mounts.iter().filter_map(|m| m.cleanup.clone()).collect();
        let mut rt_mounts = Vec::new();
        for m in &mounts {
            match &m.kind {
                MountKind::Bind { source, readonly } => rt_mounts.push(Mount::bind(
                    source.display().to_string(),
                    m.target.clone(),
                    *readonly,
                )),
                MountKind::Tmpfs => {
                    // BuildKit's tmpfs starts empty.
                    let mut t = Mount::tmpfs(m.target.clone());
                    t.options.nocopy = true;
                    rt_mounts.push(t);
                }
                MountKind::Cache {
                    id,
                    sharing,
                    readonly,
                } => {
                    let (dir, lock) = self.cache.mount_dir(id)?;
                    let dir = match sharing.as_str() {
                        "locked" => {
                            locks.push(lock_file(&lock, true).map_err(|e| {
                                self.step_err(ins, format!("locking cache {id:?}: {e}"))
                            })?);
                            dir
                        }
                        "private" => match lock_file(&lock, false) {
                            Ok(l) => {
                                locks.push(l);
                                dir
                            }
                            Err(_) => {
                                let d = self.store.temp_dir("build-cache-private")?;
                                cleanup.push(d.clone());
                                d
                            }
                        },
                        _ => dir,
                    };
                    rt_mounts.push(Mount::bind(
                        dir.display().to_string(),
                        m.target.clone(),
                        *readonly,
                    ));
                }
                MountKind::Secret { id, required } => {
                    let path = match self.opts.secrets.get(id) {
                        Some(Secret::File(p)) => Some(p.clone()),
                        Some(Secret::Value(v)) => {
                            let d = self.store.temp_dir("build-secret")?;
                            let p = d.join("secret");
                            write_private(&p, v)
                                .map_err(|e| self.step_err(ins, format!("secret {id:?}: {e}")))?;
                            cleanup.push(d);
                            Some(p)
                        }
                        None if *required => {
                            return Err(self.step_err(
                                ins,
                                format!("secret {id:?} is required: give it with --secret id={id},src=FILE"),
                            ));
                        }
                        None => None,
                    };
                    if let Some(p) = path {
                        rt_mounts.push(Mount::bind(
                            p.display().to_string(),
                            m.target.clone(),
                            true,
                        ));
                    }
                }
            }
        }
        let r = self.run_container(st, ins, &image_id, argv, env, rt_mounts, network, &by);
        drop(locks);
        for d in cleanup {
            let _ = rsp_storage::remove_tree(&d);
        }
        let id = r?;
        self.remember(&key, &id)
    }

    #[allow(clippy::too_many_arguments)]
    fn run_container(
        &self,
        st: &mut State,
        ins: &Instruction,
        image_id: &str,
        argv: Vec<String>,
        env: Vec<String>,
        mounts: Vec<Mount>,
        network: (NetworkMode, rsp_net::NetOptions),
        created_by: &str,
    ) -> Result<String> {
        let rt = |e: rsp_runtime::RuntimeError| self.step_err(ins, e.to_string());
        let db = self.store.images()?;
        let rec = db
            .images
            .iter()
            .find(|i| i.id == image_id)
            .cloned()
            .ok_or_else(|| self.step_err(ins, format!("image {image_id} disappeared")))?;
        // The working directory must exist (WORKDIR made it; an image's
        // own may be missing, which Podman creates too).
        let spec = ContainerSpec {
            image: image_id.to_string(),
            command: argv,
            entrypoint: Some(Vec::new()),
            env,
            mounts,
            network: network.0,
            net_options: network.1,
            log: LogSpec {
                driver: LogDriver::Passthrough,
                ..LogSpec::default()
            },
            storage_driver: self.opts.storage_driver,
            create_command: vec!["rsp".into(), "build".into()],
            build: Some(BuildOwner::me()),
            ..ContainerSpec::default()
        };
        let built = spec
            .build(self.store, &rec)
            .map_err(|e| self.step_err(ins, e.to_string()))?;
        let mut cfg = built.config;
        rsp_runtime::spec::create(self.store, &mut cfg, false).map_err(rt)?;
        let c = Container {
            config: cfg.clone(),
            state: Default::default(),
        };
        let remove = |c: &Container| {
            let _ = rsp_runtime::ops::remove(
                self.store,
                self.paths,
                c,
                true,
                Some(0),
                true,
                &mut |_| {},
            );
        };
        let launched = rsp_runtime::ops::start_build(
            self.store,
            self.paths,
            &c,
            self.opts.run_output.as_ref(),
        );
        let code = match launched {
            Ok(Launch::Started { .. }) => {
                let now = rsp_runtime::container::load(self.store, &cfg.id)
                    .map_err(|e| self.step_err(ins, e.to_string()))?;
                rsp_runtime::ops::wait(self.store, self.paths, &now).map_err(rt)
            }
            Ok(_) => Err(self.step_err(ins, "the step's container was started by someone else")),
            Err(e) => Err(rt(e)),
        };
        let code = match code {
            Ok(c) => c,
            Err(e) => {
                remove(&c);
                return Err(e);
            }
        };
        if code != 0 {
            remove(&c);
            return Err(BuildError::RunFailed {
                step: ins.text.clone(),
                code,
            });
        }
        let layer = commit::container_layer(self.store, &cfg);
        remove(&c);
        let stats = layer?;
        self.add_layer(st, &stats.diff_id, created_by)
    }

    /// The argv of a RUN.
    fn run_argv(
        &self,
        st: &State,
        ins: &Instruction,
        cmd: &Command,
        heredocs: &[Heredoc],
    ) -> Result<Vec<String>> {
        Ok(match cmd {
            Command::Exec(v) => {
                if v.is_empty() {
                    return Err(self.step_err(ins, "RUN needs a command"));
                }
                v.clone()
            }
            Command::Shell(text) => {
                let mut argv = st.shell();
                if heredocs.is_empty() {
                    argv.push(text.clone());
                    return Ok(argv);
                }
                // `RUN <<EOF` alone: the body is the script.
                let t = text.trim();
                if heredocs.len() == 1 && t.starts_with("<<") && !t.contains(char::is_whitespace) {
                    let h = &heredocs[0];
                    let body = if h.expand {
                        let lookup = |k: &str| st.lookup(k);
                        expand::heredoc(&h.body, &lookup)
                            .map_err(|source| BuildError::Expand {
                                step: ins.text.clone(),
                                source,
                            })?
                            .value
                    } else {
                        h.body.clone()
                    };
                    if let Some(rest) = body.strip_prefix("#!") {
                        // A script with its own interpreter.
                        let line = rest.lines().next().unwrap_or("");
                        let mut v: Vec<String> =
                            line.split_whitespace().map(str::to_string).collect();
                        v.push("-c".into());
                        v.push(body.clone());
                        if v.len() > 2 {
                            return Ok(v);
                        }
                    }
                    argv.push(body);
                    return Ok(argv);
                }
                // Otherwise the shell reads the heredocs itself.
                let mut script = text.clone();
                for h in heredocs {
                    script.push('\n');
                    script.push_str(&h.body);
                    script.push_str(&h.name);
                }
                argv.push(script);
                argv
            }
        })
    }

    fn parse_mount(&self, st: &State, ins: &Instruction, spec: &str) -> Result<MountReq> {
        let spec = self.expand_word(st, ins, spec)?;
        let mut kv: BTreeMap<String, String> = BTreeMap::new();
        for part in spec.split(',') {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            kv.insert(k.trim().to_ascii_lowercase(), v.to_string());
        }
        let kind = kv.remove("type").unwrap_or_else(|| "bind".into());
        let target = kv
            .remove("target")
            .or_else(|| kv.remove("dst"))
            .or_else(|| kv.remove("destination"));
        let readonly = kv.remove("ro").is_some() || kv.remove("readonly").is_some();
        let rw = kv.remove("rw").is_some() || kv.remove("readwrite").is_some();
        let bad = |m: String| self.step_err(ins, m);
        let check_left = |kv: &BTreeMap<String, String>| -> Result<()> {
            if let Some(k) = kv.keys().next() {
                return Err(self.step_err(
                    ins,
                    format!("--mount: option {k:?} is not supported for type={kind}"),
                ));
            }
            Ok(())
        };
        let abs = |t: &str| {
            if t.starts_with('/') {
                clean_path(t)
            } else {
                let wd = st.str_field("WorkingDir");
                clean_path(&format!("{}/{t}", if wd.is_empty() { "/" } else { &wd }))
            }
        };
        match kind.as_str() {
            "cache" => {
                let target =
                    target.ok_or_else(|| bad("--mount=type=cache needs target=".into()))?;
                let id = kv.remove("id").unwrap_or_else(|| target.clone());
                let sharing = kv.remove("sharing").unwrap_or_else(|| "shared".into());
                if !["shared", "private", "locked"].contains(&sharing.as_str()) {
                    return Err(bad(format!(
                        "--mount sharing={sharing}: use shared, private or locked"
                    )));
                }
                for k in ["mode", "uid", "gid"] {
                    kv.remove(k);
                }
                check_left(&kv)?;
                let target = abs(&target);
                Ok(MountReq {
                    cleanup: None,
                    key: format!("cache:{id}:{target}:{readonly}"),
                    target,
                    kind: MountKind::Cache {
                        id,
                        sharing,
                        readonly,
                    },
                })
            }
            "tmpfs" => {
                let target =
                    target.ok_or_else(|| bad("--mount=type=tmpfs needs target=".into()))?;
                kv.remove("size");
                check_left(&kv)?;
                let target = abs(&target);
                Ok(MountReq {
                    cleanup: None,
                    key: format!("tmpfs:{target}"),
                    target,
                    kind: MountKind::Tmpfs,
                })
            }
            "secret" => {
                let id = kv.remove("id");
                let target = target.or_else(|| id.as_ref().map(|i| format!("/run/secrets/{i}")));
                let id = id
                    .or_else(|| {
                        target
                            .as_ref()
                            .and_then(|t| t.rsplit('/').next().map(str::to_string))
                    })
                    .ok_or_else(|| bad("--mount=type=secret needs id=".into()))?;
                let target = target.unwrap_or_else(|| format!("/run/secrets/{id}"));
                let required = kv
                    .remove("required")
                    .is_some_and(|v| v.is_empty() || v == "true");
                for k in ["mode", "uid", "gid"] {
                    kv.remove(k);
                }
                check_left(&kv)?;
                let target = abs(&target);
                Ok(MountReq {
                    cleanup: None,
                    // The secret's value never enters the key.
                    key: format!("secret:{id}:{target}"),
                    target,
                    kind: MountKind::Secret { id, required },
                })
            }
            "bind" => {
                let target = target.ok_or_else(|| bad("--mount=type=bind needs target=".into()))?;
                if rw {
                    return Err(bad(
                        "--mount=type=bind,rw is not supported: bind mounts of a build are read-only"
                            .into(),
                    ));
                }
                let source = kv
                    .remove("source")
                    .or_else(|| kv.remove("src"))
                    .unwrap_or_default();
                let from = kv.remove("from");
                check_left(&kv)?;
                let rel = clean_path(&format!("/{source}"));
                let rel = rel.trim_start_matches('/');
                let mut cleanup = None;
                let (root, hash) = match &from {
                    None => (self.sources.context.root().to_path_buf(), {
                        let p = if rel.is_empty() {
                            PathBuf::new()
                        } else {
                            PathBuf::from(rel)
                        };
                        copy::hash(&self.sources.context, &[p], &CopyOptions::default()).map_err(
                            |source| BuildError::Copy {
                                step: ins.text.clone(),
                                source,
                            },
                        )?
                    }),
                    Some(f) => {
                        if let Some(NamedContext::Dir(ctx)) = self.sources.named.get(f) {
                            (ctx.root().to_path_buf(), format!("ctx:{f}"))
                        } else {
                            let id = match plan::stage_ref(&self.plan.stages, f) {
                                Some(j) => self.stage_result(j)?,
                                None => self.image(f)?.id.clone(),
                            };
                            let dir = self.materialize(&id)?;
                            cleanup = Some(dir.clone());
                            (dir, id)
                        }
                    }
                };
                // Never a path through a symlink of the source.
                let source = safe_join(&root, rel).ok_or_else(|| {
                    bad(format!(
                        "--mount source={source:?}: outside the build context or through a symlink"
                    ))
                })?;
                let target = abs(&target);
                Ok(MountReq {
                    cleanup,
                    key: format!("bind:{hash}:{rel}:{target}"),
                    target,
                    kind: MountKind::Bind {
                        source,
                        readonly: true,
                    },
                })
            }
            other => Err(bad(format!(
                "--mount type={other} is not supported: use bind, cache, tmpfs or secret"
            ))),
        }
    }

    /// The files of image `id` as a new directory (for `--mount from=`),
    /// which the caller removes after the step.
    fn materialize(&self, id: &str) -> Result<PathBuf> {
        let layers = self.layers_of(id)?;
        let tmp = self.store.temp_dir("build-image")?;
        let mut data = Vec::new();
        commit::export_layers(self.store, &layers, &mut data)?;
        tar::Archive::new(&data[..])
            .unpack(&tmp)
            .map_err(|e| BuildError::Stage(format!("unpacking image {id}: {e}")))?;
        Ok(tmp)
    }

    /// Labels, annotations, squashing and names for the final image.
    fn finish(&self, id: &str) -> Result<String> {
        let o = self.opts;
        let mut st = State {
            config: match self.config_of(id)? {
                Value::Object(m) => m,
                _ => Map::new(),
            },
            id: Some(id.to_string()),
            args: BTreeMap::new(),
            cmd_set: false,
            pending_dirs: Vec::new(),
        };
        let mut changed = false;
        if !o.labels.is_empty() {
            let m = object_at(st.cfg(), "Labels");
            for (k, v) in &o.labels {
                m.insert(k.clone(), json!(v));
            }
            changed = true;
        }
        if o.squash || o.squash_all || !o.layers {
            let layers = st.layers();
            let base = if o.squash_all {
                0
            } else {
                self.base_layer_count()
            };
            if layers.len() > base + 1 || (o.squash_all && layers.len() > 1) {
                let stats = commit::squash_layer(self.store, &layers, base)?;
                let mut ids: Vec<String> = layers[..base].to_vec();
                ids.push(stats.diff_id.clone());
                st.config
                    .insert("rootfs".into(), json!({"type": "layers", "diff_ids": ids}));
                // History: what stays, then one entry for the squashed layer.
                let hist: Vec<Value> = st
                    .config
                    .get("history")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let mut kept = Vec::new();
                let mut non_empty = 0;
                for h in hist {
                    let empty = h.get("empty_layer").and_then(Value::as_bool) == Some(true);
                    if !empty {
                        non_empty += 1;
                        if non_empty > base {
                            continue;
                        }
                    } else if non_empty >= base && base > 0 {
                        continue;
                    }
                    kept.push(h);
                }
                let created = st
                    .config
                    .get("created")
                    .cloned()
                    .unwrap_or_else(|| json!(now()));
                kept.push(json!({"created": created, "created_by": "/bin/sh -c #(nop) squashed"}));
                st.config.insert("history".into(), json!(kept));
                changed = true;
            }
        }
        if o.format == Format::Docker && !st.config.contains_key("container_config") {
            // Docker's image config repeats the run config as
            // `container_config` (Podman's docker format writes it too):
            // the config, and so the ID, differ from the OCI build's.
            let c = st
                .config
                .get("config")
                .cloned()
                .unwrap_or_else(|| json!({}));
            st.config.insert("container_config".into(), c);
            changed = true;
        }
        let name = o.tags.first().map(String::as_str).unwrap_or("");
        (self.events)(Event::Commit {
            name,
            stage: self.plan.target + 1,
            stages: self.plan.target + 1,
        });
        let how = StoreAs {
            intermediate: false,
            docker: o.format == Format::Docker,
            annotations: o.annotations.iter().cloned().collect(),
        };
        // `created` stays the last step's: a rebuild from cache with the
        // same options is the same image.
        let bytes = if changed {
            serde_json::to_vec(&Value::Object(st.config.clone())).expect("JSON serializes")
        } else {
            self.store.get_blob(&format!("sha256:{id}"))?
        };
        let final_id = local::store_image_as(self.store, &bytes, o.tags.clone(), how)?.id;
        (self.events)(Event::Done {
            id: short(&final_id),
        });
        for t in &o.tags {
            (self.events)(Event::Tagged { name: t });
        }
        Ok(final_id)
    }

    /// Layers of the target stage's base image (what `--squash` keeps).
    fn base_layer_count(&self) -> usize {
        let mut i = self.plan.target;
        loop {
            match &self.plan.stages[i].base {
                Base::Scratch => return 0,
                Base::Stage(j) => i = *j,
                Base::Image(name) => {
                    return self.image(name).map(|r| r.layers.len()).unwrap_or(0);
                }
            }
        }
    }

    fn export(&self, id: &str, out: &Output) -> Result<()> {
        let layers = self.layers_of(id)?;
        match out {
            Output::Tar(path) => {
                let what = path.display().to_string();
                let err = |source| BuildError::Output {
                    what: what.clone(),
                    source,
                };
                let tmp = path.with_file_name(format!(
                    ".{}.rsp-tmp",
                    path.file_name()
                        .map(|n| n.to_string_lossy())
                        .unwrap_or_default()
                ));
                let mut f = std::fs::File::create(&tmp).map_err(err)?;
                commit::export_layers(self.store, &layers, &mut f)?;
                f.sync_all().map_err(err)?;
                std::fs::rename(&tmp, path).map_err(err)?;
            }
            Output::Local(dir) => {
                let what = dir.display().to_string();
                let err = |source| BuildError::Output {
                    what: what.clone(),
                    source,
                };
                std::fs::create_dir_all(dir).map_err(err)?;
                let mut data = Vec::new();
                commit::export_layers(self.store, &layers, &mut data)?;
                let mut a = tar::Archive::new(&data[..]);
                a.set_preserve_permissions(true);
                a.set_overwrite(true);
                a.unpack(dir).map_err(err)?;
            }
        }
        Ok(())
    }
}

/// A parsed `RUN --mount`.
struct MountReq {
    target: String,
    /// A directory made for the mount, removed after the step.
    cleanup: Option<PathBuf>,
    /// What of it goes into the cache key.
    key: String,
    kind: MountKind,
}

enum MountKind {
    Bind {
        source: PathBuf,
        readonly: bool,
    },
    Cache {
        id: String,
        sharing: String,
        readonly: bool,
    },
    Tmpfs,
    Secret {
        id: String,
        required: bool,
    },
}

/// Index of a worker that has finished (its result pipe is readable or
/// closed).
fn wait_any(running: &[Worker]) -> Result<usize> {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    use std::os::fd::AsFd;
    loop {
        let mut fds: Vec<PollFd> = running
            .iter()
            .map(|w| PollFd::new(w.result.as_fd(), PollFlags::POLLIN))
            .collect();
        match poll(&mut fds, PollTimeout::NONE) {
            Ok(_) => {}
            Err(nix::Error::EINTR) => continue,
            Err(e) => return Err(BuildError::Stage(format!("waiting for build stages: {e}"))),
        }
        if let Some(i) = fds
            .iter()
            .position(|f| f.revents().is_some_and(|r| !r.is_empty()))
        {
            return Ok(i);
        }
    }
}

fn lock_file(path: &Path, block: bool) -> std::io::Result<nix::fcntl::Flock<std::fs::File>> {
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)?;
    let arg = if block {
        nix::fcntl::FlockArg::LockExclusive
    } else {
        nix::fcntl::FlockArg::LockExclusiveNonblock
    };
    nix::fcntl::Flock::lock(f, arg).map_err(|(_, e)| e.into())
}

fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .create_new(true)
        .write(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(data)
}

/// `root/rel` if no component of `rel` is a symlink or `..`.
fn safe_join(root: &Path, rel: &str) -> Option<PathBuf> {
    let mut p = root.to_path_buf();
    for c in rel.split('/').filter(|c| !c.is_empty() && *c != ".") {
        if c == ".." {
            return None;
        }
        p.push(c);
        let m = std::fs::symlink_metadata(&p).ok()?;
        if m.file_type().is_symlink() {
            return None;
        }
    }
    Some(p)
}

/// Whether `path` (absolute) exists in the tree, its symlinks followed
/// inside the tree.
fn resolve_exists(tree: &dyn Tree, path: &str) -> bool {
    let mut parts: Vec<String> = Vec::new();
    let mut todo: Vec<String> = path
        .split('/')
        .filter(|c| !c.is_empty())
        .rev()
        .map(str::to_string)
        .collect();
    let mut hops = 0;
    while let Some(c) = todo.pop() {
        if c == "." {
            continue;
        }
        if c == ".." {
            parts.pop();
            continue;
        }
        parts.push(c);
        let rel = PathBuf::from(parts.join("/"));
        match tree.lstat(&rel) {
            Ok(Some(m)) if m.kind == crate::tree::Kind::Symlink => {
                hops += 1;
                if hops > 40 {
                    return false;
                }
                parts.pop();
                let target = m.target.unwrap_or_default();
                let t = target.to_string_lossy();
                if t.starts_with('/') {
                    parts.clear();
                }
                for x in t.split('/').filter(|x| !x.is_empty()).rev() {
                    todo.push(x.to_string());
                }
            }
            Ok(Some(_)) => {}
            _ => return false,
        }
    }
    true
}

/// A path with `.`, `..` and repeated slashes resolved lexically.
pub fn clean_path(p: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    format!("/{}", out.join("/"))
}

/// A Go duration (`30s`, `1m30s`, `500ms`) in nanoseconds.
fn parse_duration(s: &str) -> Option<u64> {
    let mut total: u128 = 0;
    let mut num = String::new();
    let mut chars = s.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let mut unit = c.to_string();
        while let Some(&n) = chars.peek() {
            if n.is_ascii_alphabetic() || n == 'µ' {
                unit.push(n);
                chars.next();
            } else {
                break;
            }
        }
        let v: f64 = num.parse().ok()?;
        num.clear();
        let mult: f64 = match unit.as_str() {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += (v * mult) as u128;
        any = true;
    }
    if !num.is_empty() {
        // A bare number: Docker wants a unit, except 0.
        if num == "0" {
            return Some(0);
        }
        return None;
    }
    any.then_some(total as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue17_durations() {
        assert_eq!(parse_duration("30s"), Some(30_000_000_000));
        assert_eq!(parse_duration("1m30s"), Some(90_000_000_000));
        assert_eq!(parse_duration("500ms"), Some(500_000_000));
        assert_eq!(parse_duration("0"), Some(0));
        assert_eq!(parse_duration("30"), None);
        assert_eq!(parse_duration("x"), None);
    }

    #[test]
    fn issue17_clean_paths() {
        assert_eq!(clean_path("/a/./b/../c//d/"), "/a/c/d");
        assert_eq!(clean_path("/../.."), "/");
    }
}
