//! `--change` instructions of `commit` and `import`: Dockerfile instructions
//! that only edit the image config (`CMD`, `ENTRYPOINT`, `ENV`, `EXPOSE`,
//! `LABEL`, `USER`, `WORKDIR`, `VOLUME`, `STOPSIGNAL`), applied to the
//! `config` object of an image config as JSON.
//!
//! Contract: an instruction is `NAME value` or `NAME=value` (as Podman
//! accepts both); anything else, including `ONBUILD`, is refused with an
//! error naming it, and nothing is applied when any one is bad.

use serde_json::{Map, Value, json};

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error(
        "--change {0:?}: unknown instruction: use one of CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR"
    )]
    Unknown(String),
    #[error("--change {0:?}: ONBUILD is not supported by rsp")]
    Onbuild(String),
    #[error("--change {input:?}: {reason}")]
    Bad { input: String, reason: &'static str },
}

/// Applies every instruction of `changes` to `config` (the `config` object
/// of an image config).
pub fn apply(config: &mut Map<String, Value>, changes: &[String]) -> Result<(), ChangeError> {
    let mut out = config.clone();
    for c in changes {
        apply_one(&mut out, c)?;
    }
    *config = out;
    Ok(())
}

fn apply_one(config: &mut Map<String, Value>, input: &str) -> Result<(), ChangeError> {
    let bad = |reason| ChangeError::Bad {
        input: input.to_string(),
        reason,
    };
    let trimmed = input.trim_start();
    let split = trimmed
        .find(|c: char| c.is_whitespace() || c == '=')
        .unwrap_or(trimmed.len());
    let (name, rest) = trimmed.split_at(split);
    let value = rest
        .strip_prefix('=')
        .unwrap_or(rest)
        .trim_matches(|c: char| c.is_whitespace());
    match name.to_ascii_uppercase().as_str() {
        "CMD" => {
            config.insert("Cmd".into(), json!(command(value)));
        }
        "ENTRYPOINT" => {
            config.insert("Entrypoint".into(), json!(command(value)));
        }
        "ENV" => {
            let pairs =
                key_values(value).ok_or_else(|| bad("expected NAME=VALUE or NAME VALUE"))?;
            let env = config
                .entry("Env")
                .or_insert_with(|| json!([]))
                .as_array_mut()
                .ok_or_else(|| bad("the image's Env is not a list"))?;
            for (k, v) in pairs {
                let prefix = format!("{k}=");
                env.retain(|e| !e.as_str().is_some_and(|e| e.starts_with(&prefix)));
                env.push(json!(format!("{k}={v}")));
            }
        }
        "LABEL" => {
            let pairs = key_values(value).ok_or_else(|| bad("expected NAME=VALUE"))?;
            let labels = object(config, "Labels")
                .ok_or_else(|| bad("the image's Labels is not an object"))?;
            for (k, v) in pairs {
                labels.insert(k, json!(v));
            }
        }
        "EXPOSE" => {
            let ports: Vec<String> = value.split_whitespace().map(str::to_string).collect();
            if ports.is_empty() {
                return Err(bad("expected a port, e.g. EXPOSE 80/tcp"));
            }
            let exposed = object(config, "ExposedPorts")
                .ok_or_else(|| bad("the image's ExposedPorts is not an object"))?;
            for p in ports {
                let (num, proto) = p.split_once('/').unwrap_or((&p, "tcp"));
                if num.parse::<u16>().is_err() || !matches!(proto, "tcp" | "udp" | "sctp") {
                    return Err(bad("a port is NUMBER or NUMBER/tcp|udp|sctp"));
                }
                exposed.insert(format!("{num}/{proto}"), json!({}));
            }
        }
        "VOLUME" => {
            let vols: Vec<String> = if value.starts_with('[') {
                serde_json::from_str(value).map_err(|_| bad("expected a JSON list of paths"))?
            } else {
                value.split_whitespace().map(str::to_string).collect()
            };
            if vols.is_empty() || vols.iter().any(|v| !v.starts_with('/')) {
                return Err(bad("a volume is an absolute path"));
            }
            let volumes = object(config, "Volumes")
                .ok_or_else(|| bad("the image's Volumes is not an object"))?;
            for v in vols {
                volumes.insert(v, json!({}));
            }
        }
        "USER" => {
            if value.is_empty() {
                return Err(bad("expected a user"));
            }
            config.insert("User".into(), json!(value));
        }
        "WORKDIR" => {
            if value.is_empty() {
                return Err(bad("expected a directory"));
            }
            let dir = if value.starts_with('/') {
                value.to_string()
            } else {
                let base = config
                    .get("WorkingDir")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .unwrap_or("/");
                format!("{}/{value}", base.trim_end_matches('/'))
            };
            config.insert("WorkingDir".into(), json!(dir));
        }
        "STOPSIGNAL" => {
            if value.is_empty() || value.contains(char::is_whitespace) {
                return Err(bad("expected one signal, e.g. STOPSIGNAL SIGINT"));
            }
            config.insert("StopSignal".into(), json!(value));
        }
        "ONBUILD" => return Err(ChangeError::Onbuild(input.to_string())),
        _ => return Err(ChangeError::Unknown(input.to_string())),
    }
    Ok(())
}

