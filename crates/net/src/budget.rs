//! The stack's buffer memory: one byte budget for the buffers of every
//! flow, charged page by page as the buffers are used, and given back as
//! soon as they hold nothing.
//!
//! Why this shape. smoltcp's socket buffers are fixed-size rings, and the
//! receive ring's size is the window the container may fill, so it cannot
//! start small and grow without costing throughput (1 MiB windows are what
//! carries ~15 Gbit/s). Instead every TCP flow gets its rings in a mapping
//! of its own ([`rsp_sys::mem::TcpSockets`]) whose pages the kernel
//! commits only when a byte of them is first written: a flow's memory is
//! the part of its rings it has used, not their size. Unmapping a flow's
//! rings when it ends gives every page back at once (heap memory freed to
//! the C allocator stays in its arenas: that was the gigabytes a closed
//! churn left behind).
//!
//! Contract:
//! - [`Budget`] counts bytes: the pages of TCP rings that may have been
//!   written, and published-port relay buffers. Nothing is written before
//!   it is charged, so the count bounds what the buffers can hold in memory.
//! - [`Rings`] tracks, per TCP flow, which pages of its two rings are
//!   charged. Where smoltcp writes is predictable from sequence numbers:
//!   the receive ring holds the container's stream byte `n` (counted from
//!   its initial sequence number) at offset `n mod capacity` (capacities
//!   are powers of two), and the send ring is written only by the stack,
//!   which sees each offset. A segment from the container is charged before
//!   smoltcp sees it, for the part of it inside the window; a segment that
//!   needs pages the budget cannot give is dropped, as a kernel under memory
//!   pressure does, and TCP sends it again. Reads from the host stop while
//!   the send ring's next pages cannot be charged.
//! - A flow's pages outside its live data (bytes received and not yet
//!   handed out, or queued and not yet acknowledged) are given back
//!   ([`Rings::reclaim`]) once the flow has been idle for a while, or at
//!   once for every flow when the budget runs out. If the receive ring ever
//!   disagrees with the model (an offset smoltcp lends that the model did
//!   not predict), the whole ring is charged and never reclaimed while the
//!   flow lives: never a page given back that may hold data.

use rsp_sys::mem::Ring;

/// Bytes the stack's buffers may use.
pub(super) struct Budget {
    limit: usize,
    used: usize,
}

impl Budget {
    pub fn new(limit: usize) -> Budget {
        Budget { limit, used: 0 }
    }

    pub fn used(&self) -> usize {
        self.used
    }

    /// Takes `n` bytes if they fit.
    pub fn try_charge(&mut self, n: usize) -> bool {
        if n > self.limit.saturating_sub(self.used) {
            return false;
        }
        self.used += n;
        true
    }

    /// Takes `n` bytes whether they fit or not: for memory already in use.
    pub fn force_charge(&mut self, n: usize) {
        self.used += n;
    }

    pub fn uncharge(&mut self, n: usize) {
        debug_assert!(n <= self.used, "uncharging more than was charged");
        self.used = self.used.saturating_sub(n);
    }

    /// Bytes left.
    pub fn free(&self) -> usize {
        self.limit.saturating_sub(self.used)
    }

    /// Half spent: new flows get small rings.
    pub fn pressed(&self) -> bool {
        self.used >= self.limit / 2
    }

    /// Nothing left: new flows are refused.
    pub fn exhausted(&self) -> bool {
        self.used >= self.limit
    }
}

/// Which pages of one ring are charged.
struct Pages {
    page: usize,
    n: usize,
    bits: Vec<u64>,
    count: usize,
}

impl Pages {
    fn new(cap: usize, page: usize) -> Pages {
        let n = cap / page;
        Pages {
            page,
            n,
            bits: vec![0; n.div_ceil(64)],
            count: 0,
        }
    }

    fn is_set(&self, i: usize) -> bool {
        self.bits[i / 64] & (1 << (i % 64)) != 0
    }

    fn set(&mut self, i: usize) {
        if !self.is_set(i) {
            self.bits[i / 64] |= 1 << (i % 64);
            self.count += 1;
        }
    }

    fn unset(&mut self, i: usize) {
        if self.is_set(i) {
            self.bits[i / 64] &= !(1 << (i % 64));
            self.count -= 1;
        }
    }

