//! Memory whose pages the kernel commits only when they are touched, and
//! gives back when told to: the buffers of the userspace network stack.
//!
//! Contract:
//! - A [`Region`] is a private anonymous mapping (`MAP_NORESERVE`, no
//!   transparent huge pages, so that touching one byte commits one page and
//!   not two megabytes). It reads as zeros until written; dropping it
//!   unmaps it, which returns every page to the kernel at once (memory
//!   freed to the C allocator stays in its arenas).
//! - [`TcpSockets`] holds smoltcp TCP sockets whose ring buffers live in a
//!   region each. The sockets never leave it: they are reached only through
//!   [`Tcp`], which lends the operations the stack uses, so a socket (and
//!   the `'static` slices its buffers are) can never outlive its region.
//!   [`TcpSockets::discard`] gives back the pages of a range of a ring that
//!   the caller knows holds no data; they read as zeros afterwards.

use smoltcp::iface::{Context, Interface, SocketHandle, SocketSet};
use smoltcp::phy::Device;
use smoltcp::socket::tcp;
use smoltcp::wire::{IpEndpoint, IpListenEndpoint};
use std::io;
use std::ptr::NonNull;

/// The size of a page.
pub fn page_size() -> usize {
    // SAFETY: sysconf reads a constant of the system; no memory of ours.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if n > 0 { n as usize } else { 4096 }
}

/// A private anonymous mapping, committed page by page as it is touched.
pub struct Region {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: a Region owns its mapping exclusively, like a Box<[u8]>; nothing
// in it is tied to the thread that made it.
unsafe impl Send for Region {}

impl Region {
    /// A region of at least `len` bytes (rounded up to whole pages).
    pub fn new(len: usize) -> io::Result<Region> {
        let page = page_size();
        let len = len.max(1).div_ceil(page) * page;
        // SAFETY: an anonymous mapping at an address of the kernel's
        // choosing; it overlaps nothing of ours.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let region = Region {
            ptr: NonNull::new(p.cast()).ok_or_else(|| io::Error::other("mmap returned null"))?,
            len,
        };
        // With transparent huge pages on "always", a first touch could
        // commit a whole huge page. Advice only: a kernel without THP
        // refuses it, and the region works the same.
        // SAFETY: the range is exactly our mapping; the advice changes no
        // contents.
        unsafe { libc::madvise(p, len, libc::MADV_NOHUGEPAGE) };
        Ok(region)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: the mapping is `len` readable and writable bytes, zero
        // or written by us (every value is a valid u8), and `&mut self`
        // makes this the only reference into it.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }

    /// Bytes of the region that are in memory now.
    pub fn resident(&self) -> io::Result<usize> {
        let page = page_size();
        let mut vec = vec![0u8; self.len / page];
        // SAFETY: `ptr` is page-aligned (from mmap) and the range is our
        // mapping; mincore writes one byte per page into `vec`, which has
        // exactly that many.
        let r = unsafe { libc::mincore(self.ptr.as_ptr().cast(), self.len, vec.as_mut_ptr()) };
        if r != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(vec.iter().filter(|b| *b & 1 != 0).count() * page)
    }

    /// Gives the pages of `[off, off + len)` (page-aligned, inside the
    /// region) back to the kernel; they read as zeros afterwards.
    fn discard(&self, off: usize, len: usize) -> io::Result<()> {
        let page = page_size();
        if !off.is_multiple_of(page)
            || !len.is_multiple_of(page)
            || off.checked_add(len).is_none_or(|e| e > self.len)
        {
            return Err(io::Error::from(io::ErrorKind::InvalidInput));
        }
        if len == 0 {
            return Ok(());
        }
        // SAFETY: the range is page-aligned and inside our private
        // anonymous mapping, checked above. MADV_DONTNEED replaces its
        // pages with zero-filled ones: the memory stays mapped and valid,
        // and zero is a valid u8, so no reference into it (see
        // `TcpSockets::discard` for the ones smoltcp holds) can observe
        // anything but changed byte values. No Rust code uses the range
        // during the call: this thread is in the system call, and the
        // region is not shared with another thread.
        let r =
            unsafe { libc::madvise(self.ptr.as_ptr().add(off).cast(), len, libc::MADV_DONTNEED) };
        if r != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        // SAFETY: the range is exactly the mapping made in `new`, and no
        // reference into it outlives `self` (`as_mut_slice` borrows self;
        // `TcpSockets` drops its sockets before their regions).
        unsafe { libc::munmap(self.ptr.as_ptr().cast(), self.len) };
    }
}

/// Which ring of a socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ring {
    Rx,
    Tx,
}

