//! Resource limits (`--memory`, `--memory-swap`, `--memory-reservation`,
//! `--cpus`, `--cpu-shares`, `--cpu-weight`, `--cpuset-cpus`, `--pids-limit`,
//! `--blkio-weight`): parsed from Podman's flag values, kept in the
//! container's config, and written into its cgroup.
//!
//! Contract: [`LimitFlags::parse`] checks the values as Podman does and
//! gives [`Limits`]; [`Limits::controllers`] names the cgroup controllers
//! they need, which the caller checks are delegated (`cgroup::placement`)
//! before anything runs: a limit that cannot be enforced is refused, never
//! ignored. [`Limits::v2_files`] and [`Limits::v1_files`] are the
//! interface files and values for cgroup v2 and for cgroup v1 hierarchies
//! (a hybrid layout), written by `cgroup::Cgroup::apply` and
//! `cgroup::CgroupV1::apply`.

use serde::{Deserialize, Serialize};

/// Podman's default `--pids-limit`, applied where the pids controller is
/// delegated.
pub const DEFAULT_PIDS_LIMIT: i64 = 2048;

/// The CFS period `--cpus` is expressed in, as Podman's (100 ms).
const CPU_PERIOD: u64 = 100_000;

#[derive(Debug, thiserror::Error)]
pub enum LimitsError {
    #[error("invalid {flag} {value:?}: {why}")]
    Value {
        flag: &'static str,
        value: String,
        why: &'static str,
    },
    #[error(
        "--memory-swap {swap} is less than --memory {memory}: give a total of memory and swap at least as large, or -1 for unlimited swap"
    )]
    SwapBelowMemory { swap: String, memory: String },
    #[error(
        "--memory-swap needs --memory: give both (--memory-swap is the total of memory and swap)"
    )]
    SwapWithoutMemory,
    #[error(
        "--memory-reservation {reservation} is more than --memory {memory}: the reservation must be below the limit"
    )]
    ReservationAboveMemory { reservation: String, memory: String },
}

/// The limit flags as given (None: not given).
#[derive(Debug, Clone, Default)]
pub struct LimitFlags {
    pub memory: Option<String>,
    pub memory_swap: Option<String>,
    pub memory_reservation: Option<String>,
    pub cpus: Option<String>,
    pub cpu_shares: Option<String>,
    pub cpu_weight: Option<String>,
    pub cpuset_cpus: Option<String>,
    pub pids_limit: Option<String>,
    pub blkio_weight: Option<String>,
}

/// A container's limits; None leaves the cgroup's default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Limits {
    /// Bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<u64>,
    /// Memory and swap together, bytes; -1 unlimited swap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_swap: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_reservation: Option<u64>,
    /// CPUs in billionths (Docker's NanoCpus).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nano_cpus: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_shares: Option<u64>,
    /// cgroup v2's own `cpu.weight` (1 to 10000); over `cpu_shares`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_weight: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpuset_cpus: Option<String>,
    /// -1 or 0: unlimited. None: rsp's default where it can apply it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pids_limit: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blkio_weight: Option<u16>,
}

fn bad(flag: &'static str, value: &str, why: &'static str) -> LimitsError {
    LimitsError::Value {
        flag,
        value: value.to_string(),
        why,
    }
}

fn bytes(flag: &'static str, v: &str) -> Result<u64, LimitsError> {
    let n = crate::spec::parse_size(v).ok_or_else(|| {
        bad(
            flag,
            v,
            "give a size such as 512m or 1g (b, k, m, g; a number alone is bytes)",
        )
    })?;
    // The kernel's floor for a useful memory limit (Podman's too).
    if n < 6 << 20 {
        return Err(bad(flag, v, "the minimum is 6m"));
    }
    Ok(n)
}

impl LimitFlags {
    /// Whether any flag was given.
    pub fn any(&self) -> bool {
        self.memory.is_some()
            || self.memory_swap.is_some()
            || self.memory_reservation.is_some()
            || self.cpus.is_some()
            || self.cpu_shares.is_some()
            || self.cpu_weight.is_some()
            || self.cpuset_cpus.is_some()
            || self.pids_limit.is_some()
            || self.blkio_weight.is_some()
    }

