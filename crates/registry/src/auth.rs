//! Registry credentials: Podman's `auth.json`, and checking a login against the registry.
//!
//! Contract: credentials are written only to the one file Podman would write
//! (`--authfile` > `$REGISTRY_AUTH_FILE` > `$XDG_RUNTIME_DIR/containers/auth.json` >
//! `/run/user/UID/containers/auth.json`), atomically, mode 0600, keeping every other entry and
//! field of the file. Reading also falls back to `~/.config/containers/auth.json` and Docker's
//! `config.json`. A password never appears in an error, a `Debug` string or a log line:
//! [`Credentials`] hides it, and errors name the file and the registry only.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Map, Value};

use super::credhelper::{self, Helper};

/// Docker's historical key for Docker Hub in `config.json`.
const DOCKER_HUB_LEGACY_KEY: &str = "https://index.docker.io/v1/";

/// A user name and password. `Debug` leaves the password out.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("reading credentials file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("credentials file {path} is not valid JSON ({source}): fix or remove it")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("credentials file {path} has no JSON object at the top: fix or remove it")]
    NotObject { path: PathBuf },
    #[error("writing credentials file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "no place for credentials: neither XDG_RUNTIME_DIR nor HOME is set: use --authfile or \
         REGISTRY_AUTH_FILE"
    )]
    NoAuthFile,
    #[error("logging into {registry:?}: invalid username/password")]
    InvalidCredentials { registry: String },
    #[error("logging into {registry:?}: cannot reach the registry ({reason}): is it running?")]
    Unreachable { registry: String, reason: String },
    #[error(
        "logging into {registry:?}: TLS connection failed ({reason}): if it serves plain HTTP, \
         use --tls-verify=false or mark it insecure in registries.conf"
    )]
    Tls { registry: String, reason: String },
    #[error("logging into {registry:?}: the registry answered {status} ({detail})")]
    Unexpected {
        registry: String,
        status: u16,
        detail: String,
    },
    #[error("not logged into {registry}")]
    NotLoggedIn { registry: String },
    #[error(
        "credential helper {} could not {} the credentials for {} ({}): fix the helper, or remove it from {}",
        .0.program, .0.action, .0.registry, .0.reason, .0.file.display()
    )]
    Helper(Box<HelperFailure>),
    #[error(
        "credential helper {program}, named in {file}, is not on $PATH: install it, or remove it from that file"
    )]
    HelperMissing { program: String, file: PathBuf },
    #[error("running credential helper {program} (named in {file}): {source}")]
    HelperRun {
        program: String,
        file: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{file} names credential helper {name:?}: a helper is a docker-credential-NAME program on $PATH, so use letters, digits, '.', '_' and '-'"
    )]
    HelperName { name: String, file: PathBuf },
}

/// What a credential helper said when it failed (boxed: errors stay small).
#[derive(Debug)]
pub struct HelperFailure {
    pub program: String,
    pub action: &'static str,
    pub registry: String,
    pub file: PathBuf,
    pub reason: String,
}

