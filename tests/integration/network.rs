//! Issue 4: the userspace network. Containers reach the host's loopback
//! through 10.0.2.2 only when allowed, resolve names through 10.0.2.3,
//! and publish TCP and UDP ports; errors leave nothing half-started.
//!
//! Network rule: everything here talks to 127.0.0.1 or to addresses inside
//! rsp's own namespaces; each test's resolver is a loopback server of its
//! own (see `TestEnv::resolv_conf`).

use crate::util::image::{Layer, busybox_image};
use crate::util::registry::shared;
use crate::util::{TestEnv, free_port};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A static UDP echo server (`udpecho PORT`): busybox has none.
pub(crate) const UDP_ECHO_C: &str = r#"
#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/socket.h>
int main(int argc, char **argv) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(atoi(argv[1]));
    if (bind(s, (struct sockaddr *)&a, sizeof a) != 0) return 1;
    char buf[65536];
    for (;;) {
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
        if (n >= 0) sendto(s, buf, n, 0, (struct sockaddr *)&from, fl);
    }
}
"#;

fn udp_echo_binary() -> Vec<u8> {
    crate::util::static_c_program("udpecho", UDP_ECHO_C)
}

pub(crate) fn image() -> &'static str {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| {
        busybox_image()
            .layer(Layer::new().file("/bin/udpecho", 0o755, &udp_echo_binary()))
            .expose("80/tcp")
            .expose("7/udp")
            .push(shared(), "net-busybox", "latest")
            .reference
    })
}

fn env() -> TestEnv {
    let env = TestEnv::new();
    env.rsp().args(["pull", "-q", image()]).ok();
    env
}

fn run(env: &TestEnv, opts: &[&str], cmd: &[&str]) -> crate::util::Cmd {
    let mut a = vec!["run", "--rm"];
    a.extend_from_slice(opts);
    a.push(image());
    a.extend_from_slice(cmd);
    env.rsp().args(a)
}

fn detach(env: &TestEnv, opts: &[&str], cmd: &[&str]) -> String {
    let mut a = vec!["run", "-d"];
    a.extend_from_slice(opts);
    a.push(image());
    a.extend_from_slice(cmd);
    env.rsp().args(a).ok().trim().to_string()
}

