//! A small deterministic input generator for the property ("fuzz") tests
//! of issue 18, shared by every crate's unit tests.
//!
//! Contract: runs on stable Rust inside `cargo test`, with no dependency.
//! [`run`] calls a property once per case with an [`Rng`] seeded from the
//! target's name, the base seed and the case number only, so a run is the
//! same every time and one failing case can be replayed on its own:
//! - `RSP_FUZZ_CASES=N` sets the number of cases of every target (each
//!   test gives its own default, sized so that all of them together take
//!   seconds in a debug build); `bench/fuzz.sh` runs many more;
//! - `RSP_FUZZ_SEED=S` changes the base seed (default 0), to explore new
//!   inputs;
//! - `RSP_FUZZ_CASE=I` runs only case `I`, which is what a failure says to
//!   rerun.
//!
//! A case that panics is reported with its number and seed before the
//! panic goes on, so the test fails with what it takes to reproduce it.

/// xorshift64*: fast, good enough for generating inputs, and the same on
/// every machine.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        // Zero is xorshift's one fixed point; splitmix the seed so that
        // nearby seeds give unrelated streams.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        Rng(if z == 0 { 1 } else { z })
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    pub fn byte(&mut self) -> u8 {
        (self.next_u64() >> 56) as u8
    }

    /// A number in `0..n` (`0` when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u32) -> bool {
        self.next_u64() % 100 < u64::from(percent)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// `len` random bytes.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.byte()).collect()
    }

    /// A length in `0..=max`, small far more often than large: most bugs
    /// need a short input, some a long one.
    pub fn size(&mut self, max: usize) -> usize {
        match self.below(4) {
            0 => self.below(max.min(8) + 1),
            1 | 2 => self.below(max.min(64) + 1),
            _ => self.below(max + 1),
        }
    }

    /// A number that is often at a boundary: 0, 1, a power of two or one
    /// off it, the largest, or anything.
    pub fn interesting_u64(&mut self) -> u64 {
        let bit = self.below(64) as u32;
        match self.below(6) {
            0 => 0,
            1 => 1,
            2 => 1u64 << bit,
            3 => (1u64 << bit).wrapping_sub(1),
            4 => u64::MAX >> self.below(64),
            _ => self.next_u64(),
        }
    }

    /// Changes `data` a few times: flips bits, sets bytes to boundary
    /// values, inserts, deletes, duplicates or swaps runs, truncates.
    /// Mutating valid input reaches the checks that random bytes never get
    /// past.
    pub fn mutate(&mut self, data: &mut Vec<u8>) {
        const SPECIAL: &[u8] = &[0, 1, 0x7f, 0x80, 0xff, b'0', b'/', b'.', b'"', b'\\', b'\n'];
        for _ in 0..1 + self.below(4) {
            let len = data.len();
            match self.below(8) {
                0 if len > 0 => {
                    let i = self.below(len);
                    data[i] ^= 1 << self.below(8);
                }
                1 if len > 0 => {
                    let i = self.below(len);
                    data[i] = *self.pick(SPECIAL);
                }
                2 => {
                    let at = self.below(len + 1);
                    let n = self.size(16);
                    let bytes = self.bytes(n);
                    data.splice(at..at, bytes);
                }
                3 if len > 0 => {
                    let at = self.below(len);
                    let n = 1 + self.below((len - at).min(32));
                    data.drain(at..at + n);
                }
                4 if len > 0 => {
                    // A run repeated: duplicated keys, nested brackets.
                    let at = self.below(len);
                    let n = 1 + self.below((len - at).min(64));
                    let run = data[at..at + n].to_vec();
                    let to = self.below(len + 1);
                    data.splice(to..to, run);
                }
                5 if len > 1 => {
                    let (a, b) = (self.below(len), self.below(len));
                    data.swap(a, b);
                }
                6 if len > 0 => {
                    let keep = self.below(len);
                    data.truncate(keep);
                }
                _ if len > 0 => {
                    let i = self.below(len);
                    data[i] = self.byte();
                }
                _ => data.push(self.byte()),
            }
        }
    }
}

/// The number of cases to run: `RSP_FUZZ_CASES`, else `default`.
pub fn cases(default: usize) -> usize {
    env_number("RSP_FUZZ_CASES").map_or(default, |n| n as usize)
}

fn env_number(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    let parsed = value.trim().parse().ok();
    assert!(parsed.is_some(), "{name}={value:?} is not a number");
    parsed
}

/// FNV-1a: the target's name becomes part of its seed, so two targets
/// never walk the same stream.
fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Runs `property` on `cases(default_cases)` cases (or only on case
/// `RSP_FUZZ_CASE`), each with its own deterministic [`Rng`].
pub fn run(name: &str, default_cases: usize, mut property: impl FnMut(&mut Rng)) {
    let seed = env_number("RSP_FUZZ_SEED").unwrap_or(0);
    let only = env_number("RSP_FUZZ_CASE").map(|c| c as usize);
    let count = cases(default_cases);
    let base = name_hash(name) ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for case in 0..count {
        if only.is_some_and(|o| o != case) {
            continue;
        }
        let mut rng = Rng::new(base.wrapping_add(case as u64));
        // A failing case is named in the panic itself, with how to rerun
        // it alone (nothing here prints).
        let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| property(&mut rng)));
        if let Err(payload) = failed {
            let why = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("(a panic without a message)");
            panic!(
                "fuzz target {name} failed at case {case} (RSP_FUZZ_SEED={seed}): {why}; rerun \
                 that case alone with RSP_FUZZ_SEED={seed} RSP_FUZZ_CASE={case}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_deterministic_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| Rng::new(7).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(Rng::new(7).next_u64(), Rng::new(8).next_u64());
        assert_ne!(Rng::new(0).next_u64(), 0);
    }

    #[test]
    fn mutate_and_helpers_stay_in_bounds() {
        let mut rng = Rng::new(1);
        for _ in 0..10_000 {
            let n = rng.size(100);
            assert!(n <= 100);
            assert!(rng.below(3) < 3);
            let k = rng.below(4);
            let mut data = rng.bytes(k);
            rng.mutate(&mut data);
        }
    }
}