/// The file `login` writes and `logout` edits.
pub fn write_path(authfile: Option<&Path>) -> Result<PathBuf, AuthError> {
    if let Some(p) = authfile {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = env_path("REGISTRY_AUTH_FILE") {
        return Ok(p);
    }
    if let Some(dir) = env_path("XDG_RUNTIME_DIR") {
        return Ok(dir.join("containers/auth.json"));
    }
    // Podman's fallback without XDG_RUNTIME_DIR.
    let uid = nix::unistd::getuid().as_raw();
    let run = PathBuf::from(format!("/run/user/{uid}"));
    if run.is_dir() {
        return Ok(run.join("containers/auth.json"));
    }
    match env_path("HOME") {
        Some(home) => Ok(home.join(".config/containers/auth.json")),
        None => Err(AuthError::NoAuthFile),
    }
}

/// Every file credentials are read from, in order of precedence.
pub fn read_paths(authfile: Option<&Path>) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    if let Ok(p) = write_path(authfile) {
        paths.push(p);
    }
    // An explicit file is the only one consulted, as in Podman.
    if authfile.is_some() || env_path("REGISTRY_AUTH_FILE").is_some() {
        return paths;
    }
    let home = env_path("HOME");
    if let Some(home) = &home {
        paths.push(home.join(".config/containers/auth.json"));
    }
    match env_path("DOCKER_CONFIG") {
        Some(dir) => paths.push(dir.join("config.json")),
        None => {
            if let Some(home) = &home {
                paths.push(home.join(".docker/config.json"));
            }
        }
    }
    paths.dedup();
    paths
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The keys an entry for `registry` may have: Podman's bare host, a URL form, and Docker's
/// legacy key for Docker Hub.
fn keys_for(registry: &str) -> Vec<String> {
    let mut keys = vec![
        registry.to_string(),
        format!("https://{registry}"),
        format!("http://{registry}"),
    ];
    if registry == "docker.io" {
        keys.push(DOCKER_HUB_LEGACY_KEY.to_string());
        keys.push("index.docker.io".to_string());
        keys.push("registry-1.docker.io".to_string());
    }
    keys
}

/// Decodes an `auth` field (`base64(user:password)`); `None` if it is malformed.
pub fn decode_auth(field: &str) -> Option<Credentials> {
    let bytes = BASE64.decode(field.trim()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (user, pass) = text.split_once(':')?;
    if user.is_empty() {
        return None;
    }
    Some(Credentials {
        username: user.to_string(),
        password: pass.to_string(),
    })
}

pub fn encode_auth(creds: &Credentials) -> String {
    BASE64.encode(format!("{}:{}", creds.username, creds.password))
}

/// Credentials for `registry` in one parsed file, if any.
/// The first auth file after the one rsp writes that holds credentials
/// for `registry`: where a login that `logout` cannot remove comes from.
pub fn other_file_with(authfile: Option<&Path>, registry: &str) -> Option<PathBuf> {
    read_paths(authfile).into_iter().skip(1).find(|p| {
        std::fs::read(p)
            .ok()
            .and_then(|d| serde_json::from_slice::<Value>(&d).ok())
            .is_some_and(|doc| find_in(&doc, registry).is_some())
    })
}

pub fn find_in(doc: &Value, registry: &str) -> Option<Credentials> {
    let auths = doc.get("auths")?.as_object()?;
    keys_for(registry).iter().find_map(|k| {
        let entry = auths.get(k)?;
        if let Some(a) = entry.get("auth").and_then(Value::as_str) {
            return decode_auth(a);
        }
        // Docker's older form with separate fields.
        let user = entry.get("username")?.as_str()?;
        let pass = entry.get("password")?.as_str()?;
        Some(Credentials {
            username: user.to_string(),
            password: pass.to_string(),
        })
    })
}

/// The credential helper a file delegates `registry` to: its `credHelpers`
/// entry (`explicit`), else its `credsStore` for every registry.
fn helper_for(
    doc: &Value,
    registry: &str,
    path: &Path,
) -> Result<Option<(Helper, bool)>, AuthError> {
    let per_registry = doc
        .get("credHelpers")
        .and_then(Value::as_object)
        .and_then(|h| keys_for(registry).iter().find_map(|k| h.get(k)?.as_str()));
    let (name, explicit) = match per_registry {
        Some(n) => (n, true),
        None => match doc.get("credsStore").and_then(Value::as_str) {
            Some(n) if !n.is_empty() => (n, false),
            _ => return Ok(None),
        },
    };
    if !credhelper::valid_name(name) {
        return Err(AuthError::HelperName {
            name: name.to_string(),
            file: path.to_path_buf(),
        });
    }
    Ok(Some((
        Helper {
            name: name.to_string(),
            file: path.to_path_buf(),
        },
        explicit,
    )))
}

/// The server name a helper keeps `registry` under: Docker's URL for Docker Hub.
fn helper_key(registry: &str) -> &str {
    if registry == "docker.io" {
        DOCKER_HUB_LEGACY_KEY
    } else {
        registry
    }
}

fn load(path: &Path) -> Result<Option<Value>, AuthError> {
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(AuthError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    if data.iter().all(u8::is_ascii_whitespace) {
        return Ok(Some(Value::Object(Map::new())));
    }
    let doc: Value = serde_json::from_slice(&data).map_err(|source| AuthError::Parse {
        path: path.to_path_buf(),
        source,
    })?;
    if !doc.is_object() {
        return Err(AuthError::NotObject {
            path: path.to_path_buf(),
        });
    }
    Ok(Some(doc))
}

/// The stored credentials for `registry`, from the first file that has them. A file that
/// cannot be read is reported (not skipped), so a broken file is not mistaken for "not logged
/// in".
pub fn lookup(registry: &str, authfile: Option<&Path>) -> Result<Option<Credentials>, AuthError> {
    for path in read_paths(authfile) {
        let Some(doc) = load(&path)? else { continue };
        let helper = helper_for(&doc, registry, &path)?;
        // As Docker: a registry's own helper comes before the file's entries.
        if let Some((h, true)) = &helper
            && let Some(c) = credhelper::get(h, helper_key(registry))?
        {
            return Ok(Some(c));
        }
        if let Some(c) = find_in(&doc, registry) {
            return Ok(Some(c));
        }
        if let Some((h, false)) = &helper {
            match credhelper::get(h, helper_key(registry)) {
                Ok(Some(c)) => return Ok(Some(c)),
                Ok(None) => {}
                // Podman does not use credsStore at all; a Docker setup whose
                // store is not installed here must not break every pull.
                Err(e @ AuthError::HelperMissing { .. }) => {
                    log::debug!("{e}; going on without it");
                }
                Err(e) => return Err(e),
            }
        }
    }
    Ok(None)
}

/// Stores `creds` for `registry` in the write file, keeping everything else in it.
pub fn store(
    registry: &str,
    creds: &Credentials,
    authfile: Option<&Path>,
) -> Result<PathBuf, AuthError> {
    let path = write_path(authfile)?;
    let mut doc = load(&path)?.unwrap_or_else(|| Value::Object(Map::new()));
    if let Some((h, _)) = helper_for(&doc, registry, &path)? {
        credhelper::store(&h, helper_key(registry), creds)?;
        return Ok(path);
    }
    set_entry(&mut doc, registry, Some(creds));
    save(&path, &doc)?;
    Ok(path)
}

/// Removes `registry`'s entry; `NotLoggedIn` if the write file has none.
pub fn remove(registry: &str, authfile: Option<&Path>) -> Result<(), AuthError> {
    let path = write_path(authfile)?;
    let mut doc = load(&path)?.ok_or_else(|| AuthError::NotLoggedIn {
        registry: registry.to_string(),
    })?;
    if let Some((h, _)) = helper_for(&doc, registry, &path)? {
        let erased = credhelper::erase(&h, helper_key(registry));
        // An entry in the file too (written before the helper was set up) goes as well.
        if set_entry(&mut doc, registry, None) {
            save(&path, &doc)?;
            return match erased {
                Ok(()) | Err(AuthError::NotLoggedIn { .. }) => Ok(()),
                Err(e) => Err(e),
            };
        }
        return erased;
    }
    if !set_entry(&mut doc, registry, None) {
        return Err(AuthError::NotLoggedIn {
            registry: registry.to_string(),
        });
    }
    save(&path, &doc)
}

/// Removes every entry from the write file (`logout --all`).
pub fn remove_all(authfile: Option<&Path>) -> Result<(), AuthError> {
    let path = write_path(authfile)?;
    let Some(mut doc) = load(&path)? else {
        return Ok(());
    };
    // Registries the file hands to their own helpers are forgotten there too.
    let helped: Vec<String> = doc
        .get("credHelpers")
        .and_then(Value::as_object)
        .map(|h| h.keys().cloned().collect())
        .unwrap_or_default();
    for registry in helped {
        if let Some((h, true)) = helper_for(&doc, &registry, &path)? {
            match credhelper::erase(&h, &registry) {
                // A helper that is not installed holds nothing to forget.
                Ok(())
                | Err(AuthError::NotLoggedIn { .. })
                | Err(AuthError::HelperMissing { .. }) => {}
                Err(e) => return Err(e),
            }
        }
    }
    if let Some(obj) = doc.as_object_mut() {
        obj.insert("auths".to_string(), Value::Object(Map::new()));
    }
    save(&path, &doc)
}

/// Sets (`Some`) or deletes (`None`) the entry; returns whether anything was there before.
pub fn set_entry(doc: &mut Value, registry: &str, creds: Option<&Credentials>) -> bool {
    let Some(obj) = doc.as_object_mut() else {
        return false;
    };
    let auths = obj
        .entry("auths")
        .or_insert_with(|| Value::Object(Map::new()));
    if !auths.is_object() {
        *auths = Value::Object(Map::new());
    }
    let Some(auths) = auths.as_object_mut() else {
        return false;
    };
    let mut existed = false;
    for k in keys_for(registry) {
        existed |= auths.remove(&k).is_some();
    }
    if let Some(c) = creds {
        let mut entry = Map::new();
        entry.insert("auth".to_string(), Value::String(encode_auth(c)));
        auths.insert(registry.to_string(), Value::Object(entry));
    }
    existed
}

fn save(path: &Path, doc: &Value) -> Result<(), AuthError> {
    use std::io::Write;
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    let err = |source| AuthError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(err)?;
    let mut data = serde_json::to_vec_pretty(doc).map_err(|e| err(std::io::Error::other(e)))?;
    data.push(b'\n');
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "auth.json".to_string());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        // Created 0600 so the secret is never readable by others, not even briefly.
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(&data)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        err(e)
    })
}

