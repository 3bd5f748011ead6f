//! From a parsed Dockerfile and the build's arguments to stages and the
//! graph between them.
//!
//! Contract: Docker's ARG scoping: an ARG before the first FROM (a
//! *global* ARG) is visible in FROM lines only, unless a stage declares it
//! again (without a value, to take the global one); the predefined
//! platform ARGs (`TARGETPLATFORM`, `BUILDARCH`, ...) are global ones; the
//! proxy ARGs may be given without being declared. A stage depends on
//! another when it is built FROM it, copies `--from` it or mounts it
//! (`RUN --mount=from=`); only the target stage and what it depends on are
//! built ([`Plan::needed`]), as BuildKit does. Stage names are
//! case-insensitive.

use crate::dockerfile::{Dockerfile, Instruction, Kind};
use crate::expand;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("no FROM instruction: a Containerfile must start its first stage with FROM")]
    NoFrom,
    #[error("target stage {0:?} could not be found")]
    NoTarget(String),
    #[error("Containerfile line {line}: {source}")]
    Expand {
        line: usize,
        source: expand::ExpandError,
    },
    #[error("Containerfile line {line}: FROM needs an image name")]
    EmptyFrom { line: usize },
    #[error(
        "Containerfile line {line}: stage name {name:?} is invalid: use letters, digits, '-', '_' and '.', starting with a letter"
    )]
    BadStageName { line: usize, name: String },
    #[error("Containerfile line {line}: duplicate stage name {name:?}")]
    DuplicateStage { line: usize, name: String },
    #[error(
        "Containerfile line {line}: stage {name:?} refers to itself or a later stage: stages can only use earlier ones"
    )]
    Cycle { line: usize, name: String },
}

/// Args every build has, in the global scope (Docker's "automatic platform
/// ARGs").
pub fn platform_args() -> Vec<(String, String)> {
    let p = rsp_image::Platform::host();
    let variant = p.variant.clone().unwrap_or_default();
    let platform = match &p.variant {
        Some(v) => format!("{}/{}/{v}", p.os, p.architecture),
        None => format!("{}/{}", p.os, p.architecture),
    };
    let mut out = Vec::new();
    for side in ["TARGET", "BUILD"] {
        out.push((format!("{side}PLATFORM"), platform.clone()));
        out.push((format!("{side}OS"), p.os.clone()));
        out.push((format!("{side}ARCH"), p.architecture.clone()));
        out.push((format!("{side}VARIANT"), variant.clone()));
    }
    out
}

/// The proxy ARGs: usable in RUN without an ARG line, kept out of the
/// cache key and the history.
pub const PROXY_ARGS: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// What a stage starts from.
#[derive(Clone, Debug, PartialEq)]
pub enum Base {
    Scratch,
    /// An earlier stage, by index.
    Stage(usize),
    /// An image name, expanded.
    Image(String),
}

/// One stage.
#[derive(Clone, Debug)]
pub struct Stage {
    pub index: usize,
    /// `AS name`, lower-cased.
    pub name: Option<String>,
    /// The FROM instruction.
    pub from: Instruction,
    /// FROM as Podman's `STEP 1/n:` line shows it: the image name
    /// expanded (`FROM $BASE AS b` is `FROM busybox AS b`).
    pub from_text: String,
    /// FROM's `--platform`, expanded.
    pub platform: Option<String>,
    pub base: Base,
    /// The instructions after FROM.
    pub steps: Vec<Instruction>,
    /// Stages this one needs built first.
    pub deps: BTreeSet<usize>,
    /// `COPY --from` / `RUN --mount from=` names that are not stages:
    /// images or `--build-context` names, expanded.
    pub external: BTreeSet<String>,
}

/// A build's stages.
#[derive(Clone, Debug)]
pub struct Plan {
    pub escape: char,
    pub stages: Vec<Stage>,
    /// Global ARG values (declared before the first FROM, with the build
    /// args applied), platform ARGs included.
    pub global: BTreeMap<String, String>,
    /// The stage built last, whose image is the result.
    pub target: usize,
    /// Per stage: whether the target needs it.
    pub needed: Vec<bool>,
}

fn valid_stage_name(n: &str) -> bool {
    let mut c = n.chars();
    c.next().is_some_and(|f| f.is_ascii_alphabetic())
        && c.all(|x| x.is_ascii_alphanumeric() || "-_.".contains(x))
}

/// A flag's value from a raw flag list.
pub fn flag<'a>(flags: &'a [(String, Option<String>)], name: &str) -> Option<&'a str> {
    flags
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_deref().unwrap_or(""))
}

/// `from=NAME` of each `--mount` of a RUN.
fn mount_froms(flags: &[(String, Option<String>)]) -> Vec<String> {
    flags
        .iter()
        .filter(|(n, _)| n == "mount")
        .filter_map(|(_, v)| v.as_deref())
        .flat_map(|v| v.split(','))
        .filter_map(|kv| kv.strip_prefix("from="))
        .map(str::to_string)
        .collect()
}