    fn bytes(&self) -> usize {
        self.count * self.page
    }

    /// The pages `[off, off + len)` covers, wrapping at the end of the
    /// ring: (first page, number of pages).
    fn span(&self, off: usize, len: usize) -> (usize, usize) {
        if len == 0 {
            return (0, 0);
        }
        let first = off / self.page;
        let last = (off + len - 1) / self.page;
        (first % self.n, (last - first + 1).min(self.n))
    }

    /// The span `(first, n)` as at most two runs of pages that do not
    /// wrap: (start, end) pairs.
    fn runs(&self, first: usize, n: usize) -> [(usize, usize); 2] {
        if first + n <= self.n {
            [(first, first + n), (0, 0)]
        } else {
            [(first, self.n), (0, first + n - self.n)]
        }
    }

    /// Charged pages in `[start, end)`, a word at a time (the hot path
    /// checks a 64 KiB segment per frame).
    fn count_set(&self, start: usize, end: usize) -> usize {
        let mut count = 0;
        let mut i = start;
        while i < end {
            let w = i / 64;
            let lo = i % 64;
            let hi = (end - w * 64).min(64);
            let mask = if hi - lo == 64 {
                u64::MAX
            } else {
                ((1u64 << (hi - lo)) - 1) << lo
            };
            count += (self.bits[w] & mask).count_ones() as usize;
            i = w * 64 + hi;
        }
        count
    }

    /// Pages of `[off, off + len)` not charged yet.
    fn missing(&self, off: usize, len: usize) -> usize {
        let (first, n) = self.span(off, len);
        self.runs(first, n)
            .iter()
            .map(|&(a, b)| (b - a) - self.count_set(a, b))
            .sum()
    }

    /// Charges every page of `[off, off + len)`, or none (`false`).
    fn charge_span(&mut self, off: usize, len: usize, budget: &mut Budget) -> bool {
        let missing = self.missing(off, len);
        if missing == 0 {
            return true;
        }
        if !budget.try_charge(missing * self.page) {
            return false;
        }
        let (first, n) = self.span(off, len);
        for k in 0..n {
            self.set((first + k) % self.n);
        }
        true
    }

    /// How many bytes from `off` (at most `len`, which must not run past
    /// the ring's end) fit in pages charged already or that the budget can
    /// still give; nothing is charged.
    fn room(&self, off: usize, len: usize, budget: &Budget) -> usize {
        let (first, n) = self.span(off, len);
        // The budget covers the whole span whatever is charged: the usual
        // case, and no page need be looked at.
        if budget.free() >= n * self.page {
            return len;
        }
        let mut left = budget.free();
        let mut covered = 0;
        for p in first..first + n {
            if !self.is_set(p) {
                if left < self.page {
                    break;
                }
                left -= self.page;
            }
            covered = (p + 1) * self.page - off;
        }
        covered.min(len)
    }

    fn charge_all(&mut self, budget: &mut Budget) {
        budget.force_charge((self.n - self.count) * self.page);
        self.fill();
    }

    /// Marks every page charged (the caller has charged them).
    fn fill(&mut self) {
        for i in 0..self.n {
            self.set(i);
        }
    }

    /// Gives back every charged page outside `live` (a span as for
    /// [`Pages::span`]) through `discard`, run by run; the bytes given back.
    fn release(
        &mut self,
        live: Option<(usize, usize)>,
        budget: &mut Budget,
        mut discard: impl FnMut(usize, usize) -> bool,
    ) -> usize {
        if self.count == 0 {
            return 0;
        }
        let mut keep = vec![false; self.n];
        if let Some((off, len)) = live {
            let (first, n) = self.span(off, len);
            for k in 0..n {
                keep[(first + k) % self.n] = true;
            }
        }
        let mut freed = 0;
        let mut i = 0;
        while i < self.n {
            if !self.is_set(i) || keep[i] {
                i += 1;
                continue;
            }
            let start = i;
            while i < self.n && self.is_set(i) && !keep[i] {
                i += 1;
            }
            if discard(start * self.page, (i - start) * self.page) {
                for p in start..i {
                    self.unset(p);
                }
                let bytes = (i - start) * self.page;
                budget.uncharge(bytes);
                freed += bytes;
            }
        }
        freed
    }

