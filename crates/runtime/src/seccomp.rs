//! Seccomp profiles in Docker's and Podman's JSON format (`--security-opt
//! seccomp=PROFILE.json`), rsp's default profile, and their compilation
//! into one classic BPF program for the container's processes.
//!
//! Contract: [`Profile::parse`] reads the JSON format (`defaultAction`,
//! `defaultErrnoRet`, `archMap`, `syscalls` with `names`/`name`,
//! `action`, `errnoRet`, `args`, `includes`/`excludes` by `caps`,
//! `arches` and `minKernel`) and refuses what it cannot honour (an unknown
//! action or operator, `SCMP_ACT_NOTIFY`, which needs an agent) with an
//! error naming it. Names this architecture does not have are skipped,
//! as libseccomp does. [`Profile::compile`] gives the program for the
//! container's bounding capability set (`caps` includes and excludes) on
//! the architecture rsp runs on, and its 32-bit sub-architecture (i386 on
//! x86_64; x32 calls get the default action); calls of any other
//! architecture get the default action too. For each call the first
//! entry whose argument conditions hold decides; no entry, the default
//! action. The program is a binary search over the call number (so a call
//! costs a few instructions, and the kernel's cache of constant results
//! applies to every call whose result does not depend on its arguments),
//! and never longer than the kernel's 4096 instructions.
//!
//! The default profile ([`DEFAULT_JSON`], `seccomp.json` beside this
//! file) follows Docker's and Podman's: an allow-list of what programs
//! use, errno for the rest (ENOSYS, so that a C library falls back from a
//! call the profile does not know), the keyring calls, io_uring,
//! userfaultfd and the like refused, and the calls that need a capability
//! allowed only with it.

use serde::Deserialize;

/// rsp's default profile.
pub const DEFAULT_JSON: &str = include_str!("seccomp.json");

