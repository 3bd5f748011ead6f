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

/// Opens `path` read-only, close-on-exec (a namespace file).
fn open_ro(path: &std::ffi::CStr) -> io::Result<OwnedFd> {
    // SAFETY: path is a valid NUL-terminated string.
    let raw = cvt(unsafe { libc::open(path.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) })?;
    // SAFETY: raw is a fresh descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(raw) })
}

/// Runs `f` on a thread of its own, which ends with it: the namespace
/// changes `f` makes (`setns`, `unshare` of a network namespace) are that
/// thread's alone.
fn on_own_thread<T: Send>(f: impl FnOnce() -> io::Result<T> + Send) -> io::Result<T> {
    std::thread::scope(|s| {
        s.spawn(f)
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the namespace thread panicked")))
    })
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
    /// The default route's gateway; `None`: no default route.
    pub gateway: Option<Ipv4Addr>,
    /// Its MAC address, if not the kernel's random one.
    pub hwaddr: Option<[u8; 6]>,
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
    if let Some(mac) = cfg.hwaddr {
        if_set_hwaddr(&sock, cfg.name, mac)?;
    }
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

    let Some(gateway) = cfg.gateway else {
        return Ok(tun);
    };
    let route = RtEntry {
        rt_pad1: 0,
        rt_dst: sockaddr_in(Ipv4Addr::UNSPECIFIED),
        rt_gateway: sockaddr_in(gateway),
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
            open_ro(&path)
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

// ---- user-defined networks: bridges, veth pairs, namespaces ----

/// Sets `name`'s MTU, IPv4 address and netmask and brings it up, through
/// `sock` (an AF_INET socket made in the interface's network namespace:
/// see [`socket_in`]).
pub fn if_configure(
    sock: &OwnedFd,
    name: &str,
    mtu: Option<u32>,
    addr: Option<(Ipv4Addr, Ipv4Addr)>,
) -> io::Result<()> {
    let set = |op: libc::Ioctl, f: &dyn Fn(&mut libc::ifreq)| -> io::Result<()> {
        let mut r = ifreq(name)?;
        f(&mut r);
        // SAFETY: each SIOCSIF* request reads the ifreq we pass, whose
        // union member matching the request was set by `f`.
        cvt(unsafe { libc::ioctl(sock.as_raw_fd(), op, &r) }).map(drop)
    };
    if let Some(mtu) = mtu {
        set(libc::SIOCSIFMTU, &|r| {
            r.ifr_ifru.ifru_mtu = mtu as libc::c_int
        })?;
    }
    if let Some((a, m)) = addr {
        set(libc::SIOCSIFADDR, &|r| {
            r.ifr_ifru.ifru_addr = sockaddr_in(a)
        })?;
        set(libc::SIOCSIFNETMASK, &|r| {
            r.ifr_ifru.ifru_netmask = sockaddr_in(m)
        })?;
    }
    // Up, keeping the flags it has (MULTICAST, BROADCAST).
    let mut r = ifreq(name)?;
    // SAFETY: SIOCGIFFLAGS reads ifr_name and writes ifr_flags of the
    // ifreq we pass.
    cvt(unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCGIFFLAGS, &mut r) })?;
    // SAFETY: the kernel just wrote the flags member.
    let flags = unsafe { r.ifr_ifru.ifru_flags };
    set(libc::SIOCSIFFLAGS, &|r| {
        r.ifr_ifru.ifru_flags = flags | (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short
    })
}

/// [`if_configure`] in the calling process's network namespace.
pub fn if_configure_here(
    name: &str,
    mtu: Option<u32>,
    addr: Option<(Ipv4Addr, Ipv4Addr)>,
) -> io::Result<()> {
    if_configure(&inet_socket()?, name, mtu, addr)
}

/// Sets `name`'s Ethernet address through `sock`.
pub fn if_set_hwaddr(sock: &OwnedFd, name: &str, mac: [u8; 6]) -> io::Result<()> {
    let mut r = ifreq(name)?;
    // SAFETY: sockaddr is plain old data; all-zero is a valid value.
    let mut sa: libc::sockaddr = unsafe { std::mem::zeroed() };
    sa.sa_family = libc::ARPHRD_ETHER;
    for (d, s) in sa.sa_data.iter_mut().zip(mac) {
        *d = s as libc::c_char;
    }
    r.ifr_ifru.ifru_hwaddr = sa;
    // SAFETY: SIOCSIFHWADDR reads the ifreq we pass, whose hwaddr member
    // was just set.
    cvt(unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCSIFHWADDR, &r) }).map(drop)
}

