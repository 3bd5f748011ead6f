//! Network plumbing that `nix` does not wrap: the tap device and its
//! address and route ioctls, and the socket
//! factory that makes sockets inside a container's network namespace.
//!
//! Contract: every function is safe to call; the tap and address functions
//! act on the calling process's current network namespace.

use std::io;
use std::net::Ipv4Addr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

fn cvt(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

pub(super) fn ifreq(name: &str) -> io::Result<libc::ifreq> {
    if name.len() >= libc::IFNAMSIZ {
        return Err(io::Error::from_raw_os_error(libc::EINVAL));
    }
    // SAFETY: ifreq is plain old data; all-zero is a valid value.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (dst, src) in req.ifr_name.iter_mut().zip(name.as_bytes()) {
        *dst = *src as libc::c_char;
    }
    Ok(req)
}

fn sockaddr_in(addr: Ipv4Addr) -> libc::sockaddr {
    let sin = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: 0,
        sin_addr: libc::in_addr {
            s_addr: u32::from(addr).to_be(),
        },
        sin_zero: [0; 8],
    };
    // SAFETY: sockaddr_in and sockaddr have the same size (16 bytes) and
    // sockaddr is plain old data; this is how the C API means them to be used.
    unsafe { std::mem::transmute::<libc::sockaddr_in, libc::sockaddr>(sin) }
}

pub(super) fn inet_socket() -> io::Result<OwnedFd> {
    // SAFETY: socket(2) takes no pointers.
    let raw =
        cvt(unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) })?;
    // SAFETY: raw is a fresh descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(raw) })
}

/// `struct rtentry` from `<net/route.h>`; glibc's is not in the libc crate.
#[repr(C)]
struct RtEntry {
    rt_pad1: libc::c_ulong,
    rt_dst: libc::sockaddr,
    rt_gateway: libc::sockaddr,
    rt_genmask: libc::sockaddr,
    rt_flags: libc::c_ushort,
    rt_pad2: libc::c_short,
    rt_pad3: libc::c_ulong,
    rt_pad4: *mut libc::c_void,
    rt_metric: libc::c_short,
    rt_dev: *mut libc::c_char,
    rt_mtu: libc::c_ulong,
    rt_window: libc::c_ulong,
    rt_irtt: libc::c_ushort,
}

/// How the container's interface is set up.
pub struct TapConfig<'a> {
    pub name: &'a str,
    pub mtu: u32,
    pub addr: Ipv4Addr,
    pub netmask: Ipv4Addr,
    pub gateway: Ipv4Addr,
}

/// Creates the tap device `cfg.name` in the current network namespace,
/// gives it its MTU and address, brings it up, adds the default route
/// through the gateway, and returns the device's non-blocking descriptor.
/// The caller needs CAP_NET_ADMIN over the namespace (a fresh user
/// namespace's owner has it).
pub fn tap_setup(cfg: &TapConfig<'_>) -> io::Result<OwnedFd> {
    // SAFETY: the path is a NUL-terminated literal.
    let raw = cvt(unsafe {
        libc::open(
            c"/dev/net/tun".as_ptr(),
            libc::O_RDWR | libc::O_CLOEXEC | libc::O_NONBLOCK,
        )
    })?;
    // SAFETY: raw is a fresh descriptor that nothing else owns.
    let tun = unsafe { OwnedFd::from_raw_fd(raw) };
    let mut req = ifreq(cfg.name)?;
    req.ifr_ifru.ifru_flags = (libc::IFF_TAP | libc::IFF_NO_PI) as libc::c_short;
    // SAFETY: TUNSETIFF reads the ifreq we pass and writes back its name.
    cvt(unsafe { libc::ioctl(tun.as_raw_fd(), libc::TUNSETIFF, &mut req) })?;

    let sock = inet_socket()?;
    let set = |op: libc::Ioctl, f: &dyn Fn(&mut libc::ifreq)| -> io::Result<()> {
        let mut r = ifreq(cfg.name)?;
        f(&mut r);
        // SAFETY: each SIOCSIF* request reads the ifreq we pass, whose
        // union member matching the request was set by `f`.
        cvt(unsafe { libc::ioctl(sock.as_raw_fd(), op, &r) }).map(drop)
    };
    set(libc::SIOCSIFMTU, &|r| {
        r.ifr_ifru.ifru_mtu = cfg.mtu as libc::c_int
    })?;
    set(libc::SIOCSIFADDR, &|r| {
        r.ifr_ifru.ifru_addr = sockaddr_in(cfg.addr)
    })?;
    set(libc::SIOCSIFNETMASK, &|r| {
        r.ifr_ifru.ifru_netmask = sockaddr_in(cfg.netmask)
    })?;
    set(libc::SIOCSIFFLAGS, &|r| {
        r.ifr_ifru.ifru_flags = (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short
    })?;

    let route = RtEntry {
        rt_pad1: 0,
        rt_dst: sockaddr_in(Ipv4Addr::UNSPECIFIED),
        rt_gateway: sockaddr_in(cfg.gateway),
        rt_genmask: sockaddr_in(Ipv4Addr::UNSPECIFIED),
        rt_flags: (libc::RTF_UP | libc::RTF_GATEWAY) as libc::c_ushort,
        rt_pad2: 0,
        rt_pad3: 0,
        rt_pad4: std::ptr::null_mut(),
        rt_metric: 0,
        rt_dev: std::ptr::null_mut(),
        rt_mtu: 0,
        rt_window: 0,
        rt_irtt: 0,
    };
    // SAFETY: SIOCADDRT reads the rtentry we pass; its pointers are null
    // (no device name), which the kernel accepts.
    cvt(unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCADDRT, &route) })?;
    Ok(tun)
}