/// Plans the build of `df` with `build_args`, up to `target` (the last
/// stage when `None`).
pub fn plan(
    df: &Dockerfile,
    build_args: &BTreeMap<String, String>,
    target: Option<&str>,
) -> Result<Plan, PlanError> {
    let escape = df.escape;
    let mut global: BTreeMap<String, String> = platform_args().into_iter().collect();
    let mut it = df.instructions.iter().peekable();
    // Global ARGs, before the first FROM.
    while let Some(ins) = it.peek() {
        let Kind::Arg(args) = &ins.kind else { break };
        for (name, default) in args {
            let value = match build_args.get(name) {
                Some(v) => Some(v.clone()),
                None => match default {
                    Some(d) => {
                        let lookup = |k: &str| global.get(k).cloned();
                        Some(
                            expand::word(d, escape, &lookup)
                                .map_err(|source| PlanError::Expand {
                                    line: ins.line,
                                    source,
                                })?
                                .value,
                        )
                    }
                    None => None,
                },
            };
            if let Some(v) = value {
                global.insert(name.clone(), v);
            }
        }
        it.next();
    }
    let mut stages: Vec<Stage> = Vec::new();
    for ins in it {
        match &ins.kind {
            Kind::From {
                flags,
                image,
                alias,
            } => {
                let lookup = |k: &str| global.get(k).cloned();
                let ex = |t: &str| {
                    expand::word(t, escape, &lookup)
                        .map(|e| e.value)
                        .map_err(|source| PlanError::Expand {
                            line: ins.line,
                            source,
                        })
                };
                let image = ex(image)?;
                if image.is_empty() {
                    return Err(PlanError::EmptyFrom { line: ins.line });
                }
                let keyword = ins.original.split_whitespace().next().unwrap_or("FROM");
                let mut from_text = format!("{keyword} ");
                for (k, v) in flags {
                    match v {
                        Some(v) => from_text.push_str(&format!("--{k}={} ", ex(v)?)),
                        None => from_text.push_str(&format!("--{k} ")),
                    }
                }
                from_text.push_str(&image);
                if let Some(a) = alias {
                    from_text.push_str(&format!(" AS {a}"));
                }
                let platform = flag(flags, "platform").map(ex).transpose()?;
                let name = alias.as_ref().map(|a| a.to_ascii_lowercase());
                if let Some(n) = &name {
                    if !valid_stage_name(n) {
                        return Err(PlanError::BadStageName {
                            line: ins.line,
                            name: n.clone(),
                        });
                    }
                    if stages.iter().any(|s| s.name.as_deref() == Some(n)) {
                        return Err(PlanError::DuplicateStage {
                            line: ins.line,
                            name: n.clone(),
                        });
                    }
                }
                let lower = image.to_ascii_lowercase();
                let base = if lower == "scratch" {
                    Base::Scratch
                } else if let Some(s) = stages.iter().find(|s| s.name.as_deref() == Some(&lower)) {
                    Base::Stage(s.index)
                } else if name.as_deref() == Some(lower.as_str()) {
                    return Err(PlanError::Cycle {
                        line: ins.line,
                        name: lower,
                    });
                } else {
                    Base::Image(image)
                };
                let mut deps = BTreeSet::new();
                if let Base::Stage(i) = base {
                    deps.insert(i);
                }
                stages.push(Stage {
                    from_text,
                    index: stages.len(),
                    name,
                    from: ins.clone(),
                    platform,
                    base,
                    steps: Vec::new(),
                    deps,
                    external: BTreeSet::new(),
                });
            }
            _ => {
                let Some(stage) = stages.last_mut() else {
                    return Err(PlanError::NoFrom);
                };
                stage.steps.push(ins.clone());
            }
        }
    }
    if stages.is_empty() {
        return Err(PlanError::NoFrom);
    }
    // Dependencies through --from, resolved against earlier stages by name
    // or index (a global ARG may name them).
    for i in 0..stages.len() {
        let mut refs: Vec<(usize, String)> = Vec::new();
        for ins in &stages[i].steps {
            match &ins.kind {
                Kind::Copy(c) | Kind::Add(c) => {
                    if let Some(f) = flag(&c.flags, "from") {
                        refs.push((ins.line, f.to_string()));
                    }
                }
                Kind::Run { flags, .. } => {
                    for f in mount_froms(flags) {
                        refs.push((ins.line, f));
                    }
                }
                _ => {}
            }
        }
        for (line, raw) in refs {
            let lookup = |k: &str| global.get(k).cloned();
            let name = expand::word(&raw, escape, &lookup)
                .map_err(|source| PlanError::Expand { line, source })?
                .value;
            match stage_ref(&stages, &name) {
                Some(j) if j < i => {
                    stages[i].deps.insert(j);
                }
                Some(_) => return Err(PlanError::Cycle { line, name }),
                None => {
                    stages[i].external.insert(name);
                }
            }
        }
    }
    let target = match target {
        None => stages.len() - 1,
        Some(t) => stages
            .iter()
            .position(|s| s.name.as_deref() == Some(t.to_ascii_lowercase().as_str()))
            .ok_or_else(|| PlanError::NoTarget(t.to_string()))?,
    };
    let mut needed = vec![false; stages.len()];
    let mut todo = vec![target];
    while let Some(i) = todo.pop() {
        if !needed[i] {
            needed[i] = true;
            todo.extend(stages[i].deps.iter().copied());
        }
    }
    Ok(Plan {
        escape,
        stages,
        global,
        target,
        needed,
    })
}

/// The stage `name` refers to: a stage name, or a stage's index.
pub fn stage_ref(stages: &[Stage], name: &str) -> Option<usize> {
    let lower = name.to_ascii_lowercase();
    if let Some(s) = stages.iter().find(|s| s.name.as_deref() == Some(&lower)) {
        return Some(s.index);
    }
    match name.parse::<usize>() {
        Ok(i) if i < stages.len() => Some(i),
        _ => None,
    }
}