/// [`if_set_hwaddr`] in the calling process's network namespace.
pub fn if_set_hwaddr_here(name: &str, mac: [u8; 6]) -> io::Result<()> {
    if_set_hwaddr(&inet_socket()?, name, mac)
}

/// The index of interface `name` in `sock`'s network namespace.
pub fn if_index(sock: &OwnedFd, name: &str) -> io::Result<u32> {
    let mut r = ifreq(name)?;
    // SAFETY: SIOCGIFINDEX reads ifr_name and writes ifr_ifindex of the
    // ifreq we pass.
    cvt(unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCGIFINDEX, &mut r) })?;
    // SAFETY: the kernel just wrote the ifindex member.
    Ok(unsafe { r.ifr_ifru.ifru_ifindex } as u32)
}

/// Makes a socket inside the network namespace `netns` (which the caller
/// may enter: CAP_SYS_ADMIN over its owner and in its own user
/// namespace): a short-lived thread enters it, makes the socket and ends.
/// The socket stays in that namespace whoever uses it.
pub fn socket_in(
    netns: std::os::fd::BorrowedFd<'_>,
    domain: libc::c_int,
    ty: libc::c_int,
    proto: libc::c_int,
) -> io::Result<OwnedFd> {
    let ns = netns.try_clone_to_owned()?;
    on_own_thread(move || {
        // SAFETY: setns on a descriptor we own; it moves only this
        // thread, which ends right after.
        cvt(unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) })?;
        // SAFETY: socket(2) takes no pointers.
        let raw = cvt(unsafe { libc::socket(domain, ty | libc::SOCK_CLOEXEC, proto) })?;
        // SAFETY: raw is a fresh descriptor that nothing else owns.
        Ok(unsafe { OwnedFd::from_raw_fd(raw) })
    })
}

/// An AF_INET datagram socket (for the interface ioctls) in `netns`.
pub fn inet_socket_in(netns: std::os::fd::BorrowedFd<'_>) -> io::Result<OwnedFd> {
    socket_in(netns, libc::AF_INET, libc::SOCK_DGRAM, 0)
}

/// A route netlink socket in `netns`; a request unanswered for 10 s fails
/// instead of hanging its caller.
pub fn netlink_in(netns: std::os::fd::BorrowedFd<'_>) -> io::Result<OwnedFd> {
    let s = socket_in(netns, libc::AF_NETLINK, libc::SOCK_RAW, libc::NETLINK_ROUTE)?;
    nix::sys::socket::setsockopt(
        &s,
        nix::sys::socket::sockopt::ReceiveTimeout,
        &nix::sys::time::TimeVal::new(10, 0),
    )?;
    Ok(s)
}

/// A new network namespace, owned by the caller's user namespace (where it
/// needs CAP_SYS_ADMIN), with loopback up: a thread unshares into it,
/// opens it and ends.
pub fn new_netns() -> io::Result<OwnedFd> {
    on_own_thread(|| {
        // SAFETY: unshare takes no pointers; it moves only this thread.
        cvt(unsafe { libc::unshare(libc::CLONE_NEWNET) })?;
        super::loopback_up()?;
        open_ro(c"/proc/thread-self/ns/net")
    })
}

/// Route netlink attribute types and flags (`<linux/if_link.h>`,
/// `<linux/veth.h>`, `<linux/netlink.h>`).
mod nl {
    pub const RTM_NEWLINK: u16 = 16;
    pub const RTM_DELLINK: u16 = 17;
    pub const NLM_F_REQUEST: u16 = 1;
    pub const NLM_F_ACK: u16 = 4;
    pub const NLM_F_EXCL: u16 = 0x200;
    pub const NLM_F_CREATE: u16 = 0x400;
    pub const NLMSG_ERROR: u16 = 2;
    pub const IFLA_IFNAME: u16 = 3;
    pub const IFLA_MTU: u16 = 4;
    pub const IFLA_MASTER: u16 = 10;
    pub const IFLA_LINKINFO: u16 = 18;
    pub const IFLA_NET_NS_FD: u16 = 28;
    pub const IFLA_INFO_KIND: u16 = 1;
    pub const IFLA_INFO_DATA: u16 = 2;
    pub const VETH_INFO_PEER: u16 = 1;
}

/// A netlink message under construction: attributes appended, nests
/// closed by patching their lengths.
struct NlMsg(Vec<u8>);

/// Sequence numbers of our requests, so an answer is matched to its own.
static NL_SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