    fn release_all(&mut self, budget: &mut Budget) {
        budget.uncharge(self.bytes());
        self.bits.iter_mut().for_each(|w| *w = 0);
        self.count = 0;
    }
}

/// Whether sequence number `a` comes after `b`.
fn after(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) > 0
}

/// The charged pages of one TCP flow's rings, and where its data is.
pub(super) struct Rings {
    rx: Pages,
    tx: Pages,
    rx_cap: usize,
    tx_cap: usize,
    /// The container's first data byte's sequence number: at offset 0.
    rx_base: Option<u32>,
    /// The next byte the stack will take out of the receive ring.
    rx_next: u32,
    /// The end of the furthest byte smoltcp may have written.
    rx_high: u32,
    /// Where the container's stream stops being contiguous, as far as
    /// known (it may lag, never lead).
    rx_ord: u32,
    /// Whether offsets lent by smoltcp have matched the model.
    rx_modeled: bool,
    /// Offset after the last byte the stack queued in the send ring.
    tx_end: usize,
}

impl Rings {
    /// Rings of `rx_cap` and `tx_cap` bytes: powers of two, whole pages.
    pub fn new(rx_cap: usize, tx_cap: usize, page: usize) -> Rings {
        debug_assert!(rx_cap.is_power_of_two() && tx_cap.is_power_of_two());
        debug_assert!(rx_cap.is_multiple_of(page) && tx_cap.is_multiple_of(page));
        Rings {
            rx: Pages::new(rx_cap, page),
            tx: Pages::new(tx_cap, page),
            rx_cap,
            tx_cap,
            rx_base: None,
            rx_next: 0,
            rx_high: 0,
            rx_ord: 0,
            rx_modeled: true,
            tx_end: 0,
        }
    }

    /// The container's initial sequence number (from its SYN or SYN-ACK).
    pub fn set_isn(&mut self, isn: u32) {
        let base = isn.wrapping_add(1);
        match self.rx_base {
            None => {
                self.rx_base = Some(base);
                self.rx_next = base;
                self.rx_high = base;
                self.rx_ord = base;
            }
            // A second, different handshake: positions are unknown.
            Some(b) if b != base => self.rx_modeled = false,
            Some(_) => {}
        }
    }

    fn rx_off(&self, seq: u32) -> usize {
        let base = self.rx_base.unwrap_or(0);
        seq.wrapping_sub(base) as usize % self.rx_cap
    }

    /// Charges what a segment of `len` bytes at `seq` from the container
    /// can make smoltcp write: its part in `[next, next + capacity)`. Every
    /// segment charged is processed by smoltcp before the stack takes any
    /// bytes out of the ring, so the window cannot move in between. A
    /// segment beyond a hole in the stream is only taken if `reserve`
    /// bytes of budget stay free: data that cannot be handed out until the
    /// hole is filled must never take the room the hole needs.
    /// `false`: the budget cannot give the pages; drop the segment.
    pub fn charge_rx(&mut self, seq: u32, len: usize, reserve: usize, budget: &mut Budget) -> bool {
        if len == 0 {
            return true;
        }
        if self.rx_base.is_none() || !self.rx_modeled {
            self.rx_modeled = false;
            let missing = self.rx.n - self.rx.count;
            if !budget.try_charge(missing * self.rx.page) {
                return false;
            }
            self.rx.fill();
            return true;
        }
        let start = if after(self.rx_next, seq) {
            self.rx_next
        } else {
            seq
        };
        let limit = self.rx_next.wrapping_add(self.rx_cap as u32);
        let mut end = seq.wrapping_add(len as u32);
        if after(end, limit) {
            end = limit;
        }
        if !after(end, start) {
            return true;
        }
        let n = end.wrapping_sub(start) as usize;
        let off = self.rx_off(start);
        let in_order = !after(start, self.rx_ord);
        if !in_order {
            let missing = self.rx.missing(off, n) * self.rx.page;
            if budget.used + missing + reserve > budget.limit {
                return false;
            }
        }
        if !self.rx.charge_span(off, n, budget) {
            return false;
        }
        if after(end, self.rx_high) {
            self.rx_high = end;
        }
        if in_order && after(end, self.rx_ord) {
            self.rx_ord = end;
        }
        true
    }

