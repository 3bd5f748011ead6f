//! Starting a child process in new or joined namespaces: the one way rsp
//! forks a process that runs code of its own (a container's first
//! process and `--init`'s command, `exec`'s helper and the command it
//! starts, the readers of `cp` and `commit`, the monitor, the storage and
//! user-namespace probes).
//!
//! A [`Spawn`] says what the child gets: the namespaces made new for it
//! ([`Spawn::new_namespaces`], [`Spawn::id_maps`] for a new user
//! namespace), the open ones it joins ([`Spawn::join`]), whether it dies
//! with its parent, becomes non-dumpable, waits until its parent releases
//! it ([`Spawn::hold`]) or talks back ([`Spawn::handshake`]).
//! [`Spawn::start`] makes it and runs the body given, a closure returning
//! `Result<(), E>`, in it; the parent gets a [`Started`] handle, and
//! from [`Started::outcome`] the body's error, typed ([`ChildError`]),
//! or which of the steps before the body failed ([`SetupError`]).
//!
//! Contract:
//! - The child is a copy of the caller made by a fork-like `clone(2)`
//!   and runs arbitrary code, which is sound only in a process with one
//!   thread: [`Spawn::start`] checks that, and refuses
//!   ([`SpawnError::Threaded`]) otherwise.
//! - In the child, in this order: the parent's ends given to
//!   [`Spawn::start_keeping`] are dropped; the parent-death signal is set
//!   ([`Spawn::die_with_parent`]); it waits to be released (when held,
//!   or while its parent writes its id maps; if the parent gives up
//!   instead, it exits with [`ABANDONED`] and reports nothing); it becomes
//!   non-dumpable ([`Spawn::non_dumpable`]); it joins the namespaces given,
//!   in order; then the body runs.
//! - The child never returns into the caller's code: it exits with 0
//!   when the body returns `Ok`, otherwise after writing the error to the
//!   error pipe, with the error's [`ChildError::exit_code`] ([`SETUP_FAILED`]
//!   for a failed step or a panic). The error pipe is close-on-exec, so a
//!   body that executes a program reports nothing when it succeeds; one
//!   that hands the pipe on ([`Reporter::keep_across_exec`]) lets the
//!   program report on it the same way ([`Reporter::fail`]).
//! - In the parent, [`Spawn::start`] returns once the child's id maps are
//!   written; a held child waits for [`Started::release`]. Dropping a
//!   [`Started`] neither waits for nor kills the child.
//!
//! Descriptors handed down across `exec` are taken back on the far side
//! with [`inherited_fd`], which only hands out descriptors this process
//! was started with, each once.
#![allow(unsafe_code)]

use std::io;
use std::marker::PhantomData;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Exit status of a child whose parent gave up before releasing it.
pub const ABANDONED: i32 = 125;
/// Exit status of a child whose step before the body failed, or whose
/// body panicked.
pub const SETUP_FAILED: i32 = 125;

/// A kind of namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Namespace {
    User,
    Mount,
    Pid,
    Uts,
    Ipc,
    Net,
    Cgroup,
}

impl Namespace {
    const ALL: [Namespace; 7] = [
        Namespace::User,
        Namespace::Mount,
        Namespace::Pid,
        Namespace::Uts,
        Namespace::Ipc,
        Namespace::Net,
        Namespace::Cgroup,
    ];

    /// Its `CLONE_NEW*` flag.
    pub const fn flag(self) -> libc::c_int {
        match self {
            Namespace::User => libc::CLONE_NEWUSER,
            Namespace::Mount => libc::CLONE_NEWNS,
            Namespace::Pid => libc::CLONE_NEWPID,
            Namespace::Uts => libc::CLONE_NEWUTS,
            Namespace::Ipc => libc::CLONE_NEWIPC,
            Namespace::Net => libc::CLONE_NEWNET,
            Namespace::Cgroup => libc::CLONE_NEWCGROUP,
        }
    }

    /// The namespace whose `CLONE_NEW*` flag is `flag`.
    pub fn from_flag(flag: libc::c_int) -> Option<Namespace> {
        Namespace::ALL.into_iter().find(|n| n.flag() == flag)
    }

    /// Its name under `/proc/PID/ns/`.
    pub const fn proc_name(self) -> &'static str {
        match self {
            Namespace::User => "user",
            Namespace::Mount => "mnt",
            Namespace::Pid => "pid",
            Namespace::Uts => "uts",
            Namespace::Ipc => "ipc",
            Namespace::Net => "net",
            Namespace::Cgroup => "cgroup",
        }
    }

    /// Opens this namespace of process `pid`, to join it later.
    pub fn open(self, pid: libc::pid_t) -> io::Result<OwnedFd> {
        Ok(nix::fcntl::open(
            format!("/proc/{pid}/ns/{}", self.proc_name()).as_str(),
            nix::fcntl::OFlag::O_RDONLY | nix::fcntl::OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        )?)
    }
}

impl std::fmt::Display for Namespace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.proc_name())
    }
}

/// A set of namespaces.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Namespaces(libc::c_int);