fn object<'a>(config: &'a mut Map<String, Value>, key: &str) -> Option<&'a mut Map<String, Value>> {
    let v = config.entry(key).or_insert_with(|| json!({}));
    if v.is_null() {
        *v = json!({});
    }
    v.as_object_mut()
}

/// The JSON (exec) form as is; the shell form run by `/bin/sh -c`.
fn command(value: &str) -> Vec<String> {
    if value.starts_with('[')
        && let Ok(v) = serde_json::from_str::<Vec<String>>(value)
    {
        return v;
    }
    vec!["/bin/sh".into(), "-c".into(), value.into()]
}

/// `K=V K2="V 2"` pairs, or the legacy `K V...` form of one pair.
fn key_values(value: &str) -> Option<Vec<(String, String)>> {
    let first = value.split_whitespace().next()?;
    if !first.contains('=') {
        let (k, v) = value.split_once(char::is_whitespace)?;
        return Some(vec![(k.to_string(), v.trim().to_string())]);
    }
    let mut out = Vec::new();
    let mut chars = value.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Some(out);
        }
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && !c.is_whitespace()) {
            key.push(c);
        }
        chars.next_if_eq(&'=')?;
        if key.is_empty() {
            return None;
        }
        let mut val = String::new();
        let mut quote = None;
        while let Some(&c) = chars.peek() {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, c) if c.is_whitespace() => break,
                (_, '\\') => {
                    chars.next();
                    if let Some(n) = chars.next() {
                        val.push(n);
                    }
                    continue;
                }
                (_, c) => val.push(c),
            }
            chars.next();
        }
        if quote.is_some() {
            return None;
        }
        out.push((key, val));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(changes: &[&str]) -> Result<Map<String, Value>, ChangeError> {
        let mut c = json!({"Env": ["PATH=/bin", "A=1"], "WorkingDir": "/srv"})
            .as_object()
            .unwrap()
            .clone();
        let changes: Vec<String> = changes.iter().map(|s| s.to_string()).collect();
        apply(&mut c, &changes).map(|_| c)
    }

    #[test]
    fn issue6_instructions() {
        let c = run(&[
            "CMD [\"/bin/echo\", \"hi\"]",
            "ENTRYPOINT echo $X",
            "ENV A=2 B=\"two words\"",
            "ENV C 3 4",
            "LABEL x=y",
            "EXPOSE 80 53/udp",
            "WORKDIR sub",
            "USER 1000:1000",
            "VOLUME /data",
            "STOPSIGNAL=SIGINT",
        ])
        .unwrap();
        assert_eq!(c["Cmd"], json!(["/bin/echo", "hi"]));
        assert_eq!(c["Entrypoint"], json!(["/bin/sh", "-c", "echo $X"]));
        assert_eq!(
            c["Env"],
            json!(["PATH=/bin", "A=2", "B=two words", "C=3 4"])
        );
        assert_eq!(c["Labels"], json!({"x": "y"}));
        assert_eq!(c["ExposedPorts"], json!({"80/tcp": {}, "53/udp": {}}));
        assert_eq!(c["WorkingDir"], json!("/srv/sub"));
        assert_eq!(c["User"], json!("1000:1000"));
        assert_eq!(c["Volumes"], json!({"/data": {}}));
        assert_eq!(c["StopSignal"], json!("SIGINT"));
    }

    #[test]
    fn issue6_bad_instructions() {
        assert!(matches!(
            run(&["ONBUILD RUN x"]),
            Err(ChangeError::Onbuild(_))
        ));
        assert!(matches!(run(&["RUN x"]), Err(ChangeError::Unknown(_))));
        assert!(run(&["EXPOSE http"]).is_err());
        assert!(run(&["ENV"]).is_err());
        assert!(run(&["VOLUME data"]).is_err());
    }
}