    /// The socket holds `queued` contiguous bytes the stack has not taken
    /// yet: the stream is contiguous up to there.
    pub fn in_order(&mut self, queued: usize) {
        let at = self.rx_next.wrapping_add(queued as u32);
        if self.rx_base.is_some() && after(at, self.rx_ord) {
            self.rx_ord = at;
        }
    }

    /// The stack took `n` bytes out of the receive ring at offset `off`.
    pub fn received(&mut self, off: usize, n: usize, budget: &mut Budget) {
        if self.rx_modeled && (self.rx_base.is_none() || off != self.rx_off(self.rx_next)) {
            self.rx_modeled = false;
            self.rx.charge_all(budget);
        }
        self.rx_next = self.rx_next.wrapping_add(n as u32);
    }

    /// How many of `want` bytes at offset `off` of the send ring may be
    /// written: as far as charged pages, and pages the budget can still
    /// give, reach. [`Rings::queued`] charges what was written.
    pub fn tx_room(&mut self, off: usize, want: usize, budget: &mut Budget) -> usize {
        if off.checked_add(want).is_none_or(|e| e > self.tx_cap) {
            // Not where a lent slice can be: write, but count it all.
            self.tx.charge_all(budget);
            return want;
        }
        self.tx.room(off, want, budget)
    }

    /// The stack queued `n` bytes at offset `off` of the send ring (within
    /// what [`Rings::tx_room`] allowed).
    pub fn queued(&mut self, off: usize, n: usize, budget: &mut Budget) {
        if n > 0 {
            if !self.tx.charge_span(off, n, budget) {
                debug_assert!(false, "queued beyond the room given");
                let (first, k) = self.tx.span(off, n);
                for p in first..first + k {
                    if !self.tx.is_set(p % self.tx.n) {
                        budget.force_charge(self.tx.page);
                        self.tx.set(p % self.tx.n);
                    }
                }
            }
            self.tx_end = (off + n) % self.tx_cap;
        }
    }

    /// Gives back the pages that hold no data, through `discard`; the bytes
    /// given back. `send_queue` is the socket's unacknowledged and unsent
    /// bytes, which end where the stack last queued.
    pub fn reclaim(
        &mut self,
        send_queue: usize,
        budget: &mut Budget,
        mut discard: impl FnMut(Ring, usize, usize) -> bool,
    ) -> usize {
        let mut freed = 0;
        if self.rx_modeled && self.rx_base.is_some() {
            let live = after(self.rx_high, self.rx_next).then(|| {
                (
                    self.rx_off(self.rx_next),
                    self.rx_high.wrapping_sub(self.rx_next) as usize,
                )
            });
            freed += self
                .rx
                .release(live, budget, |off, len| discard(Ring::Rx, off, len));
        }
        let live = (send_queue > 0).then(|| {
            let q = send_queue.min(self.tx_cap);
            ((self.tx_end + self.tx_cap - q) % self.tx_cap, q)
        });
        freed += self
            .tx
            .release(live, budget, |off, len| discard(Ring::Tx, off, len));
        freed
    }

    /// Gives back every page, through `discard`: the socket holds no
    /// connection.
    pub fn reclaim_idle_socket(
        &mut self,
        budget: &mut Budget,
        mut discard: impl FnMut(Ring, usize, usize) -> bool,
    ) -> usize {
        self.rx
            .release(None, budget, |off, len| discard(Ring::Rx, off, len))
            + self
                .tx
                .release(None, budget, |off, len| discard(Ring::Tx, off, len))
    }

    /// The rings' size (both are alike).
    pub fn cap(&self) -> usize {
        self.rx_cap
    }

    /// The socket starts a new connection (its rings start at offset 0
    /// again): the model starts afresh; charged pages stay charged.
    pub fn restart(&mut self) {
        self.rx_base = None;
        self.rx_next = 0;
        self.rx_high = 0;
        self.rx_ord = 0;
        self.rx_modeled = true;
        self.tx_end = 0;
    }

    /// The flow is gone: its pages go back with its mapping.
    pub fn release_all(&mut self, budget: &mut Budget) {
        self.rx.release_all(budget);
        self.tx.release_all(budget);
    }

    pub fn charged(&self) -> usize {
        self.rx.bytes() + self.tx.bytes()
    }