impl Namespaces {
    pub const NONE: Namespaces = Namespaces(0);

    pub const fn contains(self, ns: Namespace) -> bool {
        self.0 & ns.flag() != 0
    }

    pub const fn with(self, ns: Namespace) -> Namespaces {
        Namespaces(self.0 | ns.flag())
    }
}

impl From<Namespace> for Namespaces {
    fn from(ns: Namespace) -> Namespaces {
        Namespaces(ns.flag())
    }
}

impl std::ops::BitOr<Namespace> for Namespace {
    type Output = Namespaces;
    fn bitor(self, rhs: Namespace) -> Namespaces {
        Namespaces::from(self).with(rhs)
    }
}

impl std::ops::BitOr<Namespace> for Namespaces {
    type Output = Namespaces;
    fn bitor(self, rhs: Namespace) -> Namespaces {
        self.with(rhs)
    }
}

/// One line of a `uid_map` or `gid_map`: `count` ids from `inside` in
/// the namespace are `outside` and up in its parent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdRange {
    pub inside: u32,
    pub outside: u32,
    pub count: u32,
}

/// The id maps the parent writes for a child's new user namespace.
/// `setgroups` is denied first, as an unprivileged writer of `gid_map`
/// must. The parent writes them itself, so an unprivileged parent can map
/// only its own ids ([`IdMaps::own_ids_as`]); ranges of subordinate ids
/// would need `newuidmap`/`newgidmap` to write them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdMaps {
    pub uids: Vec<IdRange>,
    pub gids: Vec<IdRange>,
}

impl IdMaps {
    /// The calling user's own uid and gid, as `uid` and `gid` inside: the
    /// one mapping an unprivileged user may write.
    pub fn own_ids_as(uid: u32, gid: u32) -> IdMaps {
        let one = |inside, outside| {
            vec![IdRange {
                inside,
                outside,
                count: 1,
            }]
        };
        IdMaps {
            uids: one(uid, nix::unistd::getuid().as_raw()),
            gids: one(gid, nix::unistd::getgid().as_raw()),
        }
    }

    /// The files to write under `/proc/PID/`, in order, with their data.
    fn files(&self) -> [(&'static str, String); 3] {
        let lines = |ranges: &[IdRange]| {
            ranges
                .iter()
                .map(|r| format!("{} {} {}\n", r.inside, r.outside, r.count))
                .collect::<String>()
        };
        [
            ("setgroups", "deny".to_string()),
            ("uid_map", lines(&self.uids)),
            ("gid_map", lines(&self.gids)),
        ]
    }
}

/// Why a child could not be started.
#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    /// A fork-like clone copies only the calling thread: the child of a
    /// process with threads may find locks held forever.
    #[error(
        "this process has several threads: a child process can only be started from a single-threaded one"
    )]
    Threaded,
    #[error("counting this process's threads: {0}")]
    Threads(io::Error),
    #[error("making a pipe to the child process: {0}")]
    Pipe(io::Error),
    /// `clone(2)` failed: EPERM, ENOSPC, EUSERS or EINVAL with a new user
    /// namespace usually mean the system does not allow one.
    #[error("creating the child process: {0}")]
    Clone(io::Error),
    #[error("writing {path} for the child's user namespace: {source}")]
    IdMap { path: String, source: io::Error },
}

/// A step before the body that failed in the child.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("making the process non-dumpable: {0}")]
    NonDumpable(io::Error),
    #[error("joining the {ns} namespace: {source}")]
    Join { ns: Namespace, source: nix::Error },
    #[error("the child process panicked")]
    Panicked,
}

/// Why a started child failed: a step before its body, or its body.
#[derive(Debug)]
pub enum Failure<E> {
    Setup(SetupError),
    Child(E),
}

/// An error a child's body returns, sent to its parent as bytes.
pub trait ChildError: Sized {
    /// The child's exit status when it fails with this error.
    fn exit_code(&self) -> i32;
    fn encode(&self) -> Vec<u8>;
    /// The error [`ChildError::encode`] gave (best effort for bytes cut
    /// short by the child's death).
    fn decode(bytes: &[u8]) -> Self;
}

/// A message, with exit status 1.
impl ChildError for String {
    fn exit_code(&self) -> i32 {
        1
    }
    fn encode(&self) -> Vec<u8> {
        self.as_bytes().to_vec()
    }
    fn decode(bytes: &[u8]) -> Self {
        String::from_utf8_lossy(bytes).into_owned()
    }
}

/// First byte of a frame on the error pipe: a failed step, the body's
/// error.
const FRAME_SETUP: u8 = b'S';
const FRAME_CHILD: u8 = b'E';

fn encode_setup(e: &SetupError) -> [u8; 7] {
    let (step, ns, errno) = match e {
        SetupError::NonDumpable(e) => (1, 0, e.raw_os_error().unwrap_or(0)),
        SetupError::Join { ns, source } => (2, ns.flag(), *source as i32),
        SetupError::Panicked => (3, 0, 0),
    };
    let mut out = [FRAME_SETUP, step, 0, 0, 0, 0, 0];
    out[2] = Namespace::ALL
        .iter()
        .position(|n| n.flag() == ns)
        .map_or(0, |i| i as u8);
    out[3..].copy_from_slice(&errno.to_le_bytes());
    out
}