/// A socket of a [`TcpSockets`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TcpId(usize);

struct Slot {
    handle: SocketHandle,
    region: Region,
    rx_cap: usize,
}

/// smoltcp TCP sockets with their ring buffers in [`Region`]s.
pub struct TcpSockets {
    // Field order matters only for readability: `Drop` empties `set`
    // before `slots` (and their regions) go.
    set: SocketSet<'static>,
    slots: Vec<Option<Slot>>,
    free: Vec<usize>,
}

impl Default for TcpSockets {
    fn default() -> Self {
        TcpSockets {
            set: SocketSet::new(Vec::new()),
            slots: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl TcpSockets {
    /// A closed socket with a receive ring of `rx_cap` bytes and a send
    /// ring of `tx_cap` (both whole pages), committed only as used.
    pub fn add(&mut self, rx_cap: usize, tx_cap: usize) -> io::Result<TcpId> {
        let page = page_size();
        if rx_cap == 0
            || tx_cap == 0
            || !rx_cap.is_multiple_of(page)
            || !tx_cap.is_multiple_of(page)
        {
            return Err(io::Error::from(io::ErrorKind::InvalidInput));
        }
        let region = Region::new(rx_cap + tx_cap)?;
        // SAFETY: the mapping is `rx_cap + tx_cap` readable and writable
        // bytes, all zero (valid u8s), and nothing else refers to it. The
        // 'static slices go into a socket that is moved into `self.set`
        // right away and never leaves it but to be dropped (`remove`, and
        // `Drop`, which empties the set before the regions are unmapped):
        // no method hands out the socket, a `&mut` to it or its buffers
        // for longer than a borrow of `self`. So the slices are never
        // used after `region` is unmapped.
        let all: &'static mut [u8] =
            unsafe { std::slice::from_raw_parts_mut(region.ptr.as_ptr(), rx_cap + tx_cap) };
        let (rx, tx) = all.split_at_mut(rx_cap);
        let sock = tcp::Socket::new(tcp::SocketBuffer::new(rx), tcp::SocketBuffer::new(tx));
        let handle = self.set.add(sock);
        let slot = Slot {
            handle,
            region,
            rx_cap,
        };
        let i = match self.free.pop() {
            Some(i) => {
                self.slots[i] = Some(slot);
                i
            }
            None => {
                self.slots.push(Some(slot));
                self.slots.len() - 1
            }
        };
        Ok(TcpId(i))
    }

    /// Drops the socket, then unmaps its buffers.
    pub fn remove(&mut self, id: TcpId) {
        if let Some(slot) = self.slots.get_mut(id.0).and_then(Option::take) {
            self.set.remove(slot.handle);
            drop(slot);
            self.free.push(id.0);
        }
    }

    pub fn get(&mut self, id: TcpId) -> Option<Tcp<'_>> {
        let slot = self.slots.get(id.0)?.as_ref()?;
        let base = slot.region.ptr.as_ptr() as usize;
        let rx_cap = slot.rx_cap;
        let handle = slot.handle;
        Some(Tcp {
            sock: self.set.get_mut::<tcp::Socket>(handle),
            rx_base: base,
            tx_base: base + rx_cap,
        })
    }

    /// Gives back the pages of `[off, off + len)` of a ring (page-aligned).
    ///
    /// The caller states that the ring holds no data there (nothing the
    /// socket has received and not handed out, or queued and not had
    /// acknowledged): smoltcp writes such bytes before it reads them, so
    /// zeroing them changes nothing it observes. A wrong range corrupts
    /// that connection's bytes as writing zeros would, never memory.
    pub fn discard(&mut self, id: TcpId, ring: Ring, off: usize, len: usize) -> io::Result<()> {
        let slot = self
            .slots
            .get(id.0)
            .and_then(Option::as_ref)
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))?;
        let (start, cap) = match ring {
            Ring::Rx => (0, slot.rx_cap),
            Ring::Tx => (slot.rx_cap, slot.region.len - slot.rx_cap),
        };
        if off.checked_add(len).is_none_or(|e| e > cap) {
            return Err(io::Error::from(io::ErrorKind::InvalidInput));
        }
        // Through `&mut self`: smoltcp is not running, and no `Tcp` (nor
        // a slice lent by one) is alive.
        slot.region.discard(start + off, len)
    }

