//! ADD's remote sources: an `http(s)://` URL downloaded to a file, with
//! `--checksum`.
//!
//! Contract: redirects are followed (at most 10) only while they stay on
//! the URL's own scheme, host and port: a redirect elsewhere is refused
//! ([`FetchError::Redirect`]), so a Dockerfile cannot bounce the build to
//! another address. The body is written to a temporary file in the
//! directory given and checked against the checksum before it is handed
//! over; time and size are bounded.
//!
//! The HTTP client never follows a redirect itself: each `Location` is
//! checked before anything connects to it. Bounds: 30 s to connect, 60 s
//! without a byte, [`MAX_TIME`] for the whole download, [`MAX_SIZE`]
//! bytes. The file is created with `O_EXCL` under a fresh name
//! (`.rsp-add-*`) and removed on any failure, a checksum mismatch
//! included. The environment's proxy settings apply, as for Docker.

use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use ureq::http::Uri;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("ADD {url}: {message}")]
    Get { url: String, message: String },
    #[error(
        "ADD {url}: redirected to {to}, another host: only redirects on the same host are followed"
    )]
    Redirect { url: String, to: String },
    #[error("ADD {url}: checksum mismatch: expected {expected}, got {actual}")]
    Checksum {
        url: String,
        expected: String,
        actual: String,
    },
    #[error("ADD {url}: invalid --checksum {checksum:?}: use sha256:<64 hex digits>")]
    BadChecksum { url: String, checksum: String },
}

/// A downloaded file.
#[derive(Debug)]
pub struct Fetched {
    /// The file, in the directory given.
    pub path: PathBuf,
    /// The name Docker gives it: the last path segment of the final URL
    /// (`index.html` style), or empty when the URL has none.
    pub file_name: String,
    /// `Last-Modified`, seconds since the epoch, if the server sent it.
    pub mtime: Option<i64>,
    /// sha256 of the body, `sha256:HEX`.
    pub digest: String,
}

/// Redirects followed at most.
pub const MAX_REDIRECTS: usize = 10;
/// The largest body accepted.
pub const MAX_SIZE: u64 = 8 << 30;
/// The longest a download may take, redirects included.
pub const MAX_TIME: Duration = Duration::from_secs(30 * 60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
const STALL_TIMEOUT: Duration = Duration::from_secs(60);

/// Downloads `url` into a new file in `dir`.
pub fn fetch(url: &str, checksum: Option<&str>, dir: &Path) -> Result<Fetched, FetchError> {
    let get_err = |message: String| FetchError::Get {
        url: url.to_string(),
        message,
    };
    let expected = checksum.map(|c| parse_checksum(url, c)).transpose()?;
    let start: Uri = url
        .parse()
        .map_err(|e| get_err(format!("invalid URL: {e}")))?;
    let origin = Origin::of(&start)
        .ok_or_else(|| get_err("only http:// and https:// URLs with a host are fetched".into()))?;

    let agent: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .timeout_recv_response(Some(STALL_TIMEOUT))
        .timeout_per_read(Some(STALL_TIMEOUT))
        .timeout_global(Some(MAX_TIME))
        .build()
        .into();

    let mut current = start;
    let mut redirects = 0;
    let response = loop {
        let response = agent
            .get(current.clone())
            .call()
            .map_err(|e| get_err(e.to_string()))?;
        let status = response.status();
        if matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| get_err(format!("redirect ({status}) without a Location")))?;
            let next = resolve(&current, location)
                .ok_or_else(|| get_err(format!("invalid redirect location {location:?}")))?;
            if Origin::of(&next).as_ref() != Some(&origin) {
                return Err(FetchError::Redirect {
                    url: url.to_string(),
                    to: next.to_string(),
                });
            }
            redirects += 1;
            if redirects > MAX_REDIRECTS {
                return Err(get_err(format!("stopped after {MAX_REDIRECTS} redirects")));
            }
            current = next;
            continue;
        }
        if !status.is_success() {
            return Err(get_err(format!("invalid response status {status}")));
        }
        break response;
    };

    let mtime = response
        .headers()
        .get("last-modified")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_http_date);
    let file_name = current
        .path()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();

    let (path, file) = temp_file(dir)
        .map_err(|e| get_err(format!("creating a file in {}: {e}", dir.display())))?;
    // Removes the file unless the download is handed over.
    let mut guard = Remove(Some(path.clone()));
    let mut body = response.into_body().into_reader();
    let digest = copy_hashed(&mut body, file, &path).map_err(get_err)?;
    if let Some(expected) = expected
        && expected != digest
    {
        return Err(FetchError::Checksum {
            url: url.to_string(),
            expected,
            actual: digest,
        });
    }
    guard.0 = None;
    Ok(Fetched {
        path,
        file_name,
        mtime,
        digest,
    })
}