fn decode_setup(b: &[u8]) -> Option<SetupError> {
    let [FRAME_SETUP, step, ns, e0, e1, e2, e3] = *b else {
        return None;
    };
    let errno = i32::from_le_bytes([e0, e1, e2, e3]);
    match step {
        1 => Some(SetupError::NonDumpable(io::Error::from_raw_os_error(errno))),
        2 => Some(SetupError::Join {
            ns: *Namespace::ALL.get(ns as usize)?,
            source: nix::Error::from_raw(errno),
        }),
        3 => Some(SetupError::Panicked),
        _ => None,
    }
}

fn decode<E: ChildError>(bytes: &[u8]) -> Result<(), Failure<E>> {
    match bytes.first() {
        None => Ok(()),
        Some(&FRAME_CHILD) => Err(Failure::Child(E::decode(&bytes[1..]))),
        Some(&FRAME_SETUP) if let Some(e) = decode_setup(bytes) => Err(Failure::Setup(e)),
        // Not a frame of ours: whatever it says, as the body's error.
        Some(_) => Err(Failure::Child(E::decode(bytes))),
    }
}

/// The write end of a child's error pipe. On the far side of an `exec`
/// it is taken back with [`Reporter::inherited`].
#[derive(Debug)]
pub struct Reporter(OwnedFd);

impl Reporter {
    /// The error pipe handed down across `exec` as `fd` (taken with
    /// [`inherited_fd`]).
    pub fn inherited(fd: OwnedFd) -> Reporter {
        Reporter(fd)
    }

    pub fn try_clone(&self) -> io::Result<Reporter> {
        Ok(Reporter(self.0.try_clone()?))
    }

    /// Keeps the pipe open across `exec`, for a program that reports on
    /// it; returns its number.
    pub fn keep_across_exec(&self) -> io::Result<RawFd> {
        set_cloexec(self.0.as_fd(), false)?;
        Ok(self.0.as_raw_fd())
    }

    /// Closes the pipe on `exec` again.
    pub fn close_on_exec(&self) -> io::Result<()> {
        set_cloexec(self.0.as_fd(), true)
    }

    /// Writes `e` for the parent; the caller exits next.
    pub fn report<E: ChildError>(&self, e: &E) {
        let mut data = vec![FRAME_CHILD];
        data.extend_from_slice(&e.encode());
        write_all(self.0.as_fd(), &data);
    }

    /// Reports `e` and exits with its status: the end of a child (or of
    /// the program it executed) that failed.
    pub fn fail<E: ChildError>(&self, e: E) -> ! {
        self.report(&e);
        super::exit_now(e.exit_code())
    }

    fn fail_setup(&self, e: SetupError) -> ! {
        write_all(self.0.as_fd(), &encode_setup(&e));
        super::exit_now(SETUP_FAILED)
    }
}

fn set_cloexec(fd: BorrowedFd<'_>, on: bool) -> io::Result<()> {
    use nix::fcntl::{FcntlArg, FdFlag, fcntl};
    let flags = if on {
        FdFlag::FD_CLOEXEC
    } else {
        FdFlag::empty()
    };
    fcntl(fd, FcntlArg::F_SETFD(flags))?;
    Ok(())
}

fn write_all(fd: BorrowedFd<'_>, mut rest: &[u8]) {
    while !rest.is_empty() {
        match nix::unistd::write(fd, rest) {
            Ok(n) if n > 0 => rest = &rest[n..],
            Err(nix::Error::EINTR) => {}
            _ => break,
        }
    }
}

/// Reads one byte; false at end of file or on an error.
fn read_byte(fd: BorrowedFd<'_>) -> bool {
    let mut b = [0u8; 1];
    loop {
        match nix::unistd::read(fd, &mut b) {
            Ok(1) => return true,
            Err(nix::Error::EINTR) => {}
            _ => return false,
        }
    }
}

/// Whether this process has one thread. `unshare(CLONE_THREAD)` is the
/// kernel's own test (it refuses with EINVAL while the thread group has
/// another thread, and unshares nothing otherwise): it needs no `/proc`,
/// which a process that joined a container's mount namespace no longer
/// sees itself in. Where a seccomp filter refuses it, the threads listed
/// in `/proc/self/task` are counted instead.
pub fn single_threaded() -> io::Result<bool> {
    match nix::sched::unshare(nix::sched::CloneFlags::CLONE_THREAD) {
        Ok(()) => Ok(true),
        Err(nix::Error::EINVAL) => Ok(false),
        Err(_) => Ok(std::fs::read_dir("/proc/self/task")?.count() <= 1),
    }
}

/// Waits, briefly, until this process has one thread: a thread that was
/// just joined may still be counted for a few microseconds after its
/// join returned (the kernel wakes the joiner before it unlists the
/// thread).
fn wait_single_threaded() -> Result<(), SpawnError> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(100);
    loop {
        if single_threaded().map_err(SpawnError::Threads)? {
            return Ok(());
        }
        if std::time::Instant::now() >= deadline {
            return Err(SpawnError::Threaded);
        }
        std::thread::sleep(std::time::Duration::from_micros(200));
    }
}