#[derive(Debug, thiserror::Error)]
pub enum SeccompError {
    #[error("seccomp profile {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "seccomp profile {path}: not a Docker/Podman seccomp profile: {source}: give a JSON file with defaultAction and syscalls"
    )]
    Json {
        path: String,
        source: serde_json::Error,
    },
    #[error(
        "seccomp profile {path}: action {action:?} is not supported: use SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP, SCMP_ACT_TRACE or SCMP_ACT_LOG"
    )]
    Action { path: String, action: String },
    #[error(
        "seccomp profile {path}: operator {op:?} is not supported: use SCMP_CMP_EQ, NE, LT, LE, GT, GE or MASKED_EQ"
    )]
    Operator { path: String, op: String },
    #[error(
        "seccomp profile {path}: argument index {index} of {name}: system calls have 6 (0 to 5)"
    )]
    ArgIndex {
        path: String,
        name: String,
        index: u32,
    },
    #[error(
        "seccomp profile {path}: the filter is too long for the kernel ({len} instructions, at most 4096): merge its rules"
    )]
    TooLong { path: String, len: usize },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawProfile {
    default_action: String,
    #[serde(default)]
    default_errno_ret: Option<u32>,
    #[serde(default)]
    syscalls: Vec<RawRule>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRule {
    #[serde(default)]
    names: Vec<String>,
    #[serde(default)]
    name: Option<String>,
    action: String,
    #[serde(default)]
    errno_ret: Option<u32>,
    #[serde(default)]
    args: Option<Vec<RawArg>>,
    #[serde(default)]
    includes: Filter,
    #[serde(default)]
    excludes: Filter,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Filter {
    #[serde(default)]
    caps: Vec<String>,
    #[serde(default)]
    arches: Vec<String>,
    #[serde(default)]
    min_kernel: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawArg {
    index: u32,
    value: u64,
    #[serde(default)]
    value_two: u64,
    op: String,
}

/// What a call gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Allow,
    Errno(u32),
    KillThread,
    KillProcess,
    Trap,
    Trace(u32),
    Log,
}

impl Action {
    fn ret(self) -> u32 {
        match self {
            Action::Allow => libc::SECCOMP_RET_ALLOW,
            Action::Errno(e) => libc::SECCOMP_RET_ERRNO | (e & 0xffff),
            Action::KillThread => libc::SECCOMP_RET_KILL_THREAD,
            Action::KillProcess => libc::SECCOMP_RET_KILL_PROCESS,
            Action::Trap => libc::SECCOMP_RET_TRAP,
            Action::Trace(e) => libc::SECCOMP_RET_TRACE | (e & 0xffff),
            Action::Log => libc::SECCOMP_RET_LOG,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    MaskedEq,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Cond {
    index: u8,
    op: Op,
    value: u64,
    value_two: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Rule {
    names: Vec<String>,
    action: Action,
    conds: Vec<Cond>,
    caps_in: Vec<u32>,
    caps_out: Vec<u32>,
    arches_in: Vec<String>,
    arches_out: Vec<String>,
    min_kernel: Option<(u32, u32)>,
}

/// A parsed profile.
#[derive(Clone, Debug)]
pub struct Profile {
    path: String,
    default: Action,
    rules: Vec<Rule>,
}

fn action(path: &str, name: &str, errno: Option<u32>) -> Result<Action, SeccompError> {
    Ok(match name {
        "SCMP_ACT_ALLOW" => Action::Allow,
        "SCMP_ACT_ERRNO" => Action::Errno(errno.unwrap_or(libc::EPERM as u32)),
        "SCMP_ACT_KILL" | "SCMP_ACT_KILL_THREAD" => Action::KillThread,
        "SCMP_ACT_KILL_PROCESS" => Action::KillProcess,
        "SCMP_ACT_TRAP" => Action::Trap,
        "SCMP_ACT_TRACE" => Action::Trace(errno.unwrap_or(libc::EPERM as u32)),
        "SCMP_ACT_LOG" => Action::Log,
        other => {
            return Err(SeccompError::Action {
                path: path.into(),
                action: other.into(),
            });
        }
    })
}

fn kernel_version(s: &str) -> Option<(u32, u32)> {
    let mut it = s.split(['.', '-']);
    let major = it.next()?.parse().ok()?;
    let minor = it.next().and_then(|m| m.parse().ok()).unwrap_or(0);
    Some((major, minor))
}

/// The running kernel's version, major and minor.
pub fn running_kernel() -> Option<(u32, u32)> {
    let u = nix::sys::utsname::uname().ok()?;
    kernel_version(u.release().to_str()?)
}

fn caps_of(names: &[String]) -> Vec<u32> {
    // An unknown name can never be held: it keeps an include from
    // matching, and an exclude from excluding.
    names
        .iter()
        .map(|n| crate::caps::number(n).unwrap_or(u32::MAX))
        .collect()
}

/// The profile's architecture names (Docker's `arches`) for the one rsp
/// compiles for.
fn arch_names(arch: Arch) -> &'static [&'static str] {
    match arch {
        Arch::X86_64 => &["amd64", "x86_64", "SCMP_ARCH_X86_64"],
        Arch::I386 => &["x86", "386", "i386", "SCMP_ARCH_X86"],
        Arch::Aarch64 => &["arm64", "aarch64", "SCMP_ARCH_AARCH64"],
    }
}

/// An architecture rsp compiles profiles for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arch {
    X86_64,
    I386,
    Aarch64,
}

impl Arch {
    fn audit(self) -> u32 {
        match self {
            Arch::X86_64 => 0xC000_003E,
            Arch::I386 => 0x4000_0003,
            Arch::Aarch64 => 0xC000_00B7,
        }
    }

    fn table(self) -> &'static [(&'static str, u32)] {
        match self {
            Arch::X86_64 => crate::syscalls::X86_64,
            Arch::I386 => crate::syscalls::I386,
            Arch::Aarch64 => crate::syscalls::AARCH64,
        }
    }

    /// The call number of `name` on this architecture.
    pub fn number(self, name: &str) -> Option<u32> {
        let t = self.table();
        t.binary_search_by(|(n, _)| (*n).cmp(name))
            .ok()
            .map(|i| t[i].1)
    }

    /// The architectures of this build of rsp: the native one first.
    pub fn native() -> &'static [Arch] {
        #[cfg(target_arch = "x86_64")]
        return &[Arch::X86_64, Arch::I386];
        #[cfg(target_arch = "aarch64")]
        return &[Arch::Aarch64];
        #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
        return &[];
    }
}

impl Profile {
    /// rsp's default profile.
    pub fn default_profile() -> Profile {
        Profile::parse("(default)", DEFAULT_JSON).expect("rsp's default seccomp profile parses")
    }

    /// Reads a profile file.
    pub fn load(path: &str) -> Result<Profile, SeccompError> {
        let text = std::fs::read_to_string(path).map_err(|source| SeccompError::Read {
            path: path.into(),
            source,
        })?;
        Profile::parse(path, &text)
    }

    /// Parses a profile's JSON; `path` names it in errors.
    pub fn parse(path: &str, json: &str) -> Result<Profile, SeccompError> {
        let raw: RawProfile = serde_json::from_str(json).map_err(|source| SeccompError::Json {
            path: path.into(),
            source,
        })?;
        let default = action(path, &raw.default_action, raw.default_errno_ret)?;
        let mut rules = Vec::new();
        for r in raw.syscalls {
            let mut names = r.names;
            names.extend(r.name);
            let action = action(path, &r.action, r.errno_ret)?;
            let mut conds = Vec::new();
            for a in r.args.unwrap_or_default() {
                if a.index > 5 {
                    return Err(SeccompError::ArgIndex {
                        path: path.into(),
                        name: names.join(","),
                        index: a.index,
                    });
                }
                let op = match a.op.as_str() {
                    "SCMP_CMP_EQ" => Op::Eq,
                    "SCMP_CMP_NE" => Op::Ne,
                    "SCMP_CMP_LT" => Op::Lt,
                    "SCMP_CMP_LE" => Op::Le,
                    "SCMP_CMP_GT" => Op::Gt,
                    "SCMP_CMP_GE" => Op::Ge,
                    "SCMP_CMP_MASKED_EQ" => Op::MaskedEq,
                    other => {
                        return Err(SeccompError::Operator {
                            path: path.into(),
                            op: other.into(),
                        });
                    }
                };
                conds.push(Cond {
                    index: a.index as u8,
                    op,
                    value: a.value,
                    value_two: a.value_two,
                });
            }
            rules.push(Rule {
                names,
                action,
                conds,
                caps_in: caps_of(&r.includes.caps),
                caps_out: caps_of(&r.excludes.caps),
                arches_in: r.includes.arches,
                arches_out: r.excludes.arches,
                min_kernel: r.includes.min_kernel.as_deref().and_then(kernel_version),
            });
        }
        Ok(Profile {
            path: path.into(),
            default,
            rules,
        })
    }

    /// The rules that apply to `arch` with the bounding set `caps` on
    /// `kernel`, by call number, in the profile's order.
    fn rules_for(
        &self,
        arch: Arch,
        caps: u64,
        kernel: Option<(u32, u32)>,
    ) -> std::collections::BTreeMap<u32, Vec<(Vec<Cond>, Action)>> {
        let has = |c: u32| c < 64 && caps & (1 << c) != 0;
        let names = arch_names(arch);
        let mut by_nr: std::collections::BTreeMap<u32, Vec<(Vec<Cond>, Action)>> =
            Default::default();
        for r in &self.rules {
            if !r.caps_in.iter().all(|&c| has(c)) || r.caps_out.iter().any(|&c| has(c)) {
                continue;
            }
            if !r.arches_in.is_empty() && !r.arches_in.iter().any(|a| names.contains(&a.as_str())) {
                continue;
            }
            if r.arches_out.iter().any(|a| names.contains(&a.as_str())) {
                continue;
            }
            if let (Some(min), Some(k)) = (r.min_kernel, kernel)
                && k < min
            {
                continue;
            }
            for n in &r.names {
                if let Some(nr) = arch.number(n) {
                    by_nr
                        .entry(nr)
                        .or_default()
                        .push((r.conds.clone(), r.action));
                }
            }
        }
        by_nr
    }

    /// The program for the container's bounding set `caps` on this
    /// machine's architectures.
    pub fn compile(&self, caps: u64) -> Result<Vec<libc::sock_filter>, SeccompError> {
        self.compile_for(Arch::native(), caps, running_kernel())
    }

    /// The program for `arches` (the first is the native one, whose x32
    /// calls, on x86_64, get the default action).
    pub fn compile_for(
        &self,
        arches: &[Arch],
        caps: u64,
        kernel: Option<(u32, u32)>,
    ) -> Result<Vec<libc::sock_filter>, SeccompError> {
        let mut a = Asm::default();
        let default = a.label();
        a.stmt(LD_W_ABS, 4);
        let sections: Vec<(Arch, Label)> = arches.iter().map(|&ar| (ar, a.label())).collect();
        for &(ar, l) in &sections {
            a.jump_if(JEQ_K, ar.audit(), l);
        }
        a.ja(default);
        for (i, &(ar, l)) in sections.iter().enumerate() {
            a.bind(l);
            a.stmt(LD_W_ABS, 0);
            if i == 0 && ar == Arch::X86_64 {
                a.jump_if(JGE_K, 0x4000_0000, default);
            }
            self.section(&mut a, ar, caps, kernel, default);
        }
        a.bind(default);
        a.stmt(RET_K, self.default.ret());
        let p = a.finish();
        if p.len() > 4096 {
            return Err(SeccompError::TooLong {
                path: self.path.clone(),
                len: p.len(),
            });
        }
        Ok(p)
    }

    /// One architecture's part: the call number is in A.
    fn section(
        &self,
        a: &mut Asm,
        arch: Arch,
        caps: u64,
        kernel: Option<(u32, u32)>,
        default: Label,
    ) {
        let by_nr = self.rules_for(arch, caps, kernel);
        // The number line cut into intervals of the same rules: the gaps
        // take the default; neighbours with the same rules merge.
        let mut cuts: Vec<(u32, Option<usize>)> = Vec::new();
        let mut groups: Vec<Vec<(Vec<Cond>, Action)>> = Vec::new();
        let mut next = 0u64;
        for (nr, rules) in by_nr {
            let g = match groups.iter().position(|g| *g == rules) {
                Some(i) => i,
                None => {
                    groups.push(rules);
                    groups.len() - 1
                }
            };
            if u64::from(nr) > next {
                push_cut(&mut cuts, next as u32, None);
            }
            push_cut(&mut cuts, nr, Some(g));
            next = u64::from(nr) + 1;
        }
        if next <= u64::from(u32::MAX) {
            push_cut(&mut cuts, next as u32, None);
        }
        let labels: Vec<Label> = groups.iter().map(|_| a.label()).collect();
        let target = |g: Option<usize>| g.map_or(default, |i| labels[i]);
        search(a, &cuts, &target);
        for (g, l) in groups.iter().zip(labels) {
            a.bind(l);
            for (conds, act) in g {
                let fail = a.label();
                for c in conds {
                    cond(a, c, fail);
                }
                a.stmt(RET_K, act.ret());
                a.bind(fail);
            }
            a.ja(default);
        }
    }
}

/// Bumped whenever the compiled form of the same profile may change.
const CACHE_FORMAT: &str = "rsp-seccomp-1";

/// The program for the profile `json` (named `path` in errors; rsp's
/// default when None) and the bounding set `caps`, from `cache` (a
/// directory of the runroot) when it was compiled before: the key is a
/// hash of everything the program depends on (rsp's version, the profile,
/// the capabilities, the architectures and the kernel's version), so a
/// cached program is only ever the one compiling would give. A cache that
/// cannot be read or written is passed over.
pub fn cached_program(
    profile: Option<(&str, &str)>,
    caps: u64,
    cache: Option<&std::path::Path>,
) -> Result<Vec<libc::sock_filter>, SeccompError> {
    use sha2::Digest;
    let (path, json) = profile.unwrap_or(("(default)", DEFAULT_JSON));
    let kernel = running_kernel();
    let mut h = sha2::Sha256::new();
    h.update(CACHE_FORMAT);
    h.update(env!("CARGO_PKG_VERSION"));
    h.update(format!("{caps:x} {kernel:?} {:?}\0", Arch::native()));
    h.update(json);
    let file = cache.map(|d| d.join(format!("{}.bpf", hex::encode(&h.finalize()[..16]))));
    if let Some(p) = file.as_ref().and_then(|f| read_program(f)) {
        return Ok(p);
    }
    let prog = Profile::parse(path, json)?.compile_for(Arch::native(), caps, kernel)?;
    if let (Some(dir), Some(f)) = (cache, &file) {
        let _ = write_program(dir, f, &prog);
    }
    Ok(prog)
}

fn read_program(f: &std::path::Path) -> Option<Vec<libc::sock_filter>> {
    let b = std::fs::read(f).ok()?;
    if b.is_empty() || b.len() % 8 != 0 || b.len() / 8 > 4096 {
        return None;
    }
    Some(
        b.chunks_exact(8)
            .map(|c| libc::sock_filter {
                code: u16::from_le_bytes([c[0], c[1]]),
                jt: c[2],
                jf: c[3],
                k: u32::from_le_bytes([c[4], c[5], c[6], c[7]]),
            })
            .collect(),
    )
}

/// Through a temporary file and a rename: a reader sees all or nothing.
fn write_program(
    dir: &std::path::Path,
    f: &std::path::Path,
    prog: &[libc::sock_filter],
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut b = Vec::with_capacity(prog.len() * 8);
    for i in prog {
        b.extend(i.code.to_le_bytes());
        b.extend([i.jt, i.jf]);
        b.extend(i.k.to_le_bytes());
    }
    rsp_storage::write_atomic(f, &b).map_err(std::io::Error::other)
}

fn push_cut(cuts: &mut Vec<(u32, Option<usize>)>, from: u32, g: Option<usize>) {
    if cuts.last().is_some_and(|(_, last)| *last == g) {
        return;
    }
    cuts.push((from, g));
}

/// Binary search over `cuts` (interval starts, ascending, the first at
/// 0): jumps to the target of the interval holding A.
fn search(a: &mut Asm, cuts: &[(u32, Option<usize>)], target: &dyn Fn(Option<usize>) -> Label) {
    if cuts.len() == 1 {
        a.ja(target(cuts[0].1));
        return;
    }
    let mid = cuts.len() / 2;
    let right = a.label();
    a.jump_if(JGE_K, cuts[mid].0, right);
    search(a, &cuts[..mid], target);
    a.bind(right);
    search(a, &cuts[mid..], target);
}

/// Jumps to `fail` unless argument condition `c` holds (64-bit values:
/// the high word is compared first; both architectures are little-endian).
fn cond(a: &mut Asm, c: &Cond, fail: Label) {
    let lo_at = 16 + 8 * u32::from(c.index);
    let hi_at = lo_at + 4;
    let (vhi, vlo) = ((c.value >> 32) as u32, c.value as u32);
    let pass = a.label();
    match c.op {
        Op::Eq => {
            a.stmt(LD_W_ABS, hi_at);
            a.jump_unless(JEQ_K, vhi, fail);
            a.stmt(LD_W_ABS, lo_at);
            a.jump_unless(JEQ_K, vlo, fail);
        }
        Op::Ne => {
            a.stmt(LD_W_ABS, hi_at);
            a.jump_unless(JEQ_K, vhi, pass);
            a.stmt(LD_W_ABS, lo_at);
            a.jump_if(JEQ_K, vlo, fail);
        }
        Op::MaskedEq => {
            // Docker's format: `value` is the mask, `valueTwo` the datum.
            let (d_hi, d_lo) = ((c.value_two >> 32) as u32, c.value_two as u32);
            a.stmt(LD_W_ABS, hi_at);
            a.stmt(ALU_AND_K, vhi);
            a.jump_unless(JEQ_K, d_hi & vhi, fail);
            a.stmt(LD_W_ABS, lo_at);
            a.stmt(ALU_AND_K, vlo);
            a.jump_unless(JEQ_K, d_lo & vlo, fail);
        }
        Op::Gt | Op::Ge => {
            a.stmt(LD_W_ABS, hi_at);
            a.jump_if(JGT_K, vhi, pass);
            a.jump_unless(JEQ_K, vhi, fail);
            a.stmt(LD_W_ABS, lo_at);
            let code = if c.op == Op::Gt { JGT_K } else { JGE_K };
            a.jump_unless(code, vlo, fail);
        }
        Op::Lt | Op::Le => {
            a.stmt(LD_W_ABS, hi_at);
            a.jump_if(JGT_K, vhi, fail);
            a.jump_unless(JEQ_K, vhi, pass);
            a.stmt(LD_W_ABS, lo_at);
            let code = if c.op == Op::Lt { JGE_K } else { JGT_K };
            a.jump_if(code, vlo, fail);
        }
    }
    a.bind(pass);
}

const LD_W_ABS: u16 = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
const JEQ_K: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;
const JGE_K: u16 = (libc::BPF_JMP | libc::BPF_JGE | libc::BPF_K) as u16;
const JGT_K: u16 = (libc::BPF_JMP | libc::BPF_JGT | libc::BPF_K) as u16;
const JA: u16 = (libc::BPF_JMP | libc::BPF_JA) as u16;
const RET_K: u16 = (libc::BPF_RET | libc::BPF_K) as u16;
const ALU_AND_K: u16 = (libc::BPF_ALU | libc::BPF_AND | libc::BPF_K) as u16;

#[derive(Clone, Copy, Debug)]
struct Label(usize);

enum Ins {
    Stmt(u16, u32),
    /// A conditional jump to a label: on `when`, there; else on. Emitted
    /// as the test skipping over (or into) an unconditional jump, whose
    /// offset has 32 bits, so no label is ever out of reach.
    JumpTo {
        code: u16,
        k: u32,
        when: bool,
        to: Label,
    },
    Ja(Label),
}

/// A tiny classic BPF assembler with forward labels.
#[derive(Default)]
struct Asm {
    ins: Vec<Ins>,
    /// Each label's instruction index (in emitted instructions).
    at: Vec<Option<usize>>,
    len: usize,
}

impl Asm {
    fn label(&mut self) -> Label {
        self.at.push(None);
        Label(self.at.len() - 1)
    }

    fn bind(&mut self, l: Label) {
        self.at[l.0] = Some(self.len);
    }

    fn stmt(&mut self, code: u16, k: u32) {
        self.ins.push(Ins::Stmt(code, k));
        self.len += 1;
    }

    fn jump_if(&mut self, code: u16, k: u32, to: Label) {
        self.ins.push(Ins::JumpTo {
            code,
            k,
            when: true,
            to,
        });
        self.len += 2;
    }

    fn jump_unless(&mut self, code: u16, k: u32, to: Label) {
        self.ins.push(Ins::JumpTo {
            code,
            k,
            when: false,
            to,
        });
        self.len += 2;
    }

    fn ja(&mut self, to: Label) {
        self.ins.push(Ins::Ja(to));
        self.len += 1;
    }

    fn finish(self) -> Vec<libc::sock_filter> {
        let at = |l: Label| self.at[l.0].expect("every label is bound");
        let mut out = Vec::with_capacity(self.len);
        let f = |code: u16, jt: u8, jf: u8, k: u32| libc::sock_filter { code, jt, jf, k };
        for i in &self.ins {
            match *i {
                Ins::Stmt(code, k) => out.push(f(code, 0, 0, k)),
                Ins::JumpTo { code, k, when, to } => {
                    // when: the test falls into the jump (jt 0) or over it.
                    let (jt, jf) = if when { (0, 1) } else { (1, 0) };
                    out.push(f(code, jt, jf, k));
                    let here = out.len();
                    out.push(f(JA, 0, 0, (at(to) - here - 1) as u32));
                }
                Ins::Ja(to) => {
                    let here = out.len();
                    out.push(f(JA, 0, 0, (at(to) - here - 1) as u32));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a classic BPF program on one `seccomp_data`: what the kernel
    /// would return.
    fn run(p: &[libc::sock_filter], arch: u32, nr: u32, args: [u64; 6]) -> u32 {
        let mut data = [0u8; 64];
        data[0..4].copy_from_slice(&nr.to_le_bytes());
        data[4..8].copy_from_slice(&arch.to_le_bytes());
        for (i, v) in args.iter().enumerate() {
            data[16 + 8 * i..24 + 8 * i].copy_from_slice(&v.to_le_bytes());
        }
        let word = |k: u32| {
            let k = k as usize;
            u32::from_le_bytes([data[k], data[k + 1], data[k + 2], data[k + 3]])
        };
        let (mut pc, mut acc) = (0usize, 0u32);
        for _ in 0..10_000 {
            let i = p[pc];
            match i.code {
                LD_W_ABS => acc = word(i.k),
                ALU_AND_K => acc &= i.k,
                RET_K => return i.k,
                JA => {
                    pc += i.k as usize;
                }
                JEQ_K | JGE_K | JGT_K => {
                    let t = match i.code {
                        JEQ_K => acc == i.k,
                        JGE_K => acc >= i.k,
                        _ => acc > i.k,
                    };
                    pc += usize::from(if t { i.jt } else { i.jf });
                }
                c => panic!("unexpected instruction {c:#x}"),
            }
            pc += 1;
        }
        panic!("program did not end")
    }

    const X86: u32 = 0xC000_003E;
    const I386: u32 = 0x4000_0003;
    const ALLOW: u32 = libc::SECCOMP_RET_ALLOW;
    const ENOSYS: u32 = libc::SECCOMP_RET_ERRNO | libc::ENOSYS as u32;
    const EPERM: u32 = libc::SECCOMP_RET_ERRNO | libc::EPERM as u32;

    fn nr(a: Arch, n: &str) -> u32 {
        a.number(n).unwrap()
    }

    #[test]
    fn default_profile_allow_list_and_capabilities() {
        let prof = Profile::default_profile();
        let arches = [Arch::X86_64, Arch::I386];
        let p = prof
            .compile_for(&arches, crate::caps::DEFAULT, Some((6, 1)))
            .unwrap();
        assert!(p.len() < 1500, "{} instructions", p.len());
        let x = |n: &str| run(&p, X86, nr(Arch::X86_64, n), [0; 6]);
        for ok in [
            "read", "openat", "clone3", "execve", "mount", "unshare", "seccomp", "chroot",
        ] {
            assert_eq!(x(ok), ALLOW, "{ok}");
        }
        for eperm in [
            "keyctl",
            "add_key",
            "io_uring_setup",
            "bpf",
            "perf_event_open",
            "setns",
            "ptrace",
        ] {
            assert_eq!(x(eperm), EPERM, "{eperm}");
        }
        assert_eq!(x("kexec_load"), EPERM);
        // Unknown to the profile: ENOSYS, so a C library falls back.
        assert_eq!(run(&p, X86, 460, [0; 6]), ENOSYS);
        assert_eq!(run(&p, X86, 10_000, [0; 6]), ENOSYS);
        // x32 and unknown architectures: the default.
        assert_eq!(run(&p, X86, 0x4000_0000, [0; 6]), ENOSYS);
        assert_eq!(run(&p, 0xC000_00B7, 0, [0; 6]), ENOSYS);
        // i386 by its own numbers.
        assert_eq!(run(&p, I386, nr(Arch::I386, "socketcall"), [0; 6]), ALLOW);
        assert_eq!(run(&p, I386, nr(Arch::I386, "keyctl"), [0; 6]), EPERM);
        // Argument conditions: personality and the audit socket.
        let pers = nr(Arch::X86_64, "personality");
        assert_eq!(run(&p, X86, pers, [8, 0, 0, 0, 0, 0]), ALLOW);
        assert_eq!(run(&p, X86, pers, [0xffff_ffff, 0, 0, 0, 0, 0]), ALLOW);
        assert_eq!(run(&p, X86, pers, [0x0040_0000, 0, 0, 0, 0, 0]), ENOSYS);
        let sock = nr(Arch::X86_64, "socket");
        assert_eq!(
            run(&p, X86, sock, [16, 3, 9, 0, 0, 0]),
            libc::SECCOMP_RET_ERRNO | 22
        );
        assert_eq!(run(&p, X86, sock, [16, 3, 0, 0, 0, 0]), ALLOW);
        assert_eq!(run(&p, X86, sock, [2, 1, 9, 0, 0, 0]), ALLOW);
        // With CAP_SYS_ADMIN, its calls.
        let admin = prof
            .compile_for(&arches, crate::caps::DEFAULT | 1 << 21, Some((6, 1)))
            .unwrap();
        assert_eq!(run(&admin, X86, nr(Arch::X86_64, "setns"), [0; 6]), ALLOW);
        assert_eq!(run(&admin, X86, nr(Arch::X86_64, "bpf"), [0; 6]), ALLOW);
        // Without CAP_SYS_CHROOT, no chroot.
        let nochroot = prof
            .compile_for(&arches, crate::caps::DEFAULT & !(1 << 18), Some((6, 1)))
            .unwrap();
        assert_eq!(
            run(&nochroot, X86, nr(Arch::X86_64, "chroot"), [0; 6]),
            EPERM
        );
    }

    #[test]
    fn every_operator_on_64_bit_values() {
        let j = r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
            {"names":["read"],"action":"SCMP_ACT_ERRNO","errnoRet":5,"args":[{"index":1,"value":4294967296,"op":"SCMP_CMP_EQ"}]},
            {"names":["write"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":7,"op":"SCMP_CMP_NE"}]},
            {"names":["close"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":4294967300,"op":"SCMP_CMP_GT"}]},
            {"names":["lseek"],"action":"SCMP_ACT_ERRNO","args":[{"index":2,"value":10,"op":"SCMP_CMP_LE"}]},
            {"names":["dup"],"action":"SCMP_ACT_KILL_PROCESS","args":[{"index":0,"value":255,"valueTwo":18,"op":"SCMP_CMP_MASKED_EQ"}]},
            {"name":"getpid","action":"SCMP_ACT_LOG"}]}"#;
        let p = Profile::parse("t.json", j)
            .unwrap()
            .compile_for(&[Arch::X86_64], 0, None)
            .unwrap();
        let x = |n: &str, args: [u64; 6]| run(&p, X86, nr(Arch::X86_64, n), args);
        let e5 = libc::SECCOMP_RET_ERRNO | 5;
        assert_eq!(x("read", [0, 1 << 32, 0, 0, 0, 0]), e5);
        assert_eq!(x("read", [0, 0, 0, 0, 0, 0]), ALLOW);
        assert_eq!(x("read", [0, (1 << 32) + 1, 0, 0, 0, 0]), ALLOW);
        assert_eq!(x("write", [7, 0, 0, 0, 0, 0]), ALLOW);
        assert_eq!(x("write", [7 | 1 << 40, 0, 0, 0, 0, 0]), EPERM);
        assert_eq!(x("write", [8, 0, 0, 0, 0, 0]), EPERM);
        assert_eq!(x("close", [4294967300, 0, 0, 0, 0, 0]), ALLOW);
        assert_eq!(x("close", [4294967301, 0, 0, 0, 0, 0]), EPERM);
        assert_eq!(x("close", [1 << 33, 0, 0, 0, 0, 0]), EPERM);
        assert_eq!(x("close", [5, 0, 0, 0, 0, 0]), ALLOW);
        assert_eq!(x("lseek", [0, 0, 10, 0, 0, 0]), EPERM);
        assert_eq!(x("lseek", [0, 0, 11, 0, 0, 0]), ALLOW);
        assert_eq!(x("lseek", [0, 0, 1 << 32, 0, 0, 0]), ALLOW);
        assert_eq!(
            x("dup", [0x312, 0, 0, 0, 0, 0]),
            libc::SECCOMP_RET_KILL_PROCESS
        );
        assert_eq!(x("dup", [0x313, 0, 0, 0, 0, 0]), ALLOW);
        assert_eq!(x("getpid", [0; 6]), libc::SECCOMP_RET_LOG);
        assert_eq!(x("getppid", [0; 6]), ALLOW);
    }

    #[test]
    fn what_cannot_be_honoured_is_refused_by_name() {
        let e = Profile::parse("p.json", r#"{"defaultAction":"SCMP_ACT_NOTIFY"}"#).unwrap_err();
        assert!(e.to_string().contains("SCMP_ACT_NOTIFY"), "{e}");
        let e = Profile::parse(
            "p.json",
            r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("index 6"), "{e}");
        let e = Profile::parse("p.json", "{").unwrap_err();
        assert!(
            e.to_string().starts_with("seccomp profile p.json: not a"),
            "{e}"
        );
    }

    #[test]
    fn tables_agree_with_libc() {
        #[cfg(target_arch = "x86_64")]
        let a = Arch::X86_64;
        #[cfg(target_arch = "aarch64")]
        let a = Arch::Aarch64;
        for (n, v) in [
            ("read", libc::SYS_read),
            ("openat", libc::SYS_openat),
            ("clone3", libc::SYS_clone3),
            ("statx", libc::SYS_statx),
            ("pidfd_open", libc::SYS_pidfd_open),
        ] {
            assert_eq!(a.number(n), Some(v as u32), "{n}");
        }
    }

    #[test]
    fn cached_programs_are_the_compiled_ones() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = cached_program(None, crate::caps::DEFAULT, None).unwrap();
        let first = cached_program(None, crate::caps::DEFAULT, Some(dir.path())).unwrap();
        let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(files.len(), 1);
        let again = cached_program(None, crate::caps::DEFAULT, Some(dir.path())).unwrap();
        let key = |p: &[libc::sock_filter]| -> Vec<(u16, u8, u8, u32)> {
            p.iter().map(|i| (i.code, i.jt, i.jf, i.k)).collect()
        };
        assert_eq!(key(&fresh), key(&first));
        assert_eq!(key(&fresh), key(&again));
        // Another capability set is another program.
        cached_program(None, crate::caps::ALL, Some(dir.path())).unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
        // A damaged entry is compiled again.
        let f = std::fs::read_dir(dir.path())
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        std::fs::write(&f, b"short").unwrap();
        assert!(read_program(&f).is_none());
    }
}