/// Whether `s` is a URL ADD fetches (`http://` or `https://`).
pub fn is_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

/// Removes its file when dropped, unless emptied.
struct Remove(Option<PathBuf>);

impl Drop for Remove {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Scheme, host and port: what a redirect may not change.
#[derive(Debug, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    fn of(uri: &Uri) -> Option<Origin> {
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return None,
        };
        let host = uri.host()?.to_ascii_lowercase();
        if host.is_empty() {
            return None;
        }
        Some(Origin {
            scheme,
            host,
            port: uri.port_u16().unwrap_or(default_port),
        })
    }
}

/// The URL a `Location` names, relative to `base`.
fn resolve(base: &Uri, location: &str) -> Option<Uri> {
    let location = location.trim();
    let lower = location.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return location.parse().ok();
    }
    let scheme = base.scheme_str()?;
    let authority = base.authority()?.as_str();
    if let Some(rest) = location.strip_prefix("//") {
        return format!("{scheme}://{rest}").parse().ok();
    }
    if location.contains("://") {
        // Another scheme: never followed.
        return location.parse().ok();
    }
    let path_and_query = if location.starts_with('/') {
        location.to_string()
    } else if location.starts_with('?') {
        format!("{}{location}", base.path())
    } else {
        let dir = base.path().rsplit_once('/').map_or("", |(dir, _)| dir);
        format!("{dir}/{location}")
    };
    format!("{scheme}://{authority}{path_and_query}")
        .parse()
        .ok()
}

/// `sha256:HEX`, lower-cased; anything else is [`FetchError::BadChecksum`].
fn parse_checksum(url: &str, checksum: &str) -> Result<String, FetchError> {
    let bad = || FetchError::BadChecksum {
        url: url.to_string(),
        checksum: checksum.to_string(),
    };
    let hex = checksum.strip_prefix("sha256:").ok_or_else(bad)?;
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    Ok(format!("sha256:{}", hex.to_ascii_lowercase()))
}

/// An HTTP date (RFC 9110: IMF-fixdate, or the obsolete RFC 850 and
/// asctime forms), as seconds since the epoch.
fn parse_http_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc2822(s) {
        return Some(t.timestamp());
    }
    ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(s, f).ok())
        .map(|t| t.and_utc().timestamp())
}

/// A new file in `dir` under a name nobody else has (`O_EXCL`).
fn temp_file(dir: &Path) -> io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut last = None;
    for _ in 0..16 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            ".rsp-add-{}-{}-{nanos:08x}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let path = dir.join(name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_CLOEXEC | libc::O_NOFOLLOW)
            .open(&path)
        {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free temporary name")))
}