/// What a child gets; see the module documentation.
#[derive(Debug, Default)]
pub struct Spawn {
    create: Namespaces,
    join: Vec<(Namespace, OwnedFd)>,
    maps: Option<IdMaps>,
    sibling: bool,
    die_with_parent: bool,
    non_dumpable: bool,
    hold: bool,
    handshake: bool,
    report_through: Option<Reporter>,
}

impl Spawn {
    /// A child in the caller's namespaces, which runs as soon as it is
    /// made.
    pub fn new() -> Spawn {
        Spawn::default()
    }

    /// Makes these namespaces new for the child (with `clone(2)`'s
    /// flags).
    pub fn new_namespaces(mut self, ns: impl Into<Namespaces>) -> Spawn {
        self.create = Namespaces(self.create.0 | ns.into().0);
        self
    }

    /// Makes a new user namespace for the child, whose id maps the parent
    /// writes before the child goes on.
    pub fn id_maps(mut self, maps: IdMaps) -> Spawn {
        self.create = self.create.with(Namespace::User);
        self.maps = Some(maps);
        self
    }

    /// Joins the open namespace `fd` (of kind `ns`) in the child, after
    /// those given before it: a user namespace first gives the
    /// capabilities the others need. A pid namespace joined so applies to
    /// the child's own children only. The namespaces made new
    /// ([`Spawn::new_namespaces`]) are made by the clone itself, before
    /// any is joined: they belong to the caller's user namespace.
    pub fn join(mut self, ns: Namespace, fd: OwnedFd) -> Spawn {
        self.join.push((ns, fd));
        self
    }

    /// Makes the child a sibling of the caller (`CLONE_PARENT`): the
    /// caller's parent reaps it.
    pub fn sibling(mut self) -> Spawn {
        self.sibling = true;
        self
    }

    /// Kills the child (SIGKILL) when its parent ends.
    pub fn die_with_parent(mut self) -> Spawn {
        self.die_with_parent = true;
        self
    }

    /// Makes the child non-dumpable before it joins any namespace, so
    /// that nothing in those can ptrace it or open its `/proc/PID` files
    /// (see [`super::confine`]).
    pub fn non_dumpable(mut self) -> Spawn {
        self.non_dumpable = true;
        self
    }

    /// Holds the child until [`Started::release`].
    pub fn hold(mut self) -> Spawn {
        self.hold = true;
        self
    }

    /// Lets the child tell its parent once that a step is done
    /// ([`ChildCtx::tell_parent`], [`Started::hear_child`]).
    pub fn handshake(mut self) -> Spawn {
        self.handshake = true;
        self
    }

    /// Reports the child's failure on `reporter` (a copy of the caller's
    /// own, in a child) instead of a pipe of its own: [`Started::outcome`]
    /// then has nothing to read.
    pub fn report_through(mut self, reporter: Reporter) -> Spawn {
        self.report_through = Some(reporter);
        self
    }

    /// Starts the child, which runs `body` (see the module
    /// documentation).
    pub fn start<E, F>(self, body: F) -> Result<Started<E>, SpawnError>
    where
        E: ChildError,
        F: FnOnce(&mut ChildCtx) -> Result<(), E>,
    {
        self.start_keeping((), body).map(|(s, ())| s)
    }

