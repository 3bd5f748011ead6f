//! Docker credential helpers: `docker-credential-NAME get|store|erase`.
//!
//! Contract: a helper is a program the user installed on `$PATH`, named by
//! `credHelpers` (per registry) or `credsStore` (every registry) in an auth
//! file. The registry goes to it on stdin and credentials come back as JSON
//! on stdout, as Docker's protocol says; the password only ever travels
//! through the helper's stdin and stdout, never argv, and is cut out of any
//! error text the helper prints. A helper gets [`TIMEOUT`] to answer and at
//! most [`MAX_OUTPUT`] bytes are read from it.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::auth::{AuthError, Credentials, HelperFailure};

/// Long enough for a helper that unlocks a keyring; a hung one must not hang rsp.
pub const TIMEOUT: Duration = Duration::from_secs(60);
pub const MAX_OUTPUT: u64 = 1 << 20;

/// Whether `name` can name a helper: `docker-credential-NAME` is looked up on
/// `$PATH`, so a path or anything odd is refused.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && !name.starts_with('.')
}

fn program(helper: &str) -> String {
    format!("docker-credential-{helper}")
}

/// What a helper run ended with.
struct Run {
    success: bool,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// `docker-credential-NAME` on `$PATH`: the first executable file of that
/// name. Searched here rather than by exec, which reports a `$PATH` entry it
/// may not enter (EACCES) instead of "not found".
fn find(helper: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(program(helper)))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

fn run(helper: &str, action: &str, input: &[u8]) -> std::io::Result<Run> {
    let exe = find(helper).ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))?;
    let mut child = Command::new(exe)
        .arg(action)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take();
    let input = input.to_vec();
    // Writer and readers on threads: a helper that answers before reading
    // all its input, or fills one pipe, must not deadlock rsp.
    let writer = std::thread::spawn(move || {
        if let Some(s) = stdin.as_mut() {
            let _ = s.write_all(&input);
        }
    });
    let read_all = |r: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(r) = r {
                let _ = r.take(MAX_OUTPUT).read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = read_all(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let err = read_all(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("no answer in {} s", TIMEOUT.as_secs()),
            ));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let _ = writer.join();
    Ok(Run {
        success: status.success(),
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

/// The helper's own words about a failure, one line, without `secret`.
fn reason(run: &Run, secret: Option<&str>) -> String {
    let text = if run.stderr.iter().any(|b| !b.is_ascii_whitespace()) {
        &run.stderr
    } else {
        &run.stdout
    };
    let mut line = String::from_utf8_lossy(text)
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("it failed without a message")
        .chars()
        .take(300)
        .collect::<String>();
    if let Some(s) = secret.filter(|s| !s.is_empty()) {
        line = line.replace(s, "***");
    }
    line
}

fn not_found(run: &Run) -> bool {
    let text = String::from_utf8_lossy(&run.stdout).to_ascii_lowercase()
        + &String::from_utf8_lossy(&run.stderr).to_ascii_lowercase();
    text.contains("credentials not found")
}

fn failed(helper: &Helper, registry: &str, action: &'static str, reason: String) -> AuthError {
    AuthError::Helper(Box::new(HelperFailure {
        program: program(&helper.name),
        action,
        registry: registry.to_string(),
        file: helper.file.clone(),
        reason,
    }))
}

/// A helper, and the auth file that names it (for errors).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Helper {
    pub name: String,
    pub file: PathBuf,
}

/// The helper's credentials for `registry`; `None` if it has none.
/// [`AuthError::HelperMissing`] if the helper is not installed.
pub fn get(helper: &Helper, registry: &str) -> Result<Option<Credentials>, AuthError> {
    let run = run(&helper.name, "get", registry.as_bytes()).map_err(|e| spawn_error(helper, e))?;
    if !run.success {
        if not_found(&run) {
            return Ok(None);
        }
        return Err(failed(helper, registry, "get", reason(&run, None)));
    }
    let bad = || {
        failed(
            helper,
            registry,
            "get",
            "its answer is not the JSON object {\"Username\", \"Secret\"}".into(),
        )
    };
    let doc: Value = serde_json::from_slice(&run.stdout).map_err(|_| bad())?;
    let username = doc
        .get("Username")
        .and_then(Value::as_str)
        .ok_or_else(bad)?;
    let secret = doc.get("Secret").and_then(Value::as_str).ok_or_else(bad)?;
    if secret.is_empty() {
        return Ok(None);
    }
    // Docker's convention for an identity token: no user name.
    if username.is_empty() || username == "<token>" {
        return Err(failed(
            helper,
            registry,
            "get",
            "it holds an identity token, which rsp cannot use: log in again with a password".into(),
        ));
    }
    Ok(Some(Credentials {
        username: username.to_string(),
        password: secret.to_string(),
    }))
}

/// Hands `creds` for `registry` to the helper to keep.
pub fn store(helper: &Helper, registry: &str, creds: &Credentials) -> Result<(), AuthError> {
    let input = json!({
        "ServerURL": registry,
        "Username": creds.username,
        "Secret": creds.password,
    });
    let run = run(&helper.name, "store", input.to_string().as_bytes())
        .map_err(|e| spawn_error(helper, e))?;
    if run.success {
        Ok(())
    } else {
        Err(failed(
            helper,
            registry,
            "store",
            reason(&run, Some(&creds.password)),
        ))
    }
}

/// Asks the helper to forget `registry`; `NotLoggedIn` if it had nothing.
pub fn erase(helper: &Helper, registry: &str) -> Result<(), AuthError> {
    let run =
        run(&helper.name, "erase", registry.as_bytes()).map_err(|e| spawn_error(helper, e))?;
    if run.success {
        Ok(())
    } else if not_found(&run) {
        Err(AuthError::NotLoggedIn {
            registry: registry.to_string(),
        })
    } else {
        Err(failed(helper, registry, "erase", reason(&run, None)))
    }
}

fn spawn_error(helper: &Helper, e: std::io::Error) -> AuthError {
    if e.kind() == std::io::ErrorKind::NotFound {
        AuthError::HelperMissing {
            program: program(&helper.name),
            file: helper.file.clone(),
        }
    } else {
        AuthError::HelperRun {
            program: program(&helper.name),
            file: helper.file.clone(),
            source: e,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helper_names() {
        assert!(valid_name("pass"));
        assert!(valid_name("ecr-login"));
        assert!(valid_name("secret_service.1"));
        assert!(!valid_name(""));
        assert!(!valid_name("../x"));
        assert!(!valid_name("a/b"));
        assert!(!valid_name(".hidden"));
        assert!(!valid_name("a b"));
    }

    #[test]
    fn reasons_are_one_line_without_the_secret() {
        let run = Run {
            success: false,
            stdout: b"ignored".to_vec(),
            stderr: b"\n  cannot store s3cret for you\nmore\n".to_vec(),
        };
        assert_eq!(reason(&run, Some("s3cret")), "cannot store *** for you");
        let run = Run {
            success: false,
            stdout: b"credentials not found in native keychain\n".to_vec(),
            stderr: Vec::new(),
        };
        assert!(not_found(&run));
        assert_eq!(
            reason(&run, None),
            "credentials not found in native keychain"
        );
    }
}