/// Raises the soft limit on open files to the hard limit: a network stack
/// holds two descriptors per connection (four more for a pipe pair).
pub fn raise_nofile_limit() {
    let _ = nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE).map(
        |(_, hard)| {
            nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE, hard, hard)
        },
    );
}

/// A process that lives in a container's user and network namespaces and
/// makes sockets there: one `socket(2)` per request byte (`'4'` for TCP,
/// `'u'` for UDP, both IPv4), sent back over `sock`. A socket stays in the namespace it
/// was made in whoever uses it, so the caller can connect it to the
/// container's ports without entering the namespace itself (which a
/// process with threads, or without privileges over the host's user
/// namespace, cannot do).
pub struct SocketFactory {
    pub pid: libc::pid_t,
    sock: OwnedFd,
    /// TCP sockets asked for in a batch and not used yet.
    stash: Vec<OwnedFd>,
}

impl SocketFactory {
    /// Opens the user and network namespaces of process `pid`, for
    /// [`SocketFactory::start`]; the caller does it while that process
    /// is sure to be alive.
    pub fn namespaces(pid: libc::pid_t) -> io::Result<(OwnedFd, OwnedFd)> {
        let open = |ns: &str| -> io::Result<OwnedFd> {
            let path = std::ffi::CString::new(format!("/proc/{pid}/ns/{ns}"))
                .map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
            // SAFETY: path is a valid NUL-terminated string.
            let raw = cvt(unsafe { libc::open(path.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) })?;
            // SAFETY: raw is a fresh descriptor that nothing else owns.
            Ok(unsafe { OwnedFd::from_raw_fd(raw) })
        };
        Ok((open("user")?, open("net")?))
    }

    /// Forks the factory into the namespaces `user` and `net` (from
    /// [`SocketFactory::namespaces`]) and waits until it has joined them.
    /// Safe to call from a process with threads: the child uses only
    /// system calls.
    pub fn start(user: OwnedFd, net: OwnedFd) -> io::Result<SocketFactory> {
        let mut fds = [0 as RawFd; 2];
        // SAFETY: socketpair writes two descriptors into the array we pass.
        cvt(unsafe {
            libc::socketpair(
                libc::AF_UNIX,
                libc::SOCK_SEQPACKET | libc::SOCK_CLOEXEC,
                0,
                fds.as_mut_ptr(),
            )
        })?;
        // SAFETY: both descriptors are fresh and owned only here.
        let (ours, theirs) =
            unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        // SAFETY: fork(2) takes no arguments; the child below only makes
        // system calls (no allocation, no locks) and ends with _exit.
        let child = unsafe { libc::fork() };
        if child < 0 {
            return Err(io::Error::last_os_error());
        }
        if child == 0 {
            Self::serve(user.as_raw_fd(), net.as_raw_fd(), theirs.as_raw_fd());
        }
        drop(theirs);
        let factory = SocketFactory {
            pid: child,
            sock: ours,
            stash: Vec::new(),
        };
        // A factory that stops answering must not hang the stack with it.
        let _ = nix::sys::socket::setsockopt(
            &factory.sock,
            nix::sys::socket::sockopt::ReceiveTimeout,
            &nix::sys::time::TimeVal::new(2, 0),
        );
        // One byte once it is in the namespaces; EOF if it could not join.
        let mut b = [0u8; 1];
        match nix::unistd::read(&factory.sock, &mut b) {
            Ok(1) => Ok(factory),
            _ => Err(io::Error::other(
                "the socket factory could not join the container's network namespace",
            )),
        }
    }