    /// As [`Spawn::start`]; `parent_ends` (the parent's ends of the
    /// channels it shares with the child) are dropped in the child first,
    /// so that the child sees the parent close them, and given back to
    /// the parent.
    pub fn start_keeping<P, E, F>(
        self,
        parent_ends: P,
        body: F,
    ) -> Result<(Started<E>, P), SpawnError>
    where
        E: ChildError,
        F: FnOnce(&mut ChildCtx) -> Result<(), E>,
    {
        wait_single_threaded()?;
        let pipe = || nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC);
        let pipe_if = |yes: bool| -> Result<Option<(OwnedFd, OwnedFd)>, SpawnError> {
            if yes {
                Ok(Some(pipe().map_err(|e| SpawnError::Pipe(e.into()))?))
            } else {
                Ok(None)
            }
        };
        let errors = pipe_if(self.report_through.is_none())?;
        // The number the child's reporter has, in the child as here.
        let reporter_fd = match (&errors, &self.report_through) {
            (Some((_, w)), _) => w.as_raw_fd(),
            (None, Some(r)) => r.0.as_raw_fd(),
            (None, None) => -1,
        };
        let to_child = pipe_if(self.hold || self.maps.is_some())?;
        let from_child = pipe_if(self.handshake)?;
        let mut flags = self.create.0;
        if self.sibling {
            flags |= libc::CLONE_PARENT;
        }
        // SAFETY: this process has one thread (checked just above, and
        // nothing since started one), so the child, a copy of it, finds
        // no lock held by a thread it lacks; it runs `run_child`, which
        // never returns into the caller. No CLONE_VM, CLONE_FILES or
        // CLONE_THREAD: it shares no memory or descriptors with us.
        let forked = unsafe { super::clone_fork(flags) }.map_err(SpawnError::Clone)?;
        let (errors_r, errors_w) = split(errors);
        let (to_child_r, to_child_w) = split(to_child);
        let (from_child_r, from_child_w) = split(from_child);
        let pid = match forked {
            super::Forked::Child => {
                drop((errors_r, to_child_w, from_child_r, parent_ends));
                let reporter = match (errors_w, self.report_through) {
                    (Some(w), _) => Reporter(w),
                    (None, Some(r)) => r,
                    (None, None) => unreachable!("a pipe is made when none is given"),
                };
                let ctx = ChildCtx {
                    from_parent: to_child_r,
                    to_parent: from_child_w,
                    reporter,
                };
                run_child(
                    ctx,
                    self.die_with_parent,
                    self.non_dumpable,
                    self.join,
                    body,
                )
            }
            super::Forked::Parent(pid) => pid,
        };
        // The child's ends (and what the body took) are the child's alone.
        drop((errors_w, to_child_r, from_child_w, body, self.join));
        drop(self.report_through);
        let mut started = Started {
            pid,
            to_child: to_child_w,
            from_child: from_child_r,
            errors: errors_r,
            reporter_fd,
            _error: PhantomData,
        };
        if let Some(maps) = &self.maps {
            for (file, data) in maps.files() {
                let path = format!("/proc/{pid}/{file}");
                if let Err(source) = std::fs::write(&path, data) {
                    started.kill();
                    return Err(SpawnError::IdMap { path, source });
                }
            }
            if !self.hold {
                started.release();
            }
        }
        Ok((started, parent_ends))
    }
}

fn split(p: Option<(OwnedFd, OwnedFd)>) -> (Option<OwnedFd>, Option<OwnedFd>) {
    match p {
        Some((r, w)) => (Some(r), Some(w)),
        None => (None, None),
    }
}

/// The child's side: its steps before the body, the body, its end.
fn run_child<E, F>(
    mut ctx: ChildCtx,
    die_with_parent: bool,
    non_dumpable: bool,
    join: Vec<(Namespace, OwnedFd)>,
    body: F,
) -> !
where
    E: ChildError,
    F: FnOnce(&mut ChildCtx) -> Result<(), E>,
{
    if die_with_parent {
        let _ = nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL);
    }
    // Released, or our id maps written; end of file: the parent died or
    // gave up.
    if ctx.from_parent.is_some() && !ctx.hear_parent() {
        super::exit_now(ABANDONED);
    }
    if non_dumpable && let Err(e) = super::confine::set_non_dumpable() {
        ctx.reporter.fail_setup(SetupError::NonDumpable(e));
    }
    for (ns, fd) in &join {
        if let Err(e) = nix::sched::setns(fd, nix::sched::CloneFlags::from_bits_retain(ns.flag())) {
            ctx.reporter
                .fail_setup(SetupError::Join { ns: *ns, source: e });
        }
    }
    drop(join);
    // A panic must not unwind into the caller's frames: they belong to the
    // parent's code, which this process must never go on running.
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(&mut ctx)));
    match ran {
        Ok(Ok(())) => super::exit_now(0),
        Ok(Err(e)) => ctx.reporter.fail(e),
        Err(_) => ctx.reporter.fail_setup(SetupError::Panicked),
    }
}

/// The child's side of its channels to the parent, lent to the body.
#[derive(Debug)]
pub struct ChildCtx {
    from_parent: Option<OwnedFd>,
    to_parent: Option<OwnedFd>,
    reporter: Reporter,
}

impl ChildCtx {
    /// Waits for the parent's next word ([`Started::tell_child`]); false
    /// when the parent closed its end (or died) instead, or holds none.
    pub fn hear_parent(&mut self) -> bool {
        self.from_parent
            .as_ref()
            .is_some_and(|fd| read_byte(fd.as_fd()))
    }

    /// Closes our end of the parent's words.
    pub fn stop_hearing(&mut self) {
        self.from_parent = None;
    }

    /// Tells the parent, once, that a step is done (with
    /// [`Spawn::handshake`]); false when it is gone.
    pub fn tell_parent(&mut self) -> bool {
        match self.to_parent.take() {
            Some(fd) => matches!(nix::unistd::write(&fd, b"1"), Ok(1)),
            None => false,
        }
    }

    /// Where this child's failure goes: a copy of it lets a child of this
    /// child report there too ([`Spawn::report_through`]), or a program
    /// it executes ([`Reporter::keep_across_exec`]).
    pub fn reporter(&self) -> &Reporter {
        &self.reporter
    }