    /// Whether the receive ring has matched the model so far.
    pub fn modeled(&self) -> bool {
        self.rx_modeled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: usize = 4096;

    #[test]
    fn pages_are_counted_across_words_and_the_ring_end() {
        let mut p = Pages::new(200 * PAGE, PAGE);
        for i in [0, 1, 63, 64, 65, 127, 128, 190, 199] {
            p.set(i);
        }
        assert_eq!(p.count_set(0, 200), 9);
        assert_eq!(p.count_set(1, 64), 2);
        assert_eq!(p.count_set(63, 129), 5);
        assert_eq!(p.count_set(64, 128), 3);
        assert_eq!(p.count_set(129, 190), 0);
        assert_eq!(p.missing(0, 200 * PAGE), 191);
        // From page 190 over the end to page 1: 190, 199, 0 and 1 are set.
        assert_eq!(p.missing(190 * PAGE, 12 * PAGE), 8);
        assert_eq!(p.missing(190 * PAGE + 1, 1), 0);
        let mut b = Budget::new(1 << 30);
        assert!(p.charge_span(195 * PAGE, 10 * PAGE, &mut b));
        assert_eq!(b.used(), 7 * PAGE, "195..198 and 2..4");
        assert_eq!(p.count_set(0, 200), 16);
    }

    #[test]
    fn budget_refuses_what_does_not_fit() {
        let mut b = Budget::new(3 * PAGE);
        assert!(b.try_charge(2 * PAGE));
        assert!(b.pressed());
        assert!(!b.try_charge(2 * PAGE));
        assert!(b.try_charge(PAGE));
        assert!(b.exhausted());
        b.uncharge(3 * PAGE);
        assert_eq!(b.used(), 0);
    }

    #[test]
    fn receive_ring_is_charged_where_the_stream_lands_and_wraps() {
        let mut b = Budget::new(1 << 30);
        let mut r = Rings::new(16 * PAGE, 16 * PAGE, PAGE);
        r.set_isn(u32::MAX - 10); // the stream wraps the sequence space
        let base = (u32::MAX - 10).wrapping_add(1);
        assert!(r.charge_rx(base, 100, 0, &mut b));
        assert_eq!(r.charged(), PAGE);
        // A segment across a page boundary charges both pages.
        assert!(r.charge_rx(base.wrapping_add(PAGE as u32 - 1), 2, 0, &mut b));
        assert_eq!(r.charged(), 2 * PAGE);
        // Beyond the window: only the part inside it.
        assert!(r.charge_rx(base.wrapping_add(15 * PAGE as u32), 4 * PAGE, 0, &mut b));
        assert_eq!(r.charged(), 3 * PAGE);
        // Already consumed bytes (a retransmission) cost nothing.
        r.received(0, 2 * PAGE, &mut b);
        assert!(r.charge_rx(base, PAGE, 0, &mut b));
        assert_eq!(r.charged(), 3 * PAGE);
        // After consuming, the window reaches past the end: it wraps to
        // the first pages (charged already), and no further.
        assert!(r.charge_rx(base.wrapping_add(16 * PAGE as u32), 2 * PAGE, 0, &mut b));
        assert!(r.charge_rx(base.wrapping_add(18 * PAGE as u32), PAGE, 0, &mut b));
        assert_eq!(r.charged(), 3 * PAGE);
        assert!(r.charge_rx(base.wrapping_add(4 * PAGE as u32), 1, 0, &mut b));
        assert_eq!(r.charged(), 4 * PAGE);
        assert_eq!(b.used(), 4 * PAGE);
    }

    #[test]
    fn a_segment_the_budget_cannot_cover_is_refused_whole() {
        let mut b = Budget::new(2 * PAGE);
        let mut r = Rings::new(16 * PAGE, 16 * PAGE, PAGE);
        r.set_isn(0);
        assert!(!r.charge_rx(1, 3 * PAGE, 0, &mut b));
        assert_eq!((r.charged(), b.used()), (0, 0));
        assert!(r.charge_rx(1, 2 * PAGE, 0, &mut b));
        assert_eq!(b.used(), 2 * PAGE);
    }

    #[test]
    fn send_ring_writes_stop_where_the_budget_does() {
        let mut b = Budget::new(3 * PAGE);
        let mut r = Rings::new(16 * PAGE, 16 * PAGE, PAGE);
        // Room is offered, but only what is written is charged.
        assert_eq!(r.tx_room(100, 10 * PAGE, &mut b), 3 * PAGE - 100);
        assert_eq!(b.used(), 0);
        r.queued(100, 10, &mut b);
        assert_eq!((r.charged(), b.used()), (PAGE, PAGE));
        r.queued(110, 2 * PAGE, &mut b);
        assert_eq!(b.used(), 3 * PAGE);
        assert_eq!(r.tx_room(3 * PAGE, PAGE, &mut b), 0);
        // Charged pages are reused for free.
        assert_eq!(r.tx_room(0, 5 * PAGE, &mut b), 3 * PAGE);
    }

    #[test]
    fn reclaim_keeps_live_data_and_gives_back_the_rest() {
        let mut b = Budget::new(1 << 30);
        let mut r = Rings::new(16 * PAGE, 16 * PAGE, PAGE);
        r.set_isn(41);
        // 5 pages received, 2 taken out: pages 2..5 hold data.
        assert!(r.charge_rx(42, 5 * PAGE, 0, &mut b));
        r.received(0, 2 * PAGE, &mut b);
        // 4 pages queued to send, 1.5 of them still unacknowledged.
        assert_eq!(r.tx_room(0, 4 * PAGE, &mut b), 4 * PAGE);
        r.queued(0, 4 * PAGE, &mut b);
        let mut gone = Vec::new();
        let freed = r.reclaim(3 * PAGE / 2, &mut b, |ring, off, len| {
            gone.push((ring, off, len));
            true
        });
        assert_eq!(
            gone,
            vec![(Ring::Rx, 0, 2 * PAGE), (Ring::Tx, 0, 2 * PAGE)],
            "tx pages 2 and 3 hold the unacknowledged 1.5 pages"
        );
        assert_eq!(freed, 4 * PAGE);
        assert_eq!(r.charged(), 5 * PAGE);
        assert_eq!(b.used(), 5 * PAGE);
        // Everything consumed and acknowledged: nothing is live.
        r.received(2 * PAGE, 3 * PAGE, &mut b);
        assert_eq!(r.reclaim(0, &mut b, |_, _, _| true), 5 * PAGE);
        assert_eq!((r.charged(), b.used()), (0, 0));
    }

    #[test]
    fn data_beyond_a_hole_leaves_room_for_the_hole() {
        let mut b = Budget::new(8 * PAGE);
        let mut r = Rings::new(16 * PAGE, 16 * PAGE, PAGE);
        r.set_isn(0);
        // Three pages past a hole of two: taken while 4 pages stay free;
        // two more would leave too little.
        assert!(r.charge_rx(1 + 2 * PAGE as u32, 3 * PAGE, 4 * PAGE, &mut b));
        assert!(!r.charge_rx(1 + 5 * PAGE as u32, 2 * PAGE, 4 * PAGE, &mut b));
        // The hole itself may use everything.
        assert!(r.charge_rx(1, 2 * PAGE, 4 * PAGE, &mut b));
        assert_eq!(b.used(), 5 * PAGE);
        // Once the socket holds the five contiguous pages, what follows is
        // in order again.
        r.in_order(5 * PAGE);
        assert!(r.charge_rx(1 + 5 * PAGE as u32, 2 * PAGE, 4 * PAGE, &mut b));
        assert_eq!(b.used(), 7 * PAGE);
    }

    #[test]
    fn a_ring_that_disagrees_with_the_model_is_never_reclaimed() {
        let mut b = Budget::new(1 << 30);
        let mut r = Rings::new(16 * PAGE, 16 * PAGE, PAGE);
        r.set_isn(0);
        assert!(r.charge_rx(1, 10, 0, &mut b));
        // smoltcp lent bytes from an offset the model did not predict.
        r.received(PAGE, 10, &mut b);
        assert_eq!(r.charged(), 16 * PAGE);
        assert_eq!(r.reclaim(0, &mut b, |_, _, _| true), 0);
        assert_eq!(r.charged(), 16 * PAGE);
        r.release_all(&mut b);
        assert_eq!(b.used(), 0);
    }
}