impl NlMsg {
    fn new(ty: u16, flags: u16) -> NlMsg {
        let mut m = NlMsg(Vec::with_capacity(256));
        m.0.extend_from_slice(&0u32.to_ne_bytes()); // length, set at the end
        m.0.extend_from_slice(&ty.to_ne_bytes());
        m.0.extend_from_slice(&flags.to_ne_bytes());
        let seq = NL_SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        m.0.extend_from_slice(&seq.to_ne_bytes());
        m.0.extend_from_slice(&0u32.to_ne_bytes()); // port: the kernel's
        m.ifinfo();
        m
    }
    /// A `struct ifinfomsg` with everything zero (AF_UNSPEC).
    fn ifinfo(&mut self) {
        self.0.extend_from_slice(&[0u8; 16]);
    }
    fn pad(&mut self) {
        while !self.0.len().is_multiple_of(4) {
            self.0.push(0);
        }
    }
    fn attr(&mut self, ty: u16, data: &[u8]) {
        let len = (4 + data.len()) as u16;
        self.0.extend_from_slice(&len.to_ne_bytes());
        self.0.extend_from_slice(&ty.to_ne_bytes());
        self.0.extend_from_slice(data);
        self.pad();
    }
    fn str_attr(&mut self, ty: u16, s: &str) {
        let mut d = s.as_bytes().to_vec();
        d.push(0);
        self.attr(ty, &d);
    }
    fn begin(&mut self, ty: u16) -> usize {
        let at = self.0.len();
        self.0.extend_from_slice(&0u16.to_ne_bytes());
        self.0.extend_from_slice(&ty.to_ne_bytes());
        at
    }
    fn end(&mut self, at: usize) {
        let len = (self.0.len() - at) as u16;
        self.0[at..at + 2].copy_from_slice(&len.to_ne_bytes());
    }
    fn finish(mut self) -> Vec<u8> {
        let len = self.0.len() as u32;
        self.0[..4].copy_from_slice(&len.to_ne_bytes());
        self.0
    }
}