    /// Makes this child the init process of its pid namespace, for the
    /// command `cmd` (its child): it closes every descriptor but stdio,
    /// names itself `rsp-init`, drops every capability, allows itself
    /// only the system calls of its loop (seccomp), then reaps every
    /// process re-parented to it and passes every signal it gets on to
    /// `cmd`, until `cmd` exits; it exits with `cmd`'s status (128+N for
    /// signal N).
    ///
    /// Exits with [`SETUP_FAILED`] when this process has threads (their
    /// descriptors would be closed under them) or cannot set itself up.
    pub fn become_init(&mut self, cmd: libc::pid_t) -> ! {
        if !matches!(single_threaded(), Ok(true)) {
            super::exit_now(SETUP_FAILED);
        }
        // SAFETY: this process has one thread (checked above), and it
        // never returns from here: every object of the caller's that owns
        // one of the descriptors closed is never used again, nor dropped
        // (the process ends with _exit). The loop below uses only the
        // descriptors it opens itself; it never calls `exe::sealed`,
        // whose image's descriptor this closes too.
        let _ = unsafe { super::close_from(3) };
        init_loop(Some(cmd))
    }

    /// Makes this child a pod's infra process: as [`Self::become_init`],
    /// but with no command; it holds its namespaces, reaps whatever is
    /// re-parented to it, and exits (0) on SIGTERM, SIGINT, SIGHUP or
    /// SIGQUIT. Closing every descriptor also tells the parent it started.
    pub fn become_pause(&mut self) -> ! {
        if !matches!(single_threaded(), Ok(true)) {
            super::exit_now(SETUP_FAILED);
        }
        // SAFETY: as in `become_init`: one thread, never returns, and the
        // loop uses only descriptors it opens itself.
        let _ = unsafe { super::close_from(3) };
        init_loop(None)
    }
}

/// The system calls `--init`'s loop makes: reading the signalfd, reaping,
/// passing signals on, exiting; and what the allocator and the signal
/// return path may need.
const INIT_CALLS: &[libc::c_long] = &[
    libc::SYS_read,
    libc::SYS_wait4,
    libc::SYS_waitid,
    libc::SYS_kill,
    libc::SYS_tgkill,
    libc::SYS_exit,
    libc::SYS_exit_group,
    libc::SYS_rt_sigreturn,
    libc::SYS_rt_sigprocmask,
    libc::SYS_restart_syscall,
    libc::SYS_brk,
    libc::SYS_mmap,
    libc::SYS_munmap,
    libc::SYS_mremap,
    libc::SYS_madvise,
    libc::SYS_futex,
    libc::SYS_getpid,
    libc::SYS_gettid,
    libc::SYS_clock_gettime,
];

/// [`ChildCtx::become_init`] (with the command) and
/// [`ChildCtx::become_pause`] (without) once the descriptors are closed.
fn init_loop(cmd: Option<libc::pid_t>) -> ! {
    use nix::sys::signal::{SigSet, SigmaskHow, Signal, sigprocmask};
    use nix::sys::signalfd::{SfdFlags, SignalFd};
    use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
    use nix::unistd::Pid;
    let cmd = cmd.map(Pid::from_raw);
    let _ = nix::sys::prctl::set_name(if cmd.is_some() {
        c"rsp-init"
    } else {
        c"rsp-infra"
    });
    let all = SigSet::all();
    let _ = sigprocmask(SigmaskHow::SIG_BLOCK, Some(&all), None);
    let Ok(sfd) = SignalFd::with_flags(&all, SfdFlags::SFD_CLOEXEC) else {
        super::exit_now(125);
    };
    // Nothing here needs a privilege: the command has our uid, so it may
    // be signalled without one. A kernel without seccomp leaves the loop
    // unfiltered; it stays out of the container's reach all the same
    // (non-dumpable, see `confine`).
    if super::confine::drop_all_capabilities().is_err() {
        if let Some(cmd) = cmd {
            let _ = nix::sys::signal::kill(cmd, Signal::SIGKILL);
        }
        super::exit_now(125);
    }
    // SAFETY: the list allows rt_sigreturn, and every call this loop and
    // the allocator make.
    let _ = unsafe { super::seccomp::install_allowlist(INIT_CALLS) };
    loop {
        let Ok(Some(info)) = sfd.read_signal() else {
            continue;
        };
        match Signal::try_from(info.ssi_signo as i32) {
            Ok(Signal::SIGCHLD) => loop {
                match waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
                    Ok(WaitStatus::Exited(p, code)) if Some(p) == cmd => super::exit_now(code),
                    Ok(WaitStatus::Signaled(p, sig, _)) if Some(p) == cmd => {
                        super::exit_now(128 + sig as i32)
                    }
                    Ok(WaitStatus::StillAlive) | Err(_) => break,
                    Ok(_) => {}
                }
            },
            Ok(Signal::SIGTERM | Signal::SIGINT | Signal::SIGHUP | Signal::SIGQUIT)
                if cmd.is_none() =>
            {
                super::exit_now(0)
            }
            Ok(sig) => {
                if let Some(cmd) = cmd {
                    let _ = nix::sys::signal::kill(cmd, sig);
                }
            }
            Err(_) => {}
        }
    }
}

/// A started child, seen from its parent.
#[derive(Debug)]
pub struct Started<E> {
    pid: libc::pid_t,
    to_child: Option<OwnedFd>,
    from_child: Option<OwnedFd>,
    errors: Option<OwnedFd>,
    reporter_fd: RawFd,
    _error: PhantomData<fn() -> E>,
}

