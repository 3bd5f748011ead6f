//! `--init`: rsp itself as the container's pid 1, the way catatonit and
//! tini serve Podman and Docker.
//!
//! Contract: pid 1 reaps every orphan that is re-parented to it, passes
//! every signal it receives on to the command (pid 2), and exits with the
//! command's status (128+N when a signal ended it) once the command exits.
//!
//! It is the one rsp process that lives on inside a container, so it is
//! confined against it: non-dumpable from the start (the container cannot
//! ptrace it or open its `/proc/1/exe`, `environ`, `mem`), with its command
//! line and environment cleared, none of the monitor's descriptors, no
//! capabilities, and a seccomp filter that allows only the calls its loop
//! makes. It runs from the write-protected image of rsp that the monitor
//! runs from. The loop itself is [`ChildCtx::become_init`]: it closes
//! every descriptor first, which only the child's own side of the spawn
//! can do soundly.

use rsp_sys::spawn::ChildCtx;

/// Runs pid 1's loop until `cmd` exits; never returns. `ctx` is the
/// container's first process's own (see [`super::child_main`]).
pub fn run(ctx: &mut ChildCtx, cmd: libc::pid_t) -> ! {
    ctx.become_init(cmd)
}
