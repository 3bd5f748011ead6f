//! Hosting a container's network stack: the thread in the container's
//! monitor that runs [`rsp_net::stack::Stack`] over its tap device,
//! and stops with the container.
//!
//! Contract: [`NetThread::start`] must be called while the caller has no
//! other thread that could be forking; the socket factory for published
//! ports is forked first, then the stack's thread starts. Dropping the
//! [`NetThread`] stops the stack, closes every connection it carried and
//! ends the factory.

use super::RuntimeError;
use super::container::ContainerConfig;
use rsp_net::forward::Listeners;
use rsp_net::stack::{Stack, Tap};
use std::os::fd::{AsFd, OwnedFd};

pub(crate) struct NetThread {
    stop: Option<OwnedFd>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl NetThread {
    /// Starts serving the container `pid`'s tap device. `listeners` are
    /// the published ports, bound by the caller (who keeps them across
    /// restarts).
    pub(crate) fn start(
        tap: OwnedFd,
        netns: Option<(OwnedFd, OwnedFd)>,
        cfg: &ContainerConfig,
        listeners: Option<&Listeners>,
        names: Option<(rsp_net::stack::Names, bool)>,
    ) -> Result<NetThread, RuntimeError> {
        let setup = |e: std::io::Error| RuntimeError::Net(rsp_net::NetError::Setup(e));
        rsp_sys::net::raise_nofile_limit();
        let listeners = match listeners {
            Some(l) => l.try_clone().map_err(setup)?,
            None => Listeners::default(),
        };
        let factory = match netns {
            Some((user, net)) if !listeners.is_empty() => {
                Some(rsp_sys::net::SocketFactory::start(user, net).map_err(setup)?)
            }
            _ => None,
        };
        let mut stack = Stack::new(
            Tap(tap),
            cfg.net_options.clone(),
            // --dns on a user-defined network: where 10.0.2.3 forwards.
            if cfg.network == crate::container::NetworkMode::Bridge && !cfg.dns.is_empty() {
                cfg.dns
                    .iter()
                    .filter_map(|d| d.parse::<std::net::IpAddr>().ok())
                    .map(|ip| std::net::SocketAddr::new(ip, 53))
                    .collect()
            } else {
                rsp_net::dns::upstreams()
            },
            listeners,
            factory,
        )
        .map_err(setup)?;
        if let Some((names, internal)) = names {
            stack = stack.with_names(names, internal);
        }
        let (stop_r, stop_w) =
            nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(|e| setup(e.into()))?;
        let handle = std::thread::Builder::new()
            .name("rsp-net".into())
            .stack_size(256 << 10)
            .spawn(move || {
                let _ = stack.run(stop_r.as_fd());
            })
            .map_err(setup)?;
        Ok(NetThread {
            stop: Some(stop_w),
            handle: Some(handle),
        })
    }
}

impl NetThread {
    /// Tells the stack to stop without waiting for it: closing the tap
    /// unregisters the device, which takes the kernel some milliseconds
    /// the container's exit status should not wait for.
    pub(crate) fn stop(&mut self) {
        drop(self.stop.take());
    }
}

impl Drop for NetThread {
    fn drop(&mut self) {
        // Closing the write end wakes the loop with EOF.
        drop(self.stop.take());
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