impl<E: ChildError> Started<E> {
    /// The child's pid, in the caller's pid namespace.
    pub fn pid(&self) -> libc::pid_t {
        self.pid
    }

    /// Lets a held child go on; false when it is gone (or was not held).
    pub fn release(&mut self) -> bool {
        self.tell_child()
    }

    /// Says one word to the child ([`ChildCtx::hear_parent`]).
    pub fn tell_child(&mut self) -> bool {
        self.to_child
            .as_ref()
            .is_some_and(|fd| matches!(nix::unistd::write(fd, b"1"), Ok(1)))
    }

    /// Closes our end of the words to the child: it hears end of file.
    pub fn stop_telling(&mut self) {
        self.to_child = None;
    }

    /// Waits for the child's word ([`ChildCtx::tell_parent`], with
    /// [`Spawn::handshake`]); false when it ended (or closed its end)
    /// without saying it.
    pub fn hear_child(&mut self) -> bool {
        self.from_child
            .take()
            .is_some_and(|fd| read_byte(fd.as_fd()))
    }

    /// The number the child's error pipe has in the child (for a program
    /// it executes, see [`Reporter::keep_across_exec`]); with
    /// [`Spawn::report_through`], that reporter's.
    pub fn reporter_fd(&self) -> RawFd {
        self.reporter_fd
    }

    /// How the child ended up: reads its error pipe to the end, which
    /// comes when the child and every process it shares the pipe with
    /// have exited or executed a program. Ok when none of them reported a
    /// failure (or when this was already asked).
    pub fn outcome(&mut self) -> Result<(), Failure<E>> {
        let Some(fd) = self.errors.take() else {
            return Ok(());
        };
        let mut data = Vec::new();
        let _ = std::io::Read::read_to_end(&mut std::fs::File::from(fd), &mut data);
        decode(&data)
    }

    /// Waits for the child to exit.
    pub fn wait(&self) -> nix::Result<nix::sys::wait::WaitStatus> {
        nix::sys::wait::waitpid(nix::unistd::Pid::from_raw(self.pid), None)
    }

    /// Kills the child (SIGKILL) and reaps it.
    pub fn kill(&self) {
        let pid = nix::unistd::Pid::from_raw(self.pid);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
        let _ = nix::sys::wait::waitpid(pid, None);
    }
}

/// The descriptors from 3 up (below 1024) that were open when this
/// process started, as bits; [`inherited_fd`] clears each bit as it hands
/// the descriptor out.
static AT_START: [AtomicU64; 16] = [const { AtomicU64::new(0) }; 16];
/// Whether [`record_at_start`] ran.
static RECORDED: AtomicBool = AtomicBool::new(false);

// Runs before `main` (and before any code of ours that could open a
// descriptor): the dynamic loader, or the static start code, calls every
// function of `.init_array` first.
#[used]
#[unsafe(link_section = ".init_array")]
static RECORD_AT_START: extern "C" fn() = record_at_start;

/// Records the descriptors this process was started with (see
/// [`AT_START`]), from `/proc/self/fd`, with raw system calls: nothing of
/// the Rust runtime is set up yet.
extern "C" fn record_at_start() {
    // SAFETY: a NUL-terminated literal path; open returns a new
    // descriptor or -1.
    let dir = unsafe {
        libc::open(
            c"/proc/self/fd".as_ptr(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
        )
    };
    if dir < 0 {
        return;
    }
    let mut buf = [0u8; 4096];
    loop {
        // SAFETY: getdents64 writes at most `buf.len()` bytes into the
        // live local buffer.
        let n = unsafe { libc::syscall(libc::SYS_getdents64, dir, buf.as_mut_ptr(), buf.len()) };
        if n <= 0 {
            break;
        }
        let entries = &buf[..n as usize];
        // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2),
        // d_type (1), then the NUL-terminated name.
        let mut off = 0;
        while off + 19 <= entries.len() {
            let reclen = u16::from_ne_bytes([entries[off + 16], entries[off + 17]]) as usize;
            if reclen == 0 || off + reclen > entries.len() {
                break;
            }
            let name = &entries[off + 19..off + reclen];
            let name = &name[..name.iter().position(|&b| b == 0).unwrap_or(name.len())];
            if let Some(fd) = parse_fd(name)
                && fd >= 3
                && fd != dir as usize
                && fd < AT_START.len() * 64
            {
                AT_START[fd / 64].fetch_or(1 << (fd % 64), Ordering::Relaxed);
            }
            off += reclen;
        }
    }
    // SAFETY: `dir` is the descriptor opened above, owned by nothing else.
    unsafe { libc::close(dir) };
    RECORDED.store(true, Ordering::Release);
}

/// A decimal descriptor number (no sign, no leading `+`).
fn parse_fd(name: &[u8]) -> Option<usize> {
    if name.is_empty() || name.len() > 9 {
        return None;
    }
    name.iter().try_fold(0usize, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + (b - b'0') as usize)
    })
}