    /// Bytes of socket `id`'s rings that are in memory.
    pub fn resident(&self, id: TcpId) -> io::Result<usize> {
        let slot = self
            .slots
            .get(id.0)
            .and_then(Option::as_ref)
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))?;
        slot.region.resident()
    }

    /// Runs `iface` over the sockets (smoltcp's `Interface::poll`).
    pub fn poll<D: Device>(
        &mut self,
        iface: &mut Interface,
        now: smoltcp::time::Instant,
        dev: &mut D,
    ) -> smoltcp::iface::PollResult {
        iface.poll(now, dev, &mut self.set)
    }

    /// How long `iface` may wait before its next poll.
    pub fn poll_delay(
        &self,
        iface: &mut Interface,
        now: smoltcp::time::Instant,
    ) -> Option<smoltcp::time::Duration> {
        iface.poll_delay(now, &self.set)
    }
}

impl Drop for TcpSockets {
    fn drop(&mut self) {
        // Every socket goes before any region is unmapped.
        self.set = SocketSet::new(Vec::new());
    }
}

/// A socket of a [`TcpSockets`], borrowed: smoltcp's operations, with the
/// ring offsets of the buffers lent by `recv` and `send`.
pub struct Tcp<'a> {
    sock: &'a mut tcp::Socket<'static>,
    rx_base: usize,
    tx_base: usize,
}

impl Tcp<'_> {
    pub fn state(&self) -> tcp::State {
        self.sock.state()
    }
    pub fn listen(&mut self, ep: IpListenEndpoint) -> Result<(), tcp::ListenError> {
        self.sock.listen(ep)
    }
    pub fn connect(
        &mut self,
        cx: &mut Context,
        remote: IpEndpoint,
        local: IpListenEndpoint,
    ) -> Result<(), tcp::ConnectError> {
        self.sock.connect(cx, remote, local)
    }
    pub fn close(&mut self) {
        self.sock.close()
    }
    pub fn abort(&mut self) {
        self.sock.abort()
    }
    pub fn is_active(&self) -> bool {
        self.sock.is_active()
    }
    pub fn may_recv(&self) -> bool {
        self.sock.may_recv()
    }
    pub fn can_recv(&self) -> bool {
        self.sock.can_recv()
    }
    pub fn can_send(&self) -> bool {
        self.sock.can_send()
    }
    pub fn recv_queue(&self) -> usize {
        self.sock.recv_queue()
    }
    pub fn send_queue(&self) -> usize {
        self.sock.send_queue()
    }
    pub fn remote_endpoint(&self) -> Option<IpEndpoint> {
        self.sock.remote_endpoint()
    }
    pub fn set_nagle_enabled(&mut self, on: bool) {
        self.sock.set_nagle_enabled(on)
    }
    pub fn set_ack_delay(&mut self, d: Option<smoltcp::time::Duration>) {
        self.sock.set_ack_delay(d)
    }
    pub fn set_tsval_generator(&mut self, g: Option<smoltcp::wire::TcpTimestampGenerator>) {
        self.sock.set_tsval_generator(g)
    }

    /// smoltcp's `recv`; `f` also gets the offset of the bytes in the
    /// receive ring.
    pub fn recv<R>(
        &mut self,
        f: impl FnOnce(&mut [u8], usize) -> (usize, R),
    ) -> Result<R, tcp::RecvError> {
        let base = self.rx_base;
        self.sock.recv(|b| {
            let off = (b.as_ptr() as usize).wrapping_sub(base);
            f(b, off)
        })
    }

    /// smoltcp's `send`; `f` also gets the offset of the free space in the
    /// send ring.
    pub fn send<R>(
        &mut self,
        f: impl FnOnce(&mut [u8], usize) -> (usize, R),
    ) -> Result<R, tcp::SendError> {
        let base = self.tx_base;
        self.sock.send(|b| {
            let off = (b.as_ptr() as usize).wrapping_sub(base);
            f(b, off)
        })
    }
}