    /// The limits over `base` (a container's current ones, for `update`).
    pub fn parse(&self, base: &Limits) -> Result<Limits, LimitsError> {
        let mut l = base.clone();
        if let Some(v) = &self.memory {
            l.memory = Some(bytes("--memory", v)?);
        }
        if let Some(v) = &self.memory_swap {
            l.memory_swap = Some(if v.trim() == "-1" {
                -1
            } else {
                let n = crate::spec::parse_size(v).ok_or_else(|| {
                    bad(
                        "--memory-swap",
                        v,
                        "give a size such as 1g, or -1 for unlimited swap",
                    )
                })?;
                i64::try_from(n).map_err(|_| bad("--memory-swap", v, "too large"))?
            });
        }
        if let Some(v) = &self.memory_reservation {
            l.memory_reservation = Some(bytes("--memory-reservation", v)?);
        }
        if let Some(v) = &self.cpus {
            let n: f64 = v
                .trim()
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite() && *n >= 0.0)
                .ok_or_else(|| bad("--cpus", v, "give a number of CPUs such as 1.5"))?;
            let cpus = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
            if n > cpus {
                return Err(bad(
                    "--cpus",
                    v,
                    "more CPUs than this machine has (see nproc)",
                ));
            }
            l.nano_cpus = (n > 0.0).then_some((n * 1e9) as u64);
        }
        if let Some(v) = &self.cpu_shares {
            let n: u64 = v
                .trim()
                .parse()
                .ok()
                .filter(|n| (2..=262_144).contains(n))
                .ok_or_else(|| {
                    bad(
                        "--cpu-shares",
                        v,
                        "give a relative weight from 2 to 262144 (1024 is the default)",
                    )
                })?;
            l.cpu_shares = Some(n);
        }
        if let Some(v) = &self.cpu_weight {
            let n: u64 = v
                .trim()
                .parse()
                .ok()
                .filter(|n| (1..=10_000).contains(n))
                .ok_or_else(|| {
                    bad(
                        "--cpu-weight",
                        v,
                        "give a relative weight from 1 to 10000 (100 is the default)",
                    )
                })?;
            l.cpu_weight = Some(n);
            l.cpu_shares = None;
        }
        if self.cpu_shares.is_some() && self.cpu_weight.is_some() {
            return Err(bad(
                "--cpu-weight",
                self.cpu_weight.as_deref().unwrap_or_default(),
                "give --cpu-shares or --cpu-weight, not both",
            ));
        }
        if self.cpu_shares.is_some() {
            l.cpu_weight = None;
        }
        if let Some(v) = &self.cpuset_cpus {
            if !valid_cpu_list(v) {
                return Err(bad(
                    "--cpuset-cpus",
                    v,
                    "give CPU numbers and ranges such as 0-1,3",
                ));
            }
            l.cpuset_cpus = Some(v.trim().to_string());
        }
        if let Some(v) = &self.pids_limit {
            let n: i64 = v.trim().parse().ok().filter(|n| *n >= -1).ok_or_else(|| {
                bad(
                    "--pids-limit",
                    v,
                    "give a number of processes, or -1 (or 0) for no limit",
                )
            })?;
            l.pids_limit = Some(n);
        }
        if let Some(v) = &self.blkio_weight {
            let n: u16 = v
                .trim()
                .parse()
                .ok()
                .filter(|n| *n == 0 || (10..=1000).contains(n))
                .ok_or_else(|| {
                    bad(
                        "--blkio-weight",
                        v,
                        "give a weight from 10 to 1000 (or 0 for the default)",
                    )
                })?;
            l.blkio_weight = (n > 0).then_some(n);
        }
        if let Some(swap) = l.memory_swap {
            let Some(mem) = l.memory else {
                return Err(LimitsError::SwapWithoutMemory);
            };
            if swap >= 0 && (swap as u64) < mem {
                return Err(LimitsError::SwapBelowMemory {
                    swap: self.memory_swap.clone().unwrap_or_else(|| swap.to_string()),
                    memory: self.memory.clone().unwrap_or_else(|| mem.to_string()),
                });
            }
        }
        if let (Some(r), Some(m)) = (l.memory_reservation, l.memory)
            && r > m
        {
            return Err(LimitsError::ReservationAboveMemory {
                reservation: r.to_string(),
                memory: m.to_string(),
            });
        }
        Ok(l)
    }
}

