//! `--ulimit TYPE=SOFT[:HARD]`: resource limits (setrlimit) for a
//! container's processes, as Docker's and Podman's flag takes them.
//!
//! Contract: [`parse`] accepts Docker's names (`nofile`, `nproc`, `core`,
//! ... from go-units) and values (a number, `-1` for unlimited, the soft
//! limit alone meaning both) with go-units' error texts; [`apply`] sets
//! them in the calling process, which its children then inherit, and is
//! called in the container's first process and in every `exec`'d one
//! before their command runs. Limits need no cgroup; like every process
//! of the user, a container cannot raise a hard limit above the user's
//! own (that takes CAP_SYS_RESOURCE outside the user namespace), which
//! [`apply`] reports naming the limit and the ceiling.

use nix::sys::resource::{Resource, getrlimit, setrlimit};
use serde::{Deserialize, Serialize};

/// One limit, as `inspect` shows it (`RLIMIT_NOFILE`, soft, hard; `-1`
/// is unlimited).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ulimit {
    pub name: String,
    pub soft: i64,
    pub hard: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum UlimitError {
    #[error("invalid ulimit argument: {0}")]
    Argument(String),
    #[error("invalid ulimit type: {0}")]
    Type(String),
    #[error("ulimit soft limit must be less than or equal to hard limit: {soft} > {hard}")]
    SoftAboveHard { soft: i64, hard: i64 },
    #[error(
        "--ulimit {name}: the hard limit {wanted} is above your own ({ceiling}), which a \
         container cannot raise without root; give at most {ceiling}"
    )]
    AboveCeiling {
        name: String,
        wanted: String,
        ceiling: String,
    },
    #[error("--ulimit {name}: setrlimit: {source}")]
    Set { name: String, source: nix::Error },
}

/// Docker's names (go-units `ulimitNameMapping`) and their resources.
const NAMES: &[(&str, Resource)] = &[
    ("core", Resource::RLIMIT_CORE),
    ("cpu", Resource::RLIMIT_CPU),
    ("data", Resource::RLIMIT_DATA),
    ("fsize", Resource::RLIMIT_FSIZE),
    ("locks", Resource::RLIMIT_LOCKS),
    ("memlock", Resource::RLIMIT_MEMLOCK),
    ("msgqueue", Resource::RLIMIT_MSGQUEUE),
    ("nice", Resource::RLIMIT_NICE),
    ("nofile", Resource::RLIMIT_NOFILE),
    ("nproc", Resource::RLIMIT_NPROC),
    ("rss", Resource::RLIMIT_RSS),
    ("rtprio", Resource::RLIMIT_RTPRIO),
    ("rttime", Resource::RLIMIT_RTTIME),
    ("sigpending", Resource::RLIMIT_SIGPENDING),
    ("stack", Resource::RLIMIT_STACK),
    ("as", Resource::RLIMIT_AS),
];

fn resource(name: &str) -> Option<(&'static str, Resource)> {
    let short = name
        .strip_prefix("RLIMIT_")
        .map_or(name.to_string(), str::to_ascii_lowercase);
    NAMES
        .iter()
        .find(|(n, _)| *n == short)
        .map(|(n, r)| (*n, *r))
}

/// Parses `TYPE=SOFT[:HARD]`.
pub fn parse(spec: &str) -> Result<Ulimit, UlimitError> {
    let (name, values) = spec
        .split_once('=')
        .ok_or_else(|| UlimitError::Argument(spec.to_string()))?;
    let (short, _) = resource(name).ok_or_else(|| UlimitError::Type(name.to_string()))?;
    let (soft, hard) = match values.split_once(':') {
        Some((s, h)) => (s, h),
        None => (values, values),
    };
    let number = |v: &str| {
        v.parse::<i64>()
            .ok()
            .filter(|n| *n >= -1)
            .ok_or_else(|| UlimitError::Argument(spec.to_string()))
    };
    let (soft, hard) = (number(soft)?, number(hard)?);
    // -1 is unlimited: above every number.
    let above = |a: i64, b: i64| b != -1 && (a == -1 || a > b);
    if above(soft, hard) {
        return Err(UlimitError::SoftAboveHard { soft, hard });
    }
    Ok(Ulimit {
        name: format!("RLIMIT_{}", short.to_ascii_uppercase()),
        soft,
        hard,
    })
}

/// Parses each `--ulimit`; a type given twice keeps the last, as Docker.
pub fn parse_all(specs: &[String]) -> Result<Vec<Ulimit>, UlimitError> {
    let mut out: Vec<Ulimit> = Vec::new();
    for s in specs {
        let u = parse(s)?;
        out.retain(|o| o.name != u.name);
        out.push(u);
    }
    Ok(out)
}

fn shown(v: u64) -> String {
    if v == nix::libc::RLIM_INFINITY {
        "unlimited".into()
    } else {
        v.to_string()
    }
}

/// Sets `limits` on the calling process.
pub fn apply(limits: &[Ulimit]) -> Result<(), UlimitError> {
    let raw = |v: i64| u64::try_from(v).unwrap_or(nix::libc::RLIM_INFINITY);
    for u in limits {
        let Some((short, r)) = resource(&u.name) else {
            return Err(UlimitError::Type(u.name.clone()));
        };
        let (soft, hard) = (raw(u.soft), raw(u.hard));
        if let Ok((_, ceiling)) = getrlimit(r)
            && ceiling != nix::libc::RLIM_INFINITY
            && hard > ceiling
        {
            return Err(UlimitError::AboveCeiling {
                name: short.to_string(),
                wanted: shown(hard),
                ceiling: shown(ceiling),
            });
        }
        setrlimit(r, soft, hard).map_err(|source| UlimitError::Set {
            name: short.to_string(),
            source,
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue18_ulimit_parses_as_docker() {
        assert_eq!(
            parse("nofile=64").unwrap(),
            Ulimit {
                name: "RLIMIT_NOFILE".into(),
                soft: 64,
                hard: 64
            }
        );
        let u = parse("nproc=10:-1").unwrap();
        assert_eq!((u.name.as_str(), u.soft, u.hard), ("RLIMIT_NPROC", 10, -1));
        assert_eq!(parse("RLIMIT_CORE=0").unwrap().name, "RLIMIT_CORE");
        assert_eq!(
            parse("bogus=1").unwrap_err().to_string(),
            "invalid ulimit type: bogus"
        );
        assert_eq!(
            parse("nofile").unwrap_err().to_string(),
            "invalid ulimit argument: nofile"
        );
        assert_eq!(
            parse("nofile=x").unwrap_err().to_string(),
            "invalid ulimit argument: nofile=x"
        );
        assert_eq!(
            parse("nofile=100:10").unwrap_err().to_string(),
            "ulimit soft limit must be less than or equal to hard limit: 100 > 10"
        );
        assert!(parse("nofile=-1:10").is_err());
        let all = parse_all(&["nofile=1".into(), "nofile=2".into()]).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].soft, 2);
    }
}