/// Takes ownership of descriptor `fd`, handed down by the parent across
/// `exec` (named by number on the command line, or in a plan read from
/// one): `Some` only when `fd` (3 or more) was open when this process
/// started and was not handed out before, so that nothing else in this
/// process can own it.
pub fn inherited_fd(fd: RawFd) -> Option<OwnedFd> {
    let n = usize::try_from(fd).ok().filter(|&n| n >= 3)?;
    let word = AT_START.get(n / 64)?;
    let bit = 1u64 << (n % 64);
    if !RECORDED.load(Ordering::Acquire) || word.fetch_and(!bit, Ordering::AcqRel) & bit == 0 {
        return None;
    }
    // SAFETY: F_GETFD only reads descriptor flags.
    if unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1 {
        return None;
    }
    // SAFETY: the descriptor was open before any code of this process
    // ran, so no object of ours made it, and its bit, cleared above, makes
    // this the one place that hands it out. It is still the descriptor we
    // were started with: nothing closes a descriptor it does not own
    // (`close_from` runs only in processes that never come here).
    Some(unsafe { OwnedFd::from_raw_fd(fd) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue15_setup_failures_cross_the_pipe_typed() {
        let e = SetupError::Join {
            ns: Namespace::Net,
            source: nix::Error::EPERM,
        };
        match decode::<String>(&encode_setup(&e)) {
            Err(Failure::Setup(SetupError::Join { ns, source })) => {
                assert_eq!(ns, Namespace::Net);
                assert_eq!(source, nix::Error::EPERM);
            }
            other => panic!("{other:?}"),
        }
        let e = SetupError::NonDumpable(io::Error::from_raw_os_error(libc::EINVAL));
        assert!(matches!(
            decode::<String>(&encode_setup(&e)),
            Err(Failure::Setup(SetupError::NonDumpable(s))) if s.raw_os_error() == Some(libc::EINVAL)
        ));
        assert!(matches!(
            decode::<String>(&encode_setup(&SetupError::Panicked)),
            Err(Failure::Setup(SetupError::Panicked))
        ));
    }

    #[test]
    fn issue15_child_errors_cross_the_pipe_typed() {
        assert!(decode::<String>(b"").is_ok());
        let mut frame = vec![FRAME_CHILD];
        frame.extend_from_slice(&"no such file".to_string().encode());
        match decode::<String>(&frame) {
            Err(Failure::Child(m)) => assert_eq!(m, "no such file"),
            other => panic!("{other:?}"),
        }
        // A setup frame cut short is no setup error.
        match decode::<String>(&[FRAME_SETUP, 1]) {
            Err(Failure::Child(_)) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn issue15_namespaces_and_id_maps() {
        let set = Namespace::User | Namespace::Mount;
        assert!(set.contains(Namespace::User) && set.contains(Namespace::Mount));
        assert!(!set.contains(Namespace::Net));
        assert_eq!(set.0, libc::CLONE_NEWUSER | libc::CLONE_NEWNS);
        for ns in Namespace::ALL {
            assert_eq!(Namespace::from_flag(ns.flag()), Some(ns));
        }
        let maps = IdMaps {
            uids: vec![IdRange {
                inside: 0,
                outside: 1000,
                count: 1,
            }],
            gids: vec![
                IdRange {
                    inside: 0,
                    outside: 1000,
                    count: 1,
                },
                IdRange {
                    inside: 1,
                    outside: 100000,
                    count: 65536,
                },
            ],
        };
        assert_eq!(
            maps.files(),
            [
                ("setgroups", "deny".to_string()),
                ("uid_map", "0 1000 1\n".to_string()),
                ("gid_map", "0 1000 1\n1 100000 65536\n".to_string()),
            ]
        );
        // With maps comes a new user namespace.
        let s = Spawn::new().id_maps(IdMaps::own_ids_as(0, 0));
        assert!(s.create.contains(Namespace::User));
    }

    #[test]
    fn issue15_no_child_is_forked_from_a_process_with_threads() {
        // The test harness runs this on a thread of its own.
        let other = std::thread::spawn(|| std::thread::sleep(std::time::Duration::from_secs(1)));
        let r = Spawn::new().start(|_| -> Result<(), String> { Ok(()) });
        assert!(matches!(r, Err(SpawnError::Threaded)), "{r:?}");
        assert!(!single_threaded().unwrap());
        other.join().unwrap();
    }

    #[test]
    fn issue15_only_descriptors_this_process_started_with_are_handed_out() {
        assert!(RECORDED.load(Ordering::Acquire), "the constructor ran");
        // Opened by us, never inherited.
        let ours = std::fs::File::open("/proc/self/stat").unwrap();
        assert!(inherited_fd(ours.as_raw_fd()).is_none());
        assert!(inherited_fd(0).is_none() && inherited_fd(-1).is_none());
        assert!(inherited_fd(1 << 20).is_none());
        assert_eq!(parse_fd(b"17"), Some(17));
        assert_eq!(parse_fd(b"1x"), None);
        assert_eq!(parse_fd(b""), None);
    }
}