fn valid_cpu_list(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty()
        && s.split(',').all(|part| {
            let mut it = part.splitn(2, '-');
            let a = it.next().and_then(|a| a.parse::<u32>().ok());
            match (a, it.next()) {
                (Some(_), None) => true,
                (Some(a), Some(b)) => b.parse::<u32>().is_ok_and(|b| b >= a),
                _ => false,
            }
        })
}

/// cgroup v2's `cpu.weight` for Docker's `--cpu-shares` (the conversion
/// runc and crun use: 2..262144 onto 1..10000).
pub fn shares_to_weight(shares: u64) -> u64 {
    1 + ((shares.clamp(2, 262_144) - 2) * 9999) / 262_142
}

/// cgroup v1's `cpu.shares` for `--cpu-weight`: [`shares_to_weight`]
/// backwards.
pub fn weight_to_shares(weight: u64) -> u64 {
    2 + ((weight.clamp(1, 10_000) - 1) * 262_142) / 9999
}

impl Limits {
    /// `--cpus` as a CFS quota over [`CPU_PERIOD`], in microseconds.
    fn cpu_quota(&self) -> Option<u64> {
        self.nano_cpus
            .map(|n| (n * CPU_PERIOD / 1_000_000_000).max(1000))
    }

    /// The files cgroup v1 and v2 name alike: `cpuset.cpus` and
    /// `pids.max`, for the controllers `has` accepts.
    fn shared_files(&self, has: impl Fn(&str) -> bool, f: &mut Vec<(&'static str, String)>) {
        if has("cpuset")
            && let Some(c) = &self.cpuset_cpus
        {
            f.push(("cpuset.cpus", c.clone()));
        }
        if has("pids") {
            let p = self.pids();
            f.push((
                "pids.max",
                if p <= 0 { "max".into() } else { p.to_string() },
            ));
        }
    }

    /// The pids limit in effect: the given one, else Podman's default.
    pub fn pids(&self) -> i64 {
        self.pids_limit.unwrap_or(DEFAULT_PIDS_LIMIT)
    }

    /// The controllers the given limits need, with the flag that asks
    /// for each (the default pids limit needs nothing: it applies where
    /// it can).
    pub fn controllers(&self) -> Vec<(&'static str, &'static str)> {
        let mut v = Vec::new();
        if self.memory.is_some() {
            v.push(("memory", "--memory"));
        }
        if self.memory_swap.is_some() {
            v.push(("memory", "--memory-swap"));
        }
        if self.memory_reservation.is_some() {
            v.push(("memory", "--memory-reservation"));
        }
        if self.nano_cpus.is_some() {
            v.push(("cpu", "--cpus"));
        }
        if self.cpu_shares.is_some() {
            v.push(("cpu", "--cpu-shares"));
        }
        if self.cpu_weight.is_some() {
            v.push(("cpu", "--cpu-weight"));
        }
        if self.cpuset_cpus.is_some() {
            v.push(("cpuset", "--cpuset-cpus"));
        }
        if self.pids_limit.is_some() {
            v.push(("pids", "--pids-limit"));
        }
        if self.blkio_weight.is_some() {
            v.push(("io", "--blkio-weight"));
        }
        v
    }

    /// cgroup v2 interface files and values, for the controllers in
    /// `available` (v1-bound memory is written by
    /// [`Self::v1_files`] instead). Unset limits are written as
    /// the kernel's defaults, so `update` can lift one.
    pub fn v2_files(&self, available: &[String]) -> Vec<(&'static str, String)> {
        let has = |c: &str| available.iter().any(|a| a == c);
        let max = |v: Option<u64>| v.map_or_else(|| "max".to_string(), |n| n.to_string());
        let mut f = Vec::new();
        if has("memory") {
            f.push(("memory.max", max(self.memory)));
            f.push((
                "memory.low",
                self.memory_reservation.unwrap_or(0).to_string(),
            ));
            // Docker's --memory-swap is memory and swap together; v2's
            // swap.max is swap alone.
            let swap = match (self.memory_swap, self.memory) {
                (Some(-1), _) | (None, None) => "max".to_string(),
                (Some(total), Some(m)) => (total as u64).saturating_sub(m).to_string(),
                // As Docker: swap as large as the memory limit.
                (None, Some(m)) => m.to_string(),
                (Some(_), None) => "max".to_string(),
            };
            f.push(("memory.swap.max", swap));
        }
        if has("cpu") {
            f.push((
                "cpu.max",
                match self.cpu_quota() {
                    Some(q) => format!("{q} {CPU_PERIOD}"),
                    None => format!("max {CPU_PERIOD}"),
                },
            ));
            let weight = self
                .cpu_weight
                .unwrap_or_else(|| self.cpu_shares.map_or(100, shares_to_weight));
            f.push(("cpu.weight", weight.to_string()));
        }
        self.shared_files(has, &mut f);
        if has("io") {
            f.push((
                "io.weight",
                format!("default {}", self.blkio_weight.unwrap_or(100)),
            ));
        }
        f
    }

    /// The same for a cgroup v1 hierarchy carrying `controllers` (v2
    /// names: memory, cpu, cpuset, pids); `memsw` says whether memory
    /// accounts swap (`memory.memsw.*` exists), and `blkio_weight` names
    /// the weight file of a blkio hierarchy whose I/O scheduler has one
    /// (`blkio.weight` or `blkio.bfq.weight`).
    pub fn v1_files(
        &self,
        controllers: &[&str],
        memsw: bool,
        blkio_weight: Option<&'static str>,
    ) -> Vec<(&'static str, String)> {
        let has = |c: &str| controllers.contains(&c);
        let unlimited = "-1".to_string();
        let mut f = Vec::new();
        if has("memory") {
            f.push((
                "memory.limit_in_bytes",
                self.memory.map_or(unlimited.clone(), |m| m.to_string()),
            ));
            f.push((
                "memory.soft_limit_in_bytes",
                self.memory_reservation
                    .map_or(unlimited.clone(), |m| m.to_string()),
            ));
            if memsw {
                let total = match (self.memory_swap, self.memory) {
                    (Some(-1), _) | (None, None) | (Some(_), None) => unlimited.clone(),
                    (Some(t), Some(_)) => t.to_string(),
                    (None, Some(m)) => (2 * m).to_string(),
                };
                f.push(("memory.memsw.limit_in_bytes", total));
            }
        }
        if has("cpu") {
            f.push(("cpu.cfs_period_us", CPU_PERIOD.to_string()));
            f.push((
                "cpu.cfs_quota_us",
                self.cpu_quota()
                    .map_or(unlimited.clone(), |q| q.to_string()),
            ));
            let shares = self
                .cpu_shares
                .unwrap_or_else(|| self.cpu_weight.map_or(1024, weight_to_shares));
            f.push(("cpu.shares", shares.to_string()));
        }
        self.shared_files(has, &mut f);
        if let Some(file) = blkio_weight {
            f.push((file, self.blkio_weight.unwrap_or(100).to_string()));
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(f: impl FnOnce(&mut LimitFlags)) -> LimitFlags {
        let mut l = LimitFlags::default();
        f(&mut l);
        l
    }

    #[test]
    fn podman_values_parse() {
        let l = flags(|f| {
            f.memory = Some("32m".into());
            f.memory_swap = Some("64m".into());
            f.memory_reservation = Some("16m".into());
            f.cpus = Some("0.5".into());
            f.cpu_shares = Some("512".into());
            f.cpuset_cpus = Some("0".into());
            f.pids_limit = Some("50".into());
            f.blkio_weight = Some("300".into());
        })
        .parse(&Limits::default())
        .unwrap();
        assert_eq!(l.memory, Some(32 << 20));
        assert_eq!(l.memory_swap, Some(64 << 20));
        assert_eq!(l.nano_cpus, Some(500_000_000));
        let files = l.v2_files(&["memory", "cpu", "cpuset", "pids", "io"].map(String::from));
        let get = |k: &str| files.iter().find(|(f, _)| *f == k).unwrap().1.clone();
        assert_eq!(get("memory.max"), "33554432");
        assert_eq!(get("memory.swap.max"), "33554432");
        assert_eq!(get("memory.low"), "16777216");
        assert_eq!(get("cpu.max"), "50000 100000");
        assert_eq!(get("cpu.weight"), shares_to_weight(512).to_string());
        assert_eq!(get("pids.max"), "50");
        assert_eq!(get("io.weight"), "default 300");
        let v1 = l.v1_files(
            &["memory", "cpu", "cpuset", "pids"],
            true,
            Some("blkio.weight"),
        );
        let get1 = |k: &str| v1.iter().find(|(f, _)| *f == k).unwrap().1.clone();
        assert_eq!(get1("memory.limit_in_bytes"), "33554432");
        assert_eq!(get1("memory.memsw.limit_in_bytes"), "67108864");
        assert_eq!(get1("cpu.cfs_quota_us"), "50000");
        assert_eq!(get1("cpu.cfs_period_us"), "100000");
        assert_eq!(get1("cpu.shares"), "512");
        assert_eq!(get1("cpuset.cpus"), "0");
        assert_eq!(get1("pids.max"), "50");
        assert_eq!(get1("blkio.weight"), "300");
        // Only the hierarchy's own controllers' files.
        assert!(
            l.v1_files(&["pids"], false, None)
                .iter()
                .all(|(f, _)| *f == "pids.max")
        );
        let lifted = Limits::default().v1_files(&["cpu", "memory"], false, None);
        assert!(lifted.contains(&("cpu.cfs_quota_us", "-1".into())));
        assert!(lifted.contains(&("cpu.shares", "1024".into())));
        assert!(lifted.contains(&("memory.limit_in_bytes", "-1".into())));
        assert_eq!(weight_to_shares(shares_to_weight(1024)), 998);
        assert_eq!(weight_to_shares(1), 2);
        assert_eq!(weight_to_shares(10_000), 262_144);
        assert_eq!(shares_to_weight(1024), 39);
        let w = flags(|f| f.cpu_weight = Some("250".into()))
            .parse(&l)
            .unwrap();
        assert_eq!(w.cpu_shares, None);
        assert!(
            w.v2_files(&["cpu".into()])
                .contains(&("cpu.weight", "250".into()))
        );
        assert_eq!(shares_to_weight(2), 1);
        assert_eq!(shares_to_weight(262_144), 10000);
    }

    #[test]
    fn defaults_and_lifting() {
        let l = Limits::default();
        assert_eq!(l.pids(), 2048);
        assert!(l.controllers().is_empty());
        let files = l.v2_files(&["memory".into(), "pids".into()]);
        assert!(files.contains(&("memory.max", "max".into())));
        assert!(files.contains(&("pids.max", "2048".into())));
        let unlimited = flags(|f| f.pids_limit = Some("-1".into()))
            .parse(&l)
            .unwrap();
        assert!(
            unlimited
                .v2_files(&["pids".into()])
                .contains(&("pids.max", "max".into()))
        );
        // update keeps what it does not change.
        let base = flags(|f| f.memory = Some("64m".into())).parse(&l).unwrap();
        let up = flags(|f| f.cpus = Some("1".into())).parse(&base).unwrap();
        assert_eq!(up.memory, Some(64 << 20));
    }

    #[test]
    fn bad_values_name_the_flag() {
        let e = |f: LimitFlags| f.parse(&Limits::default()).unwrap_err().to_string();
        assert!(e(flags(|f| f.memory = Some("1k".into()))).contains("minimum is 6m"));
        assert!(
            e(flags(|f| f.memory = Some("lots".into()))).starts_with("invalid --memory \"lots\"")
        );
        assert!(e(flags(|f| f.memory_swap = Some("1g".into()))).contains("needs --memory"));
        assert!(
            e(flags(|f| {
                f.memory = Some("64m".into());
                f.memory_swap = Some("32m".into());
            }))
            .contains("less than --memory")
        );
        assert!(e(flags(|f| f.cpus = Some("100000".into()))).contains("more CPUs"));
        assert!(e(flags(|f| f.cpu_shares = Some("1".into()))).contains("2 to 262144"));
        assert!(e(flags(|f| f.cpu_weight = Some("0".into()))).contains("1 to 10000"));
        assert!(
            e(flags(|f| {
                f.cpu_weight = Some("50".into());
                f.cpu_shares = Some("512".into());
            }))
            .contains("not both")
        );
        assert!(e(flags(|f| f.cpuset_cpus = Some("1-0".into()))).contains("--cpuset-cpus"));
        assert!(e(flags(|f| f.pids_limit = Some("-2".into()))).contains("--pids-limit"));
        assert!(e(flags(|f| f.blkio_weight = Some("5".into()))).contains("10 to 1000"));
    }
}