/// Sends one request on the route netlink socket `sock` and reads its
/// acknowledgement (the NLMSG_ERROR message with its sequence number,
/// among whatever else a reply holds): Ok, or the kernel's error.
fn nl_request(sock: &OwnedFd, msg: &[u8]) -> io::Result<()> {
    let seq = u32::from_ne_bytes([msg[8], msg[9], msg[10], msg[11]]);
    // SAFETY: send reads msg.len() bytes of the slice we pass.
    let n = unsafe { libc::send(sock.as_raw_fd(), msg.as_ptr().cast(), msg.len(), 0) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    let mut buf = [0u8; 4096];
    loop {
        // SAFETY: recv writes at most buf.len() bytes into our buffer.
        let n = unsafe { libc::recv(sock.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        let mut got = &buf[..n as usize];
        // Each message: nlmsghdr (16 bytes), then for NLMSG_ERROR the
        // error code; lengths padded to 4.
        while got.len() >= 16 {
            let len = u32::from_ne_bytes([got[0], got[1], got[2], got[3]]) as usize;
            if len < 16 || len > got.len() {
                return Err(io::Error::other("malformed netlink reply"));
            }
            let ty = u16::from_ne_bytes([got[4], got[5]]);
            let their_seq = u32::from_ne_bytes([got[8], got[9], got[10], got[11]]);
            if ty == nl::NLMSG_ERROR && their_seq == seq && len >= 20 {
                let code = i32::from_ne_bytes([got[16], got[17], got[18], got[19]]);
                return if code == 0 {
                    Ok(())
                } else {
                    Err(io::Error::from_raw_os_error(-code))
                };
            }
            got = &got[len.next_multiple_of(4).min(got.len())..];
        }
    }
}

/// Deletes link `name` in `nl_sock`'s network namespace (a veth's peer
/// goes with it).
pub fn link_delete(nl_sock: &OwnedFd, name: &str) -> io::Result<()> {
    let mut m = NlMsg::new(nl::RTM_DELLINK, nl::NLM_F_REQUEST | nl::NLM_F_ACK);
    m.str_attr(nl::IFLA_IFNAME, name);
    nl_request(nl_sock, &m.finish())
}

/// Creates bridge `name` in `nl_sock`'s network namespace.
pub fn bridge_create(nl_sock: &OwnedFd, name: &str, mtu: u32) -> io::Result<()> {
    let mut m = NlMsg::new(
        nl::RTM_NEWLINK,
        nl::NLM_F_REQUEST | nl::NLM_F_ACK | nl::NLM_F_CREATE | nl::NLM_F_EXCL,
    );
    m.str_attr(nl::IFLA_IFNAME, name);
    m.attr(nl::IFLA_MTU, &mtu.to_ne_bytes());
    let info = m.begin(nl::IFLA_LINKINFO);
    m.str_attr(nl::IFLA_INFO_KIND, "bridge");
    m.end(info);
    nl_request(nl_sock, &m.finish())
}

/// Creates a veth pair: `name` in `nl_sock`'s network namespace, enslaved
/// to the bridge of index `master`, and its peer `peer` in the network
/// namespace `peer_ns`; both with `mtu`, both down.
pub fn veth_create(
    nl_sock: &OwnedFd,
    name: &str,
    master: u32,
    peer: &str,
    peer_ns: std::os::fd::BorrowedFd<'_>,
    mtu: u32,
) -> io::Result<()> {
    let mut m = NlMsg::new(
        nl::RTM_NEWLINK,
        nl::NLM_F_REQUEST | nl::NLM_F_ACK | nl::NLM_F_CREATE | nl::NLM_F_EXCL,
    );
    m.str_attr(nl::IFLA_IFNAME, name);
    m.attr(nl::IFLA_MTU, &mtu.to_ne_bytes());
    m.attr(nl::IFLA_MASTER, &master.to_ne_bytes());
    let info = m.begin(nl::IFLA_LINKINFO);
    m.str_attr(nl::IFLA_INFO_KIND, "veth");
    let data = m.begin(nl::IFLA_INFO_DATA);
    let p = m.begin(nl::VETH_INFO_PEER);
    m.ifinfo();
    m.str_attr(nl::IFLA_IFNAME, peer);
    m.attr(nl::IFLA_MTU, &mtu.to_ne_bytes());
    m.attr(
        nl::IFLA_NET_NS_FD,
        &(peer_ns.as_raw_fd() as u32).to_ne_bytes(),
    );
    m.end(p);
    m.end(data);
    m.end(info);
    nl_request(nl_sock, &m.finish())
}

/// Puts the calling process in a new user namespace where its own uid
/// and gid are 0 (it must be single-threaded: the kernel refuses
/// otherwise). Returns a descriptor of that namespace.
pub fn unshare_own_userns() -> io::Result<OwnedFd> {
    let (uid, gid) = (nix::unistd::getuid(), nix::unistd::getgid());
    // SAFETY: unshare takes no pointers.
    cvt(unsafe { libc::unshare(libc::CLONE_NEWUSER) })?;
    std::fs::write("/proc/self/setgroups", "deny")?;
    std::fs::write("/proc/self/uid_map", format!("0 {uid} 1\n"))?;
    std::fs::write("/proc/self/gid_map", format!("0 {gid} 1\n"))?;
    open_ro(c"/proc/self/ns/user")
}

/// `NS_GET_USERNS` and `NS_GET_PARENT` (`<linux/nsfs.h>`).
const NS_GET_USERNS: libc::Ioctl = 0xb701;
const NS_GET_PARENT: libc::Ioctl = 0xb702;

fn ns_ioctl(ns: std::os::fd::BorrowedFd<'_>, op: libc::Ioctl) -> io::Result<OwnedFd> {
    // SAFETY: these nsfs ioctls take no argument and return a new
    // descriptor.
    let raw = cvt(unsafe { libc::ioctl(ns.as_raw_fd(), op) })?;
    // SAFETY: raw is a fresh descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(raw) })
}

/// The user namespace that owns namespace `ns`.
pub fn ns_owner(ns: std::os::fd::BorrowedFd<'_>) -> io::Result<OwnedFd> {
    ns_ioctl(ns, NS_GET_USERNS)
}

/// The parent of user namespace `userns`.
pub fn ns_parent(userns: std::os::fd::BorrowedFd<'_>) -> io::Result<OwnedFd> {
    ns_ioctl(userns, NS_GET_PARENT)
}

/// Moves the calling thread into the network namespace `netns` (the
/// caller needs CAP_SYS_ADMIN over its owner and in its own user
/// namespace).
pub fn enter_netns(netns: std::os::fd::BorrowedFd<'_>) -> io::Result<()> {
    // SAFETY: setns on a descriptor the caller lends us.
    cvt(unsafe { libc::setns(netns.as_raw_fd(), libc::CLONE_NEWNET) }).map(drop)
}

/// Moves the calling process into the user namespace `userns` (it must be
/// single-threaded).
pub fn enter_userns(userns: std::os::fd::BorrowedFd<'_>) -> io::Result<()> {
    // SAFETY: setns on a descriptor the caller lends us.
    cvt(unsafe { libc::setns(userns.as_raw_fd(), libc::CLONE_NEWUSER) }).map(drop)
}