/// A failed run: exit code, stdout, stderr.
struct Failed {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn fails(cmd: crate::util::Cmd) -> Failed {
    let o = cmd.fails();
    Failed {
        code: o.status.code(),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// stdout and stderr of a successful command, together.
fn ok_all(cmd: crate::util::Cmd) -> String {
    let o = cmd.code(0);
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// GET / from 127.0.0.1:port, retrying while the server starts (bounded).
pub(crate) fn http_get(port: u16) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let attempt = (|| -> std::io::Result<String> {
            let mut s = TcpStream::connect(("127.0.0.1", port))?;
            s.set_read_timeout(Some(Duration::from_secs(5)))?;
            s.write_all(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")?;
            let mut out = String::new();
            s.read_to_string(&mut out)?;
            Ok(out)
        })();
        match attempt {
            Ok(body) if body.contains("200") => return body,
            _ if Instant::now() > deadline => panic!("no HTTP answer on port {port}: {attempt:?}"),
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// A one-shot HTTP server on the host's loopback, answering `body`.
fn host_http_server(body: &'static str) -> (u16, std::thread::JoinHandle<()>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let h = std::thread::spawn(move || {
        l.set_nonblocking(true).unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            match l.accept() {
                Ok((mut s, _)) => {
                    s.set_nonblocking(false).unwrap();
                    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                    let mut buf = [0u8; 1024];
                    let _ = s.read(&mut buf);
                    let _ = write!(
                        s,
                        "HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    return;
                }
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    });
    (port, h)
}

#[test]
fn issue4_container_reaches_host_loopback_only_when_allowed() {
    let env = env();
    let (port, server) = host_http_server("hello from the host");
    let url = format!("http://10.0.2.2:{port}/");
    // busybox's ping needs a raw socket: CAP_NET_RAW, not a default.
    let out = run(
        &env,
        &[
            "--network",
            "slirp:allow_host_loopback=true",
            "--cap-add",
            "NET_RAW",
        ],
        &[
            "sh",
            "-c",
            &format!("wget -qO- {url} && busybox ping -c 1 10.0.2.2"),
        ],
    )
    .ok();
    assert!(out.contains("hello from the host"), "{out}");
    assert!(out.contains("1 packets received"), "{out}");
    server.join().unwrap();

    // Refused without the option, at once (a RST, not a timeout).
    let t = Instant::now();
    let r = fails(run(&env, &[], &["wget", "-qO-", &url]));
    assert!(r.stderr.contains("Connection refused"), "{}", r.stderr);
    assert!(t.elapsed() < Duration::from_secs(20));
}

#[test]
fn issue4_network_setup_inside_the_container() {
    let env = env();
    let out = run(
        &env,
        &["--hostname", "box"],
        &["sh", "-c", "cat /sys/class/net/eth0/mtu; ip -4 addr show eth0 2>/dev/null || cat /proc/net/fib_trie | grep -c 10.0.2.100; cat /proc/net/route; cat /etc/resolv.conf /etc/hosts"],
    )
    .ok();
    assert!(out.starts_with("65520\n"), "{out}");
    assert!(out.contains("10.0.2.100"), "{out}");
    // The default route goes through 10.0.2.2 (0202000A in /proc/net/route).
    assert!(out.contains("eth0\t00000000\t0202000A"), "{out}");
    assert!(out.contains("nameserver 10.0.2.3"), "{out}");
    assert!(out.contains("10.0.2.100\tbox"), "{out}");
    assert!(!out.contains("host.containers.internal"), "{out}");
    let out = run(
        &env,
        &["--network", "slirp:allow_host_loopback=true"],
        &["cat", "/etc/hosts"],
    )
    .ok();
    assert!(out.contains("10.0.2.2\thost.containers.internal"), "{out}");
    // --network none keeps loopback only.
    let out = run(&env, &["--network", "none"], &["ls", "/sys/class/net"]).ok();
    assert_eq!(out.trim(), "lo");
}

/// A DNS server on the host's loopback that knows one name.
pub(crate) fn dns_server() -> (
    u16,
    std::thread::JoinHandle<()>,
    std::sync::Arc<std::sync::atomic::AtomicBool>,
) {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = s.local_addr().unwrap().port();
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop2 = stop.clone();
    let h = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut buf = [0u8; 512];
        while !stop2.load(std::sync::atomic::Ordering::Relaxed) && Instant::now() < deadline {
            let Ok((n, from)) = s.recv_from(&mut buf) else {
                continue;
            };
            let q = &buf[..n];
            if n < 17 {
                continue;
            }
            // The question: labels, then type and class.
            let mut i = 12;
            let mut labels = Vec::new();
            while i < n && q[i] != 0 {
                let l = q[i] as usize;
                labels.push(String::from_utf8_lossy(&q[i + 1..(i + 1 + l).min(n)]).into_owned());
                i += 1 + l;
            }
            let qend = (i + 5).min(n);
            let qtype = u16::from_be_bytes([q[(i + 1).min(n - 1)], q[(i + 2).min(n - 1)]]);
            let known = labels.join(".") == "test.rsp.example" && qtype == 1;
            let mut r = q[..2].to_vec();
            r.extend_from_slice(if known { &[0x81, 0x80] } else { &[0x81, 0x83] });
            r.extend_from_slice(&[0, 1, 0, u8::from(known), 0, 0, 0, 0]);
            r.extend_from_slice(&q[12..qend]);
            if known {
                r.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7]);
            }
            let _ = s.send_to(&r, from);
        }
    });
    (port, h, stop)
}

#[test]
fn issue4_dns_is_forwarded_to_the_host_resolver() {
    let env = env();
    let (port, h, stop) = dns_server();
    std::fs::write(
        env.resolv_conf(),
        format!("search rsp.example\nnameserver 127.0.0.1:{port}\n"),
    )
    .unwrap();
    let out = run(
        &env,
        &[],
        &[
            "sh",
            "-c",
            "cat /etc/resolv.conf; busybox nslookup -type=a test.rsp.example",
        ],
    )
    .ok();
    assert!(out.contains("search rsp.example"), "{out}");
    assert!(out.contains("Address: 192.0.2.7"), "{out}");
    let r = fails(run(
        &env,
        &[],
        &["busybox", "nslookup", "-type=a", "nothere.rsp.example"],
    ));
    assert!(
        r.stdout.contains("NXDOMAIN") || r.stderr.contains("NXDOMAIN"),
        "{}{}",
        r.stdout,
        r.stderr
    );
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    h.join().unwrap();
}

#[test]
fn issue4_published_tcp_ports_both_handlers() {
    let env = env();
    let httpd = "mkdir -p /www && echo served-from-$(hostname) > /www/index.html && exec httpd -f -vv -p 80 -h /www";
    let (p1, p2) = (free_port(), free_port());
    let fast = format!("127.0.0.1:{p1}:80");
    detach(
        &env,
        &["--name", "fast", "--hostname", "fast", "-p", &fast],
        &["sh", "-c", httpd],
    );
    let slow = format!("127.0.0.1:{p2}:80");
    detach(
        &env,
        &[
            "--name",
            "slirp",
            "--hostname",
            "slirp",
            "--network",
            "slirp:port_handler=slirp",
            "-p",
            &slow,
        ],
        &["sh", "-c", httpd],
    );
    // Both at once, each its own container.
    assert!(http_get(p1).contains("served-from-fast"));
    assert!(http_get(p2).contains("served-from-slirp"));
    // Many connections one after another (a small connect+close storm).
    for _ in 0..50 {
        assert!(http_get(p1).contains("served-from-fast"));
    }
    // Who the container sees: its own address on the fast path, the
    // gateway (standing for the host's loopback) through the stack.
    let logs = ok_all(env.rsp().args(["logs", "fast"]));
    assert!(logs.contains("10.0.2.100"), "{logs}");
    let logs = ok_all(env.rsp().args(["logs", "slirp"]));
    assert!(logs.contains("10.0.2.2]"), "{logs}");

    let port = env.rsp().args(["port", "fast"]).ok();
    assert_eq!(port.trim(), format!("80/tcp -> 127.0.0.1:{p1}"));
    let port = env.rsp().args(["port", "fast", "80"]).ok();
    assert_eq!(port.trim(), format!("127.0.0.1:{p1}"));
    let ps = env
        .rsp()
        .args(["ps", "--format", "{{.Names}} {{.Ports}}"])
        .ok();
    assert!(ps.contains(&format!("fast 127.0.0.1:{p1}->80/tcp")), "{ps}");
    let ins = env
        .rsp()
        .args([
            "inspect",
            "--format",
            "{{.NetworkSettings.IPAddress}} {{json .NetworkSettings.Ports}}",
            "fast",
        ])
        .ok();
    assert!(ins.starts_with("10.0.2.100 "), "{ins}");
    assert!(ins.contains(&format!("\"HostPort\":\"{p1}\"")), "{ins}");
    env.rsp()
        .args(["rm", "-f", "-t", "0", "fast", "slirp"])
        .ok();
    // The ports are free again once the containers are gone.
    TcpListener::bind(("127.0.0.1", p1)).unwrap();
    TcpListener::bind(("127.0.0.1", p2)).unwrap();
}

#[test]
fn issue4_published_udp_and_publish_all() {
    let env = env();
    let p = free_port();
    let spec = format!("127.0.0.1:{p}:7/udp");
    detach(&env, &["--name", "echo", "-p", &spec], &["udpecho", "7"]);
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut got = None;
    for i in 0..100 {
        let msg = format!("ping {i}");
        s.send_to(msg.as_bytes(), ("127.0.0.1", p)).unwrap();
        let mut buf = [0u8; 64];
        if let Ok((n, _)) = s.recv_from(&mut buf) {
            got = Some(String::from_utf8_lossy(&buf[..n]).into_owned());
            break;
        }
    }
    assert!(got.unwrap_or_default().starts_with("ping "));

    // -P: every exposed port (80/tcp and 7/udp in this image) to a free
    // host port on all addresses.
    detach(&env, &["--name", "all", "-P"], &["udpecho", "7"]);
    let out = env.rsp().args(["port", "all"]).ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines.iter().any(|l| l.starts_with("80/tcp -> 0.0.0.0:")),
        "{out}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("7/udp -> 0.0.0.0:")),
        "{out}"
    );
    env.rsp().args(["rm", "-f", "-t", "0", "echo", "all"]).ok();
}

#[test]
fn issue4_port_conflicts_and_bad_specs_leave_nothing_running() {
    let env = env();
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let p = busy.local_addr().unwrap().port();
    let spec = format!("127.0.0.1:{p}:80");
    let r = fails(run(&env, &["--name", "clash", "-p", &spec], &["true"]));
    assert_eq!(r.code, Some(125), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("127.0.0.1:{p}")) && r.stderr.contains("in use"),
        "{}",
        r.stderr
    );
    let running = env.rsp().args(["ps", "-q"]).ok();
    assert!(running.trim().is_empty(), "{running}");