    fn serve(user: RawFd, net: RawFd, sock: RawFd) -> ! {
        // SAFETY: only async-signal-safe system calls on descriptors this
        // process holds; buffers are stack arrays that outlive each call.
        unsafe {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            // Hold nothing of the parent's: a status pipe kept open here
            // would keep its reader waiting for EOF.
            let mut keep = [user, net, sock];
            keep.sort_unstable();
            let mut rl = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            libc::getrlimit(libc::RLIMIT_NOFILE, &mut rl);
            let max = rl.rlim_cur.min(1 << 20) as libc::c_int;
            let mut from = 3;
            for k in keep.into_iter().chain([max]) {
                if k > from
                    && libc::syscall(
                        libc::SYS_close_range,
                        from as libc::c_uint,
                        (k - 1) as libc::c_uint,
                        0,
                    ) != 0
                {
                    // No close_range (old kernel, seccomp): one by one.
                    for fd in from..k {
                        libc::close(fd);
                    }
                }
                from = k + 1;
            }
            if libc::getppid() == 1
                || libc::setns(user, libc::CLONE_NEWUSER) != 0
                || libc::setns(net, libc::CLONE_NEWNET) != 0
            {
                libc::_exit(1);
            }
            if libc::write(sock, b"R".as_ptr().cast(), 1) != 1 {
                libc::_exit(1);
            }
            // One request may ask for several sockets: a byte each.
            let mut req = [0u8; 64];
            loop {
                let n = libc::read(sock, req.as_mut_ptr().cast(), req.len());
                if n == 0 || (n < 0 && *libc::__errno_location() != libc::EINTR) {
                    libc::_exit(0);
                }
                for &r in req.iter().take(n.max(0) as usize) {
                    if !Self::send_one(sock, r == b'u') {
                        libc::_exit(0);
                    }
                }
            }
        }
    }

    /// Makes one socket and sends it (or, if none could be made, a bare
    /// 'E'); false when the requester is gone.
    ///
    /// # Safety
    /// Call only in the forked factory: it makes raw system calls on `sock`.
    unsafe fn send_one(sock: RawFd, udp: bool) -> bool {
        let kind = if udp {
            libc::SOCK_DGRAM
        } else {
            libc::SOCK_STREAM
        };
        // SAFETY: system calls on our own descriptors with stack buffers
        // that outlive them; the cmsg buffer is 8-byte aligned and holds
        // CMSG_SPACE(4) bytes.
        unsafe {
            let s = libc::socket(
                libc::AF_INET,
                kind | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
                0,
            );
            let mut byte = [if s < 0 { b'E' } else { b'S' }];
            let mut iov = libc::iovec {
                iov_base: byte.as_mut_ptr().cast(),
                iov_len: 1,
            };
            let mut cbuf = [0u64; 4];
            let mut msg: libc::msghdr = std::mem::zeroed();
            msg.msg_iov = &mut iov;
            msg.msg_iovlen = 1;
            if s >= 0 {
                msg.msg_control = cbuf.as_mut_ptr().cast();
                msg.msg_controllen = libc::CMSG_SPACE(4) as usize;
                let c = libc::CMSG_FIRSTHDR(&msg);
                (*c).cmsg_level = libc::SOL_SOCKET;
                (*c).cmsg_type = libc::SCM_RIGHTS;
                (*c).cmsg_len = libc::CMSG_LEN(4) as usize;
                std::ptr::write_unaligned(libc::CMSG_DATA(c).cast::<libc::c_int>(), s);
            }
            let r = libc::sendmsg(sock, &msg, libc::MSG_NOSIGNAL);
            if s >= 0 {
                libc::close(s);
            }
            r >= 0
        }
    }

    /// A new non-blocking TCP (or, with `udp`, UDP) IPv4 socket in the
    /// container's network namespace.
    pub fn socket(&mut self, udp: bool) -> io::Result<OwnedFd> {
        if !udp && let Some(s) = self.stash.pop() {
            return Ok(s);
        }
        // TCP sockets come eight at a time: one round trip to the factory
        // per connection was a third of a short connection's cost.
        let n = if udp { 1 } else { 8 };
        nix::unistd::write(&self.sock, if udp { b"u" } else { b"44444444" })?;
        for _ in 0..n {
            let s = super::recv_fd(std::os::fd::AsFd::as_fd(&self.sock))?.ok_or_else(|| {
                io::Error::other("no socket could be made in the container's network namespace")
            })?;
            self.stash.push(s);
        }
        Ok(self.stash.pop().expect("just filled"))
    }
}

impl Drop for SocketFactory {
    fn drop(&mut self) {
        // SAFETY: kill and waitpid on our own child; a null status pointer
        // is allowed.
        unsafe {
            libc::kill(self.pid, libc::SIGKILL);
            libc::waitpid(self.pid, std::ptr::null_mut(), 0);
        }
    }
}