/// Copies the body into `file`, at most [`MAX_SIZE`] bytes, returning
/// its `sha256:HEX`.
fn copy_hashed(body: &mut impl Read, mut file: File, path: &Path) -> Result<String, String> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut total: u64 = 0;
    loop {
        let n = match body.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("reading the response: {e}")),
        };
        total += n as u64;
        if total > MAX_SIZE {
            return Err(format!("the response is larger than {MAX_SIZE} bytes"));
        }
        hasher.update(&buf[..n]);
        file.write_all(&buf[..n])
            .map_err(|e| format!("writing {}: {e}", path.display()))?;
    }
    file.flush()
        .map_err(|e| format!("writing {}: {e}", path.display()))?;
    Ok(format!("sha256:{}", hex::encode(hasher.finalize())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader};
    use std::net::{SocketAddr, TcpListener};
    use std::sync::mpsc;

    type Routes = Vec<(String, Vec<u8>)>;

    /// A tiny HTTP server on loopback answering `conns` connections, one
    /// request each: `routes` (given the server's address) maps a path to
    /// a whole response. It sends each request's path on the channel.
    fn serve(
        routes: impl FnOnce(SocketAddr) -> Routes,
        conns: usize,
    ) -> (SocketAddr, mpsc::Receiver<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let routes = routes(addr);
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(conns) {
                let Ok(mut stream) = stream else { continue };
                stream
                    .set_read_timeout(Some(Duration::from_secs(10)))
                    .unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
                // The rest of the head.
                for _ in 0..100 {
                    let mut header = String::new();
                    match reader.read_line(&mut header) {
                        Ok(0) | Err(_) => break,
                        Ok(_) if header == "\r\n" => break,
                        Ok(_) => {}
                    }
                }
                let response = routes
                    .iter()
                    .find(|(p, _)| *p == path)
                    .map(|(_, r)| r.clone())
                    .unwrap_or_else(|| {
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .to_vec()
                    });
                let _ = stream.write_all(&response);
                let _ = tx.send(path);
            }
        });
        (addr, rx)
    }

    fn ok(body: &[u8], extra: &str) -> Vec<u8> {
        let mut r = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n",
            body.len()
        )
        .into_bytes();
        r.extend_from_slice(body);
        r
    }

    fn redirect(to: &str) -> Vec<u8> {
        format!(
            "HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .into_bytes()
    }

    fn sha(body: &[u8]) -> String {
        format!("sha256:{}", hex::encode(Sha256::digest(body)))
    }

    fn files(dir: &Path) -> usize {
        std::fs::read_dir(dir).unwrap().count()
    }

    #[test]
    fn issue17_fetch_ok_with_checksum_and_last_modified() {
        let body = b"hello from loopback\n".repeat(1000);
        let (addr, rx) = serve(
            |_| {
                vec![(
                    "/dir/file.txt?x=1".into(),
                    ok(&body, "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"),
                )]
            },
            2,
        );
        let dir = tempfile::tempdir().unwrap();
        let url = format!("http://{addr}/dir/file.txt?x=1");
        let digest = sha(&body);
        let got = fetch(
            &url,
            Some(&digest.to_uppercase().replace("SHA256", "sha256")),
            dir.path(),
        )
        .unwrap();
        assert_eq!(std::fs::read(&got.path).unwrap(), body);
        assert_eq!(got.path.parent(), Some(dir.path()));
        assert_eq!(got.file_name, "file.txt");
        assert_eq!(got.digest, digest);
        assert_eq!(got.mtime, Some(784111777));
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(10)).unwrap(),
            "/dir/file.txt?x=1"
        );

        // Without a checksum, and a second file beside the first.
        let again = fetch(&url, None, dir.path()).unwrap();
        assert_ne!(again.path, got.path);
        assert_eq!(files(dir.path()), 2);
    }

    #[test]
    fn issue17_fetch_checksum_mismatch_removes_file() {
        let (addr, _rx) = serve(|_| vec![("/f".into(), ok(b"data", ""))], 1);
        let dir = tempfile::tempdir().unwrap();
        let wrong = format!("sha256:{}", "0".repeat(64));
        let err = fetch(&format!("http://{addr}/f"), Some(&wrong), dir.path()).unwrap_err();
        match &err {
            FetchError::Checksum {
                expected, actual, ..
            } => {
                assert_eq!(expected, &wrong);
                assert_eq!(actual, &sha(b"data"));
            }
            e => panic!("{e}"),
        }
        assert_eq!(files(dir.path()), 0);
        // A malformed checksum is refused before anything is fetched.
        for bad in ["md5:abc", "sha256:xyz", "sha256:", &"0".repeat(64)] {
            let err = fetch("http://127.0.0.1:1/f", Some(bad), dir.path()).unwrap_err();
            assert!(
                matches!(err, FetchError::BadChecksum { .. }),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn issue17_fetch_not_found() {
        let (addr, _rx) = serve(|_| vec![], 1);
        let dir = tempfile::tempdir().unwrap();
        let err = fetch(&format!("http://{addr}/missing"), None, dir.path()).unwrap_err();
        assert!(matches!(err, FetchError::Get { .. }), "{err}");
        assert!(err.to_string().contains("404"), "{err}");
        assert_eq!(files(dir.path()), 0);
    }

    #[test]
    fn issue17_fetch_redirect_same_host_followed() {
        let (addr, rx) = serve(
            |addr| {
                vec![
                    ("/a".into(), redirect("/b/c")),
                    ("/b/c".into(), redirect("d.tar")),
                    (
                        "/b/d.tar".into(),
                        redirect(&format!("http://{addr}/final.bin")),
                    ),
                    ("/final.bin".into(), ok(b"payload", "")),
                ]
            },
            4,
        );
        let dir = tempfile::tempdir().unwrap();
        let got = fetch(&format!("http://{addr}/a"), None, dir.path()).unwrap();
        assert_eq!(std::fs::read(&got.path).unwrap(), b"payload");
        assert_eq!(got.file_name, "final.bin");
        assert_eq!(got.mtime, None);
        let seen: Vec<String> = (0..4)
            .map(|_| rx.recv_timeout(Duration::from_secs(10)).unwrap())
            .collect();
        assert_eq!(seen, ["/a", "/b/c", "/b/d.tar", "/final.bin"]);
    }

    #[test]
    fn issue17_fetch_redirect_elsewhere_refused_without_connecting() {
        // Another host: 127.0.0.2 (loopback), listening, never contacted.
        let other = TcpListener::bind("127.0.0.2:0")
            .or_else(|_| TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let other_addr = other.local_addr().unwrap();
        let (addr, _rx) = serve(
            |addr| {
                vec![
                    ("/host".into(), redirect(&format!("http://{other_addr}/x"))),
                    (
                        "/port".into(),
                        redirect(&format!("http://127.0.0.1:{}/x", addr.port() ^ 1)),
                    ),
                    ("/scheme".into(), redirect(&format!("https://{addr}/x"))),
                    (
                        "/userinfo".into(),
                        redirect(&format!("http://{addr}@{other_addr}/x")),
                    ),
                ]
            },
            4,
        );
        let dir = tempfile::tempdir().unwrap();
        for path in ["/host", "/port", "/scheme", "/userinfo"] {
            let err = fetch(&format!("http://{addr}{path}"), None, dir.path()).unwrap_err();
            assert!(matches!(err, FetchError::Redirect { .. }), "{path}: {err}");
        }
        other.set_nonblocking(true).unwrap();
        assert_eq!(
            other.accept().unwrap_err().kind(),
            io::ErrorKind::WouldBlock,
            "the other host was contacted"
        );
        assert_eq!(files(dir.path()), 0);
    }

    #[test]
    fn issue17_fetch_redirect_loop_bounded() {
        let (addr, _rx) = serve(|_| vec![("/loop".into(), redirect("/loop"))], 12);
        let dir = tempfile::tempdir().unwrap();
        let err = fetch(&format!("http://{addr}/loop"), None, dir.path()).unwrap_err();
        assert!(err.to_string().contains("redirects"), "{err}");
    }

    #[test]
    fn issue17_fetch_helpers() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784111777)
        );
        assert_eq!(
            parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"),
            Some(784111777)
        );
        assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), Some(784111777));
        assert_eq!(parse_http_date("yesterday"), None);
        let base: Uri = "http://h:8/a/b?q".parse().unwrap();
        assert_eq!(resolve(&base, "c").unwrap().to_string(), "http://h:8/a/c");
        assert_eq!(
            resolve(&base, "/x?y").unwrap().to_string(),
            "http://h:8/x?y"
        );
        assert_eq!(resolve(&base, "//o/p").unwrap().to_string(), "http://o/p");
        assert!(!is_url("ftp://x") && is_url("https://x") && is_url("http://x"));
        assert!(fetch("ftp://127.0.0.1/x", None, Path::new("/nonexistent")).is_err());
    }
}