/// The outcome of probing `/v2/` with a set of credentials.
#[derive(Debug, PartialEq, Eq)]
pub enum LoginCheck {
    Ok,
    Rejected,
}

/// Checks `creds` against the registry: `/v2/` anonymously, then with basic auth, or through
/// the bearer token realm the registry names.
pub async fn verify(
    registry: &str,
    creds: &Credentials,
    plain_http: bool,
) -> Result<(), AuthError> {
    let scheme = if plain_http { "http" } else { "https" };
    let host = if registry == "docker.io" {
        "registry-1.docker.io"
    } else {
        registry
    };
    let url = format!("{scheme}://{host}/v2/");
    let mut builder = reqwest::Client::builder()
        .user_agent(super::USER_AGENT)
        .connect_timeout(super::CONNECT_TIMEOUT)
        .timeout(super::READ_TIMEOUT);
    if super::is_loopback(registry) {
        // A proxy must never see (or be asked to reach) a registry on this machine.
        builder = builder.no_proxy();
    }
    let client = builder.build().map_err(|e| AuthError::Unreachable {
        registry: registry.to_string(),
        reason: e.to_string(),
    })?;
    let unreachable = |e: reqwest::Error| {
        let reason = super::root_cause(&e);
        let registry = registry.to_string();
        match super::classify_transport(&e) {
            super::Transport::Tls => AuthError::Tls { registry, reason },
            _ => AuthError::Unreachable { registry, reason },
        }
    };
    let first = client.get(&url).send().await.map_err(unreachable)?;
    if first.status().is_success() {
        // No authentication required: Podman saves the credentials anyway.
        return Ok(());
    }
    let challenge = first
        .headers()
        .get(reqwest::header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let status = first.status().as_u16();
    if status != 401 {
        return Err(AuthError::Unexpected {
            registry: registry.to_string(),
            status,
            detail: "expected 200 or 401 from /v2/".to_string(),
        });
    }
    let lower = challenge.to_ascii_lowercase();
    let resp = if lower.starts_with("bearer") {
        let params = parse_challenge(&challenge);
        let realm = params
            .iter()
            .find(|(k, _)| k == "realm")
            .map(|(_, v)| v.clone())
            .ok_or_else(|| AuthError::Unexpected {
                registry: registry.to_string(),
                status,
                detail: "bearer challenge without a realm".to_string(),
            })?;
        let mut query: Vec<(String, String)> = Vec::new();
        if let Some((_, s)) = params.iter().find(|(k, _)| k == "service") {
            query.push(("service".to_string(), s.clone()));
        }
        client
            .get(&realm)
            .query(&query)
            .basic_auth(&creds.username, Some(&creds.password))
            .send()
            .await
            .map_err(unreachable)?
    } else {
        client
            .get(&url)
            .basic_auth(&creds.username, Some(&creds.password))
            .send()
            .await
            .map_err(unreachable)?
    };
    match check_status(resp.status().as_u16()) {
        Some(LoginCheck::Ok) => Ok(()),
        Some(LoginCheck::Rejected) => Err(AuthError::InvalidCredentials {
            registry: registry.to_string(),
        }),
        None => Err(AuthError::Unexpected {
            registry: registry.to_string(),
            status: resp.status().as_u16(),
            detail: "while checking the credentials".to_string(),
        }),
    }
}

fn check_status(status: u16) -> Option<LoginCheck> {
    match status {
        200..=299 => Some(LoginCheck::Ok),
        401 | 403 => Some(LoginCheck::Rejected),
        _ => None,
    }
}

/// `Bearer realm="...",service="..."` into key/value pairs.
pub fn parse_challenge(header: &str) -> Vec<(String, String)> {
    let rest = header
        .split_once(char::is_whitespace)
        .map(|(_, r)| r)
        .unwrap_or("");
    let mut out = Vec::new();
    let mut chars = rest.chars().peekable();
    // Bounded by the header's length: every iteration consumes at least one character.
    while chars.peek().is_some() {
        let key: String = chars
            .by_ref()
            .skip_while(|c| *c == ',' || c.is_whitespace())
            .take_while(|c| *c != '=')
            .collect();
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut escaped = false;
            for c in chars.by_ref() {
                if escaped {
                    value.push(c);
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    break;
                } else {
                    value.push(c);
                }
            }
        } else {
            value = chars.by_ref().take_while(|c| *c != ',').collect();
        }
        let key = key.trim().to_ascii_lowercase();
        if !key.is_empty() {
            out.push((key, value.trim().to_string()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(u: &str, p: &str) -> Credentials {
        Credentials {
            username: u.into(),
            password: p.into(),
        }
    }

    #[test]
    fn auth_field_round_trips_and_rejects_garbage() {
        let c = creds("user", "pa:ss");
        let enc = encode_auth(&c);
        assert_eq!(enc, "dXNlcjpwYTpzcw==");
        assert_eq!(decode_auth(&enc), Some(c));
        assert_eq!(decode_auth("!!!"), None);
        assert_eq!(decode_auth(&BASE64.encode("nocolon")), None);
        assert_eq!(decode_auth(&BASE64.encode(":pass")), None);
    }

    #[test]
    fn finds_podman_and_docker_entries() {
        let doc: Value = serde_json::json!({
            "auths": {
                "localhost:5000": {"auth": encode_auth(&creds("a", "b"))},
                "https://index.docker.io/v1/": {"auth": encode_auth(&creds("hub", "x"))},
                "quay.io": {"username": "q", "password": "y"},
            }
        });
        assert_eq!(find_in(&doc, "localhost:5000"), Some(creds("a", "b")));
        assert_eq!(find_in(&doc, "docker.io"), Some(creds("hub", "x")));
        assert_eq!(find_in(&doc, "quay.io"), Some(creds("q", "y")));
        assert_eq!(find_in(&doc, "other:1"), None);
        assert_eq!(find_in(&serde_json::json!({"auths": 3}), "x"), None);
    }

    #[test]
    fn store_keeps_other_entries_and_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("rsp-auth-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("sub/auth.json");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            &path,
            r#"{"auths":{"other:1":{"auth":"b3RoZXI6cA=="}},"credHelpers":{"x":"y"}}"#,
        )
        .unwrap();
        store("127.0.0.1:5000", &creds("u", "secret"), Some(&path)).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(doc["auths"]["127.0.0.1:5000"]["auth"], "dTpzZWNyZXQ=");
        assert_eq!(doc["credHelpers"]["x"], "y");
        assert_eq!(
            lookup("127.0.0.1:5000", Some(&path)).unwrap(),
            Some(creds("u", "secret"))
        );
        assert_eq!(
            lookup("other:1", Some(&path)).unwrap(),
            Some(creds("other", "p"))
        );
        remove("127.0.0.1:5000", Some(&path)).unwrap();
        assert!(matches!(
            remove("127.0.0.1:5000", Some(&path)),
            Err(AuthError::NotLoggedIn { .. })
        ));
        assert_eq!(lookup("127.0.0.1:5000", Some(&path)).unwrap(), None);
        remove_all(Some(&path)).unwrap();
        assert_eq!(lookup("other:1", Some(&path)).unwrap(), None);
        std::fs::write(&path, "[1]").unwrap();
        assert!(matches!(
            lookup("x", Some(&path)),
            Err(AuthError::NotObject { .. })
        ));
        std::fs::write(&path, "{").unwrap();
        let e = lookup("x", Some(&path)).unwrap_err();
        assert!(e.to_string().contains("not valid JSON"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn debug_hides_the_password() {
        let text = format!("{:?}", creds("user", "hunter2"));
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[test]
    fn challenge_parameters() {
        let p = parse_challenge(
            r#"Bearer realm="https://auth.example/token",service="registry.example",scope="a:b""#,
        );
        assert_eq!(
            p,
            vec![
                ("realm".into(), "https://auth.example/token".into()),
                ("service".into(), "registry.example".into()),
                ("scope".into(), "a:b".into()),
            ]
        );
        assert!(parse_challenge("Basic").is_empty());
        assert_eq!(check_status(401), Some(LoginCheck::Rejected));
        assert_eq!(check_status(500), None);
    }

    /// A loopback token service: `/v2/` demands a bearer token, `/token` hands one out for
    /// the right basic credentials only. Serves `requests` requests, then stops.
    fn fake_token_registry(requests: usize) -> (String, std::thread::JoinHandle<Vec<String>>) {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let realm = format!("http://{addr}/token");
        let handle = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for _ in 0..requests {
                let (stream, _) = listener.accept().unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                reader.read_line(&mut request_line).unwrap();
                let mut authz = String::new();
                for _ in 0..100 {
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    if line.trim().is_empty() {
                        break;
                    }
                    if line.to_ascii_lowercase().starts_with("authorization:") {
                        authz = line["authorization:".len()..].trim().to_string();
                    }
                }
                seen.push(request_line.clone());
                let good = format!("Basic {}", encode_auth(&creds("u", "right")));
                let (status, extra, body) = if request_line.starts_with("GET /v2/ ") {
                    (
                        "401 Unauthorized",
                        format!("WWW-Authenticate: Bearer realm=\"{realm}\",service=\"fake\"\r\n"),
                        "{}",
                    )
                } else if request_line.starts_with("GET /token?service=fake ") && authz == good {
                    ("200 OK", String::new(), r#"{"token":"t"}"#)
                } else {
                    ("401 Unauthorized", String::new(), "{}")
                };
                let mut stream = stream;
                write!(
                    stream,
                    "HTTP/1.1 {status}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
                .unwrap();
            }
            seen
        });
        (addr, handle)
    }

    #[test]
    fn bearer_login_checks_the_password_at_the_token_service() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let (addr, server) = fake_token_registry(4);
        rt.block_on(verify(&addr, &creds("u", "right"), true))
            .unwrap();
        let err = rt
            .block_on(verify(&addr, &creds("u", "wrong"), true))
            .unwrap_err();
        assert!(matches!(err, AuthError::InvalidCredentials { .. }), "{err}");
        assert!(!err.to_string().contains("wrong"));
        let seen = server.join().unwrap();
        assert_eq!(seen.len(), 4, "{seen:?}");
    }
}