    for bad in ["80:80/sctp", "99999:80", "1.2.3:80:80", "8000-8001:80-82"] {
        let r = fails(run(&env, &["-p", bad], &["true"]));
        assert_eq!(r.code, Some(125));
        assert!(r.stderr.contains("invalid port mapping"), "{}", r.stderr);
        assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    }
    let r = fails(run(&env, &["--network", "slirp:bogus=1"], &["true"]));
    assert!(r.stderr.contains("unknown network option"), "{}", r.stderr);
    let r = fails(run(&env, &["--network", "none", "-p", "80"], &["true"]));
    assert!(r.stderr.contains("--network none"), "{}", r.stderr);
    // Nothing was created by the rejected specs.
    let all = env.rsp().args(["ps", "-aq"]).ok();
    assert!(all.lines().count() <= 1, "{all}");
    drop(busy);
}

#[test]
fn issue4_missing_tun_device_is_a_clear_error() {
    let env = env();
    // /dev/net/tun hidden behind /dev/null in a private mount namespace.
    let script = format!(
        "mount --bind /dev/null /dev/net/tun && exec {} --root {} --runroot {} run --rm {} true",
        crate::util::rsp_bin(),
        env.root().display(),
        env.runroot().display(),
        image()
    );
    let r = fails(env.cmd("unshare").args([
        "--user",
        "--map-root-user",
        "--mount",
        "sh",
        "-c",
        &script,
    ]));
    assert_eq!(r.code, Some(125), "{}", r.stderr);
    assert!(r.stderr.contains("/dev/net/tun"), "{}", r.stderr);
    assert!(r.stderr.contains("--network none"), "{}", r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
}

#[test]
fn issue4_review_refusals_reach_the_client_as_resets_and_short_runs_keep_their_code() {
    let env = env();
    // Nothing listens on port 81 in the container: on both handlers the
    // client sees its connection reset, not a clean (truncated) end.
    for (name, net) in [("fast", "slirp"), ("stack", "slirp:port_handler=slirp")] {
        let p = free_port();
        let spec = format!("127.0.0.1:{p}:81");
        detach(
            &env,
            &["--name", name, "--network", net, "-p", &spec],
            &["sleep", "60"],
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        let got = loop {
            let mut s = TcpStream::connect(("127.0.0.1", p)).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let mut buf = [0u8; 16];
            match s.read(&mut buf) {
                Err(e) => break e.kind(),
                Ok(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
                Ok(n) => panic!("{name}: read {n} bytes instead of a reset"),
            }
        };
        assert_eq!(got, std::io::ErrorKind::ConnectionReset, "{name}");
    }
    env.rsp()
        .args(["rm", "-f", "-t", "0", "fast", "stack"])
        .ok();
    // A command that exits at once with published ports keeps its own
    // exit code (its namespaces are taken before it runs).
    for _ in 0..5 {
        run(&env, &["-p", "127.0.0.1::80"], &["sh", "-c", "exit 3"]).code(3);
    }
}
