//! Issue 20: user-defined networks. Containers on one network reach each
//! other by name, alias and address over a kernel bridge in namespaces rsp
//! makes for the network; networks are isolated from each other; internal
//! ones have no way out; the network lives exactly as long as its members.
//!
//! Network rule: all traffic stays inside rsp's namespaces or on the
//! host's loopback; the resolver other names are forwarded to is a
//! loopback server of the test's own.

use crate::network::dns_server;
use crate::util::image::{Layer, busybox_image};
use crate::util::registry::shared;
use crate::util::{TestEnv, free_port};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// `udpask IP PORT MESSAGE`: sends one datagram and prints the answer
/// (exit 1 without one in 3 s); busybox's nc has no UDP.
const UDP_ASK_C: &str = r#"
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
int main(int argc, char **argv) {
    if (argc != 4) return 2;
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct timeval tv = {3, 0};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &a.sin_addr) != 1) return 2;
    sendto(s, argv[3], strlen(argv[3]), 0, (struct sockaddr *)&a, sizeof a);
    char buf[512];
    ssize_t n = recv(s, buf, sizeof buf - 1, 0);
    if (n < 0) return 1;
    buf[n] = 0;
    printf("%s\n", buf);
    return 0;
}
"#;

/// The network tests' image: busybox, a UDP echo server and client.
fn image() -> &'static str {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| {
        let echo = crate::util::static_c_program("udpecho", crate::network::UDP_ECHO_C);
        let ask = crate::util::static_c_program("udpask", UDP_ASK_C);
        busybox_image()
            .layer(
                Layer::new()
                    .file("/bin/udpecho", 0o755, &echo)
                    .file("/bin/udpask", 0o755, &ask),
            )
            .push(shared(), "networks-busybox", "latest")
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

/// A web server answering its own name, as a detached member.
const HTTPD: &str =
    "mkdir -p /www && echo served-by-$(hostname) > /www/index.html && exec httpd -f -p 80 -h /www";

/// Runs `script` in a fresh member of `net` until it succeeds: the
/// server it talks to may still be starting (bounded in time).
fn eventually(env: &TestEnv, net: &str, script: &str) -> String {
    until_ok(|| run(env, &["--network", net], &["sh", "-c", script]))
}

/// Runs the command `cmd` makes until it succeeds (what it talks to may
/// still be starting; bounded in time); its output.
fn until_ok(cmd: impl Fn() -> crate::util::Cmd) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let o = cmd().output();
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        if o.status.success() {
            return out;
        }
        assert!(Instant::now() < deadline, "{out}{}", stderr_of(&o));
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn inspect(env: &TestEnv, what: &str, format: &str) -> String {
    env.rsp()
        .args(["inspect", "--format", format, what])
        .ok()
        .trim()
        .to_string()
}

fn stderr_of(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn issue20_network_create_ls_inspect_rm_and_bad_input() {
    let env = TestEnv::new();
    let rsp = || env.rsp();
    assert_eq!(rsp().args(["network", "create", "n1"]).ok().trim(), "n1");
    let out = rsp()
        .args([
            "network",
            "create",
            "--subnet",
            "10.123.4.9/24",
            "--gateway",
            "10.123.4.254",
            "--ip-range",
            "10.123.4.128/25",
            "--internal",
            "--disable-dns",
            "-l",
            "team=web",
            "-o",
            "mtu=9000",
            "n2",
        ])
        .ok();
    assert_eq!(out.trim(), "n2");
    // An unnamed one gets Podman's next free name.
    assert_eq!(rsp().args(["network", "create"]).ok().trim(), "podman1");
    let v: serde_json::Value =
        serde_json::from_str(&rsp().args(["network", "inspect", "n2"]).ok()).unwrap();
    let n = &v[0];
    assert_eq!(n["name"], "n2");
    assert_eq!(n["driver"], "bridge");
    assert_eq!(n["id"].as_str().unwrap().len(), 64);
    assert_eq!(n["subnets"][0]["subnet"], "10.123.4.0/24");
    assert_eq!(n["subnets"][0]["gateway"], "10.123.4.254");
    assert_eq!(n["subnets"][0]["lease_range"]["start_ip"], "10.123.4.128");
    assert_eq!(n["internal"], true);
    assert_eq!(n["dns_enabled"], false);
    assert_eq!(n["labels"]["team"], "web");
    assert_eq!(n["options"]["mtu"], "9000");
    // The first default subnet is Podman's.
    let n1 = rsp()
        .args([
            "network",
            "inspect",
            "--format",
            "{{range .Subnets}}{{.Subnet}} {{.Gateway}}{{end}}",
            "n1",
        ])
        .ok();
    assert_eq!(n1.trim(), "10.89.0.0/24 10.89.0.1");
    let ls = rsp().args(["network", "ls"]).ok();
    let lines: Vec<&str> = ls.lines().collect();
    assert!(lines[0].starts_with("NETWORK ID"), "{ls}");
    // Podman's default network is always there.
    assert_eq!(lines.len(), 5, "{ls}");
    assert!(ls.contains("2f259bab93aa   podman "), "{ls}");
    assert!(ls.contains(" n1 ") && ls.contains("bridge"), "{ls}");
    let q = rsp()
        .args(["network", "ls", "-q", "--filter", "label=team=web"])
        .ok();
    assert_eq!(q.trim(), "n2");
    let f = rsp()
        .args([
            "network",
            "ls",
            "--format",
            "{{.Name}}:{{.Internal}}",
            "--filter",
            "name=^n",
        ])
        .ok();
    assert_eq!(f.trim(), "n1:false\nn2:true");
    let id = inspect(&env, "n1", "{{.ID}}");
    assert_eq!(id.len(), 64);
    assert_eq!(
        rsp()
            .args(["network", "inspect", "--format", "{{.Name}}", &id[..12]])
            .ok()
            .trim(),
        "n1"
    );
    rsp().args(["network", "exists", "n1"]).ok();
    rsp().args(["network", "exists", "nope"]).code(1);

    // Bad input: one line naming the problem, nothing created.
    for (args, want) in [
        (vec!["--subnet", "10.1.0.0/33"], "invalid CIDR address"),
        (vec!["--subnet", "fd00::/64"], "IPv6"),
        (vec!["--subnet", "10.89.0.0/16"], "already used"),
        (
            vec!["--subnet", "10.124.0.0/24", "--gateway", "10.125.0.1"],
            "not in subnet",
        ),
        (vec!["--gateway", "10.124.0.1"], "without subnet"),
        (vec!["-d", "macvlan"], "bridge"),
        (vec!["-o", "vlan=3"], "mtu"),
        (vec!["-o", "mtu=5"], "mtu"),
    ] {
        let mut a = vec!["network", "create"];
        a.extend(args.iter().copied());
        a.push("bad");
        let o = rsp().args(a).code(125);
        let e = stderr_of(&o);
        assert!(e.contains(want), "{args:?}: {e}");
        assert_eq!(e.trim().lines().count(), 1, "{e}");
    }
    let e = stderr_of(&rsp().args(["network", "create", "n1"]).code(125));
    assert!(e.contains("already exists"), "{e}");
    rsp().args(["network", "create", "--ignore", "n1"]).ok();
    for bad in ["../x", "a/b", ".hidden", &"n".repeat(300)] {
        let e = stderr_of(&rsp().args(["network", "create", bad]).code(125));
        assert!(e.contains("invalid"), "{bad}: {e}");
    }
    let ls2 = rsp().args(["network", "ls", "-q"]).ok();
    assert_eq!(ls2.lines().count(), 4, "{ls2}");
    let e = stderr_of(&rsp().args(["network", "rm", "podman"]).code(125));
    assert!(
        e.contains("default network podman cannot be removed"),
        "{e}"
    );
    let e = stderr_of(&rsp().args(["network", "create", "podman"]).code(125));
    assert!(e.contains("already used"), "{e}");

    let e = stderr_of(&rsp().args(["network", "rm", "nope"]).code(1));
    assert!(e.contains("network not found"), "{e}");
    assert_eq!(rsp().args(["network", "rm", "n2"]).ok().trim(), "n2");
    let pruned = rsp().args(["network", "prune", "-f"]).ok();
    assert_eq!(pruned.lines().count(), 2, "{pruned}");
    assert_eq!(rsp().args(["network", "ls", "-q"]).ok().trim(), "podman");
}

#[test]
fn issue20_members_reach_each_other_by_name_alias_and_ip() {
    let env = env();
    env.rsp().args(["network", "create", "web"]).ok();
    detach(
        &env,
        &[
            "--network",
            "web",
            "--name",
            "srv",
            "--network-alias",
            "www",
            "--hostname",
            "srv",
        ],
        &["sh", "-c", &format!("/bin/udpecho 7 & {HTTPD}")],
    );
    let ip = inspect(&env, "srv", "{{.NetworkSettings.Networks.web.IPAddress}}");
    assert_eq!(ip, "10.89.0.2");
    // `--network bridge` is Podman's default network, without DNS (as
    // Podman's), reachable by address.
    let out = run(
        &env,
        &["--network", "bridge"],
        &[
            "sh",
            "-c",
            "busybox ip -4 addr show eth0; cat /etc/resolv.conf",
        ],
    )
    .ok();
    assert!(out.contains("inet 10.88.0.2/16"), "{out}");
    assert_eq!(inspect(&env, "srv", "{{.HostConfig.NetworkMode}}"), "web");
    // TCP by name, alias, Podman's domain and address.
    let out = eventually(
        &env,
        "web",
        &format!(
            "wget -qO- http://srv/ && wget -qO- http://www/ && wget -qO- http://srv.dns.podman/ && wget -qO- http://{ip}/"
        ),
    );
    assert_eq!(out.matches("served-by-srv").count(), 4, "{out}");
    // DNS answers the name; UDP and ICMP echo reach it.
    let out = run(
        &env,
        &["--network", "web", "--name", "cli", "--cap-add", "NET_RAW"],
        &[
            "sh",
            "-c",
            &format!("busybox nslookup -type=a www 10.0.2.3 && udpask {ip} 7 hello-udp && busybox ping -c1 -W5 srv && cat /etc/hosts /etc/resolv.conf && busybox ip -4 addr show eth0"),
        ],
    )
    .ok();
    assert!(out.contains(&format!("Address: {ip}")), "{out}");
    assert!(out.contains("hello-udp"), "{out}");
    assert!(out.contains("1 packets received"), "{out}");
    assert!(out.contains("search dns.podman"), "{out}");
    assert!(out.contains("10.89.0.3\t"), "{out}");
    assert!(out.contains("inet 10.89.0.3/24"), "{out}");
    // The container's root cannot reconfigure its network or the bridge.
    let o = run(
        &env,
        &["--network", "web"],
        &[
            "busybox",
            "ip",
            "addr",
            "add",
            "10.89.0.77/24",
            "dev",
            "eth0",
        ],
    )
    .fails();
    let e = stderr_of(&o);
    assert!(e.contains("not permitted"), "{e}");
    env.rsp().args(["rm", "-f", "srv"]).ok();
    // The member's name and address are gone with it.
    let o = run(
        &env,
        &["--network", "web"],
        &["busybox", "nslookup", "-type=a", "srv", "10.0.2.3"],
    )
    .fails();
    assert!(
        !o.status.success(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(live_members(&env, "web").is_empty());
}

/// The members the network's live table lists.
fn live_members(env: &TestEnv, net: &str) -> Vec<serde_json::Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let path = env.runroot().join("networks").join(format!("{net}.json"));
        let v: serde_json::Value = std::fs::read(&path)
            .ok()
            .and_then(|d| serde_json::from_slice(&d).ok())
            .unwrap_or(serde_json::json!({"members": []}));
        let m = v["members"].as_array().cloned().unwrap_or_default();
        // A member's monitor leaves the table when it ends, just after
        // its container: wait for it, briefly.
        if m.is_empty() || Instant::now() > deadline {
            return m;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn issue20_networks_are_isolated_and_internal_ones_have_no_way_out() {
    let env = env();
    env.rsp().args(["network", "create", "one"]).ok();
    env.rsp().args(["network", "create", "two"]).ok();
    env.rsp()
        .args(["network", "create", "--internal", "closed"])
        .ok();
    detach(
        &env,
        &["--network", "one", "--name", "a"],
        &["sh", "-c", HTTPD],
    );
    let ip_a = inspect(&env, "a", "{{.NetworkSettings.Networks.one.IPAddress}}");
    eventually(&env, "one", "wget -qO- http://a/");
    // From another network: neither the name nor the address.
    let out = run(
        &env,
        &["--network", "two"],
        &[
            "sh",
            "-c",
            &format!("busybox nslookup -type=a a 10.0.2.3; wget -T 3 -qO- http://{ip_a}/ && echo REACHED; busybox ip -4 addr show eth0"),
        ],
    )
    .output();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        !s.contains("REACHED") && !s.contains(&format!("Address: {ip_a}")),
        "{s}"
    );
    assert!(s.contains("inet 10.89.1."), "{s}");
    // Without DNS: addresses only.
    env.rsp()
        .args(["network", "create", "--disable-dns", "quiet"])
        .ok();
    detach(
        &env,
        &["--network", "quiet", "--name", "q"],
        &["sh", "-c", HTTPD],
    );
    let ip_q = inspect(&env, "q", "{{.NetworkSettings.Networks.quiet.IPAddress}}");
    let out = eventually(
        &env,
        "quiet",
        &format!("wget -qO- http://{ip_q}/ && ! busybox nslookup -type=a q 10.0.2.3"),
    );
    assert!(out.contains("served-by-"), "{out}");
    // An internal network: its members find each other, nothing else.
    detach(
        &env,
        &["--network", "closed", "--name", "in"],
        &["sh", "-c", HTTPD],
    );
    let host = free_port();
    let listener = std::net::TcpListener::bind(("127.0.0.1", host)).unwrap();
    let out = eventually(
        &env,
        "closed",
        &format!(
            "wget -qO- http://in/ && ! wget -T 3 -qO- http://10.0.2.2:{host}/ && ! busybox nslookup -type=a test.rsp.example 10.0.2.3 && busybox ip route"
        ),
    );
    assert!(out.contains("served-by-"), "{out}");
    assert!(!out.contains("default"), "{out}");
    drop(listener);
}

#[test]
fn issue20_other_names_are_forwarded_and_ports_published() {
    let env = env();
    let (port, h, stop) = dns_server();
    std::fs::write(env.resolv_conf(), format!("nameserver 127.0.0.1:{port}\n")).unwrap();
    env.rsp().args(["network", "create", "pub"]).ok();
    let out = run(
        &env,
        &["--network", "pub"],
        &[
            "busybox",
            "nslookup",
            "-type=a",
            "test.rsp.example",
            "10.0.2.3",
        ],
    )
    .ok();
    assert!(out.contains("Address: 192.0.2.7"), "{out}");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    h.join().unwrap();
    let hp = free_port();
    detach(
        &env,
        &[
            "--network",
            "pub",
            "--name",
            "w",
            "-p",
            &format!("127.0.0.1:{hp}:80"),
        ],
        &["sh", "-c", HTTPD],
    );
    let body = crate::network::http_get(hp);
    assert!(body.contains("served-by-"), "{body}");
}

#[test]
fn issue20_in_use_networks_and_flags_without_one_are_refused() {
    let env = env();
    env.rsp().args(["network", "create", "busy"]).ok();
    env.rsp()
        .args([
            "create",
            "--name",
            "c1",
            "--network",
            "busy",
            image(),
            "true",
        ])
        .ok();
    let e = stderr_of(&env.rsp().args(["network", "rm", "busy"]).code(2));
    assert!(e.contains("network is being used"), "{e}");
    let c1 = inspect(&env, "c1", "{{.Id}}");
    let ps = env
        .rsp()
        .args(["ps", "-aq", "--no-trunc", "--filter", "network=busy"])
        .ok();
    assert_eq!(ps.trim(), c1);

    assert_eq!(
        env.rsp().args(["network", "rm", "-f", "busy"]).ok().trim(),
        "busy"
    );
    env.rsp().args(["container", "exists", "c1"]).code(1);
    // Flags that need a network, a missing network, two networks.
    let e = stderr_of(&run(&env, &["--network-alias", "x"], &["true"]).code(125));
    assert!(e.contains("need a user-defined network"), "{e}");
    let e = stderr_of(&run(&env, &["--network", "nosuch"], &["true"]).code(125));
    assert!(
        e.contains("unable to find network with name or ID nosuch"),
        "{e}"
    );
    env.rsp().args(["network", "create", "n"]).ok();
    let e = stderr_of(&run(&env, &["--network", "n", "--ip", "10.99.0.5"], &["true"]).code(125));
    assert!(e.contains("not in subnet"), "{e}");
    let e = stderr_of(&run(&env, &["--network", "n", "--ip", "10.89.0.1"], &["true"]).code(125));
    assert!(e.contains("gateway"), "{e}");
    let out = run(
        &env,
        &["--network", "n", "--ip", "10.89.0.42"],
        &["busybox", "ip", "-4", "addr", "show", "eth0"],
    )
    .ok();
    assert!(out.contains("inet 10.89.0.42/24"), "{out}");
    let e = stderr_of(&run(&env, &["--network", "n,busy2"], &["true"]).code(125));
    assert!(
        e.contains("unable to find network with name or ID busy2"),
        "{e}"
    );
    let e = stderr_of(&run(&env, &["--network", "n,n"], &["true"]).code(125));
    assert!(e.contains("each network's name once"), "{e}");
    assert_eq!(env.rsp().args(["ps", "-aq"]).ok().trim(), "");
    // `system prune` removes the networks no container uses.
    env.rsp().args(["network", "create", "idle"]).ok();
    let out = env.rsp().args(["system", "prune", "-f"]).ok();
    assert!(out.contains("Deleted Networks\nidle\nn\n"), "{out}");
    assert_eq!(
        env.rsp().args(["network", "ls", "-q"]).ok().trim(),
        "podman"
    );
}

/// The pid of a container's monitor.
fn monitor_pid(env: &TestEnv, name: &str) -> i32 {
    inspect(env, name, "{{.State.ConmonPid}}").parse().unwrap()
}

#[test]
fn issue20_killing_a_members_monitor_leaves_the_others_reachable() {
    let env = env();
    env.rsp().args(["network", "create", "k"]).ok();
    // The first member made the network's namespaces; it goes first.
    for n in ["first", "second", "third"] {
        detach(
            &env,
            &["--network", "k", "--name", n, "--hostname", n],
            &["sh", "-c", HTTPD],
        );
    }
    eventually(
        &env,
        "k",
        "wget -qO- http://second/ && wget -qO- http://third/",
    );
    let m = monitor_pid(&env, "first");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(m),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::path::Path::new(&format!("/proc/{m}")).exists() {
        assert!(Instant::now() < deadline, "monitor {m} did not die");
        std::thread::sleep(Duration::from_millis(20));
    }
    // A new member still joins the same bridge and finds the others.
    let out = eventually(
        &env,
        "k",
        "wget -qO- http://second/ && wget -qO- http://third/ && ! busybox nslookup -type=a first 10.0.2.3",
    );
    assert!(
        out.contains("served-by-second") && out.contains("served-by-third"),
        "{out}"
    );
    env.rsp().args(["rm", "-af"]).ok();
    assert!(live_members(&env, "k").is_empty());
    // Nothing of the network is left running.
    let ps = std::process::Command::new("pgrep")
        .args([
            "-u",
            &nix::unistd::getuid().to_string(),
            "-f",
            &env.root().display().to_string(),
        ])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&ps.stdout).trim().is_empty(),
        "{ps:?}"
    );
}

/// Debian's podman-compose drives rsp through its command line: a web
/// service, a database-like one and a worker that find each other by
/// service name, a named volume and a published port come up, answer on
/// the host's loopback, show in `ps` and `logs`, and come down leaving
/// nothing behind.
#[test]
fn issue20_podman_compose_brings_an_application_up_and_down() {
    let env = env();
    let dir = env.tmp().join("app");
    std::fs::create_dir_all(&dir).unwrap();
    // podman-compose runs "podman"; rsp in this test's store stands in.
    let wrapper = dir.join("rsp-here");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nexec {} --root {} --runroot {} \"$@\"\n",
            crate::util::rsp_bin(),
            env.root().display(),
            env.runroot().display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(
        &wrapper,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let port = free_port();
    let img = image();
    std::fs::write(
        dir.join("docker-compose.yml"),
        format!(
            r#"version: "3"
services:
  web:
    image: {img}
    command: ["sh", "-c", "mkdir -p /www && echo web-page > /www/index.html && exec httpd -f -p 80 -h /www"]
    ports:
      - "127.0.0.1:{port}:80"
  db:
    image: {img}
    command: ["sh", "-c", "echo stored-row > /data/index.html && echo db-ready && exec httpd -f -p 5432 -h /data"]
    volumes:
      - dbdata:/data
  worker:
    image: {img}
    command: ["sh", "-c", "for i in $$(seq 100); do wget -qO- http://web/ && wget -qO- http://db:5432/ && echo worker-done && exec sleep 600; sleep 0.2; done"]
volumes:
  dbdata:
"#
        ),
    )
    .unwrap();
    let compose = |args: &[&str]| {
        let mut a = vec!["--podman-path", wrapper.to_str().unwrap()];
        a.extend_from_slice(args);
        env.cmd("podman-compose").args(a).current_dir(&dir)
    };
    compose(&["up", "-d"]).ok();
    let body = crate::network::http_get(port);
    assert!(body.contains("web-page"), "{body}");
    // The worker found both services by name.
    let deadline = Instant::now() + Duration::from_secs(30);
    let logs = loop {
        let l = env.rsp().args(["logs", "app_worker_1"]).ok();
        if l.contains("worker-done") || Instant::now() > deadline {
            break l;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(
        logs.contains("web-page") && logs.contains("stored-row") && logs.contains("worker-done"),
        "{logs}"
    );
    let ps = compose(&["ps"]).ok();
    for s in ["app_web_1", "app_db_1", "app_worker_1"] {
        assert!(ps.contains(s), "{ps}");
    }
    let logs = compose(&["logs", "db"]).ok();
    assert!(logs.contains("db-ready"), "{logs}");
    assert_eq!(
        env.rsp().args(["volume", "ls", "-q"]).ok().trim(),
        "app_dbdata"
    );
    compose(&["down", "-t", "1", "-v"]).ok();
    assert_eq!(env.rsp().args(["ps", "-aq"]).ok().trim(), "");
    assert_eq!(env.rsp().args(["volume", "ls", "-q"]).ok().trim(), "");
    assert!(live_members(&env, "app_default").is_empty());
    // podman-compose 1.0.3 leaves the network, as with Podman; it is free.
    env.rsp().args(["network", "rm", "app_default"]).ok();
    let ps = std::process::Command::new("pgrep")
        .args(["-f", &env.root().display().to_string()])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&ps.stdout).trim().is_empty(),
        "{ps:?}"
    );
}

#[test]
fn issue20_dns_hosts_and_mac_flags() {
    let env = env();
    let out = run(
        &env,
        &[
            "--name",
            "flags",
            "--dns",
            "192.0.2.53",
            "--dns-search",
            "example.test",
            "--dns-option",
            "ndots:2",
            "--add-host",
            "db.local:10.1.2.3",
            "--add-host",
            "gw:host-gateway",
            "--mac-address",
            "92:d0:c6:0a:29:33",
        ],
        &[
            "sh",
            "-c",
            "cat /etc/resolv.conf /etc/hosts /sys/class/net/eth0/address",
        ],
    )
    .ok();
    for want in [
        "nameserver 192.0.2.53",
        "search example.test",
        "options ndots:2",
        "10.1.2.3\tdb.local",
        "10.0.2.2\tgw",
        "92:d0:c6:0a:29:33",
    ] {
        assert!(out.contains(want), "{want}: {out}");
    }
    assert!(!out.contains("10.0.2.3"), "{out}");
    // On a user-defined network the MAC is eth0's.
    env.rsp().args(["network", "create", "m"]).ok();
    let out = run(
        &env,
        &["--network", "m", "--mac-address", "92:d0:c6:0a:29:34"],
        &["cat", "/sys/class/net/eth0/address"],
    )
    .ok();
    assert_eq!(out.trim(), "92:d0:c6:0a:29:34");
    // --no-hosts and --dns none keep the image's files (it has none).
    let o = run(
        &env,
        &["--no-hosts", "--dns", "none"],
        &["sh", "-c", "cat /etc/hosts; cat /etc/resolv.conf"],
    )
    .fails();
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(!s.contains("10.0.2.") && !s.contains("localhost"), "{s}");
    let id = detach(
        &env,
        &["--add-host", "x:[::1]", "--dns-search", "."],
        &["sleep", "60"],
    );
    assert_eq!(inspect(&env, &id, "{{.HostConfig.ExtraHosts}}"), "[x:::1]");
    env.rsp().args(["rm", "-f", &id]).ok();
    for (flags, want) in [
        (vec!["--add-host", "nocolon"], "--add-host"),
        (vec!["--add-host", "a:notanip"], "--add-host"),
        (vec!["--dns", "nine"], "--dns"),
        (vec!["--dns", "none", "--dns", "1.1.1.1"], "--dns"),
        (vec!["--dns-option", "a b"], "--dns-option"),
        (vec!["--mac-address", "01:00:5e:00:00:01"], "--mac-address"),
        (vec!["--mac-address", "92:d0:c6"], "--mac-address"),
        (vec!["--no-hosts", "--add-host", "a:1.2.3.4"], "--no-hosts"),
        (
            vec!["--network", "host", "--dns", "1.1.1.1"],
            "--network host",
        ),
        (
            vec!["--network", "none", "--mac-address", "92:d0:c6:0a:29:33"],
            "--network none",
        ),
    ] {
        let e = stderr_of(&run(&env, &flags, &["true"]).code(125));
        assert!(e.contains(want), "{flags:?}: {e}");
        assert_eq!(e.trim().lines().count(), 1, "{e}");
    }
    assert_eq!(env.rsp().args(["ps", "-aq"]).ok().trim(), "");
}

#[test]
fn issue20_several_networks_and_connect_disconnect() {
    let env = env();
    for n in ["front", "back"] {
        env.rsp().args(["network", "create", n]).ok();
    }
    detach(
        &env,
        &["--network", "front", "--name", "web", "--hostname", "web"],
        &["sh", "-c", HTTPD],
    );
    detach(
        &env,
        &["--network", "back", "--name", "db", "--hostname", "db"],
        &["sh", "-c", HTTPD],
    );
    // A member of both reaches both, on eth0 and eth1.
    detach(
        &env,
        &["--network", "front,back", "--name", "app"],
        &["sleep", "600"],
    );
    let both = "wget -qO- http://web/ && wget -qO- http://db/ && cat /sys/class/net/eth1/address";
    let out = until_ok(|| env.rsp().args(["exec", "app", "sh", "-c", both]));
    assert!(
        out.contains("served-by-web") && out.contains("served-by-db"),
        "{out}"
    );
    // Disconnected: the interface and the name are gone at once.
    env.rsp()
        .args(["network", "disconnect", "back", "app"])
        .ok();
    let o = env
        .rsp()
        .args([
            "exec",
            "app",
            "sh",
            "-c",
            "ls /sys/class/net; busybox nslookup -type=a db 10.0.2.3",
        ])
        .output();
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(!o.status.success() && !s.contains("eth1"), "{s}");
    // Connected while running, with an alias of that network's; the
    // address db's cache may still hold for app's old interface is
    // announced anew.
    env.rsp()
        .args(["network", "connect", "--alias", "www", "back", "web"])
        .ok();
    let out = env
        .rsp()
        .args([
            "exec",
            "db",
            "sh",
            "-c",
            "wget -qO- http://www/ && wget -qO- http://web/",
        ])
        .ok();
    assert_eq!(out.matches("served-by-web").count(), 2, "{out}");
    assert!(
        inspect(&env, "web", "{{.NetworkSettings.Networks.back.IPAddress}}")
            .starts_with("10.89.1."),
    );
    let e = stderr_of(
        &env.rsp()
            .args(["network", "connect", "back", "web"])
            .code(125),
    );
    assert!(e.contains("already connected"), "{e}");
    let e = stderr_of(
        &env.rsp()
            .args(["network", "disconnect", "back", "app"])
            .code(125),
    );
    assert!(e.contains("not connected"), "{e}");
    // A stopped container's record changes, for its next start.
    env.rsp()
        .args([
            "create",
            "--name",
            "later",
            "--network",
            "front",
            image(),
            "true",
        ])
        .ok();
    env.rsp().args(["network", "connect", "back", "later"]).ok();
    assert_eq!(
        inspect(&env, "later", "{{.HostConfig.NetworkMode}}"),
        "front"
    );
    let e = stderr_of(&env.rsp().args(["network", "rm", "back"]).code(2));
    assert!(e.contains("being used"), "{e}");
    // Only containers on user-defined networks can be connected.
    env.rsp()
        .args(["create", "--name", "plain", image(), "true"])
        .ok();
    let e = stderr_of(
        &env.rsp()
            .args(["network", "connect", "front", "plain"])
            .code(125),
    );
    assert!(
        e.contains("only containers created on a user-defined network"),
        "{e}"
    );
}

#[test]
fn issue20_network_container_shares_another_containers_namespace() {
    let env = env();
    // Of a container on rsp's default network, and of a member of a
    // user-defined one: the same loopback, interfaces and names.
    env.rsp().args(["network", "create", "shared"]).ok();
    detach(
        &env,
        &["--name", "plain"],
        &[
            "sh",
            "-c",
            "mkdir -p /w && echo plain-page > /w/index.html && exec httpd -f -p 127.0.0.1:8080 -h /w",
        ],
    );
    detach(
        &env,
        &["--name", "member", "--network", "shared"],
        &[
            "sh",
            "-c",
            "mkdir -p /w && echo member-page > /w/index.html && exec httpd -f -p 127.0.0.1:8081 -h /w",
        ],
    );
    for (target, port, page) in [
        ("plain", 8080, "plain-page"),
        ("member", 8081, "member-page"),
    ] {
        let script =
            format!("wget -qO- http://127.0.0.1:{port}/ && ls /sys/class/net && cat /etc/hosts");
        let out = until_ok(|| {
            run(
                &env,
                &["--network", &format!("container:{target}")],
                &["sh", "-c", &script],
            )
        });
        assert!(out.contains(page), "{out}");
        assert!(out.contains(&format!(" {target}\n")), "{out}");
    }
    let id = inspect(&env, "plain", "{{.Id}}");
    env.rsp()
        .args([
            "create",
            "--name",
            "later",
            "--network",
            "container:plain",
            image(),
            "true",
        ])
        .ok();
    assert_eq!(
        inspect(&env, "later", "{{.HostConfig.NetworkMode}}"),
        format!("container:{id}")
    );
    env.rsp().args(["stop", "-t", "0", "plain"]).ok();
    let e = stderr_of(&env.rsp().args(["start", "later"]).code(125));
    assert!(e.contains("not running"), "{e}");
    for (flags, want) in [
        (vec!["--network", "container:nosuch"], "no container"),
        (vec!["--network", "container:member", "-p", "8000:80"], "-p"),
        (
            vec!["--network", "container:member", "--dns", "1.1.1.1"],
            "--dns",
        ),
    ] {
        let e = stderr_of(&run(&env, &flags, &["true"]).code(125));
        assert!(e.contains(want), "{flags:?}: {e}");
    }
}

/// Review findings: a restarting member, `exec` into a container sharing
/// another's network, reconnecting after leaving every network, `--dns`
/// on a network, one search line, and interfaces that keep MULTICAST.
#[test]
fn issue20_restarts_exec_reconnects_and_resolvers() {
    let env = env();
    std::fs::write(
        env.resolv_conf(),
        "search corp.example\nnameserver 127.0.0.1:9\n",
    )
    .unwrap();
    env.rsp().args(["network", "create", "r"]).ok();
    env.rsp().args(["network", "create", "r2"]).ok();
    // A member that fails restarts on the network, with its own code.
    let id = detach(
        &env,
        &["--network", "r", "--restart", "on-failure:2"],
        &["sh", "-c", "sleep 0.2; exit 3"],
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let st = inspect(
            &env,
            &id,
            "{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}",
        );
        if st == "exited 2 3" {
            break;
        }
        assert!(Instant::now() < deadline, "{st}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let logs = env.rsp().args(["logs", &id]).ok();
    assert!(!logs.contains("File exists"), "{logs}");
    // exec in a container that shares a member's network.
    detach(
        &env,
        &["--network", "r", "--name", "srv"],
        &["sh", "-c", HTTPD],
    );
    detach(
        &env,
        &["--network", "container:srv", "--name", "side"],
        &["sleep", "600"],
    );
    let out = until_ok(|| {
        env.rsp()
            .args(["exec", "side", "wget", "-qO-", "http://127.0.0.1/"])
    });
    assert!(out.contains("served-by-"), "{out}");
    // Left every network, then connected again.
    detach(
        &env,
        &["--network", "r", "--name", "mover"],
        &["sleep", "600"],
    );
    env.rsp().args(["network", "disconnect", "r", "mover"]).ok();
    env.rsp().args(["network", "connect", "r2", "mover"]).ok();
    let out = env
        .rsp()
        .args(["exec", "mover", "cat", "/sys/class/net/eth0/flags"])
        .ok();
    let flags = u32::from_str_radix(out.trim().trim_start_matches("0x"), 16).unwrap();
    assert!(flags & 0x1000 != 0, "no IFF_MULTICAST: {out}");
    // --dns on a network: members' names still resolve; one search line.
    let out = run(
        &env,
        &[
            "--network",
            "r",
            "--dns",
            "192.0.2.53",
            "--dns-search",
            "x.example",
        ],
        &[
            "sh",
            "-c",
            "cat /etc/resolv.conf; busybox nslookup -type=a srv 10.0.2.3",
        ],
    )
    .ok();
    assert!(out.contains("nameserver 10.0.2.3"), "{out}");
    assert!(!out.contains("nameserver 192.0.2.53"), "{out}");
    assert_eq!(out.matches("search ").count(), 1, "{out}");
    assert!(out.contains("search dns.podman x.example"), "{out}");
    assert!(out.contains("Address: 10.89.0."), "{out}");
    let out = run(&env, &["--network", "r"], &["cat", "/etc/resolv.conf"]).ok();
    assert!(out.contains("search dns.podman corp.example\n"), "{out}");
}

/// Pods: an infra container (rsp itself as pid 1, no pause image) holds
/// the network, uts and ipc namespaces its members share; the pod's ports
/// and hostname are its; the pod commands act on all its containers.
#[test]
fn issue20_pods_share_localhost_and_come_and_go_whole() {
    let env = env();
    let port = free_port();
    let id = env
        .rsp()
        .args([
            "pod",
            "create",
            "--name",
            "trio",
            "--hostname",
            "trio-host",
            "-p",
            &format!("127.0.0.1:{port}:80"),
            "-l",
            "app=t",
        ])
        .ok()
        .trim()
        .to_string();
    assert_eq!(id.len(), 64);
    // Three members: a web server, a "database" on another port, a client.
    detach(
        &env,
        &["--pod", "trio", "--name", "web"],
        &[
            "sh",
            "-c",
            "mkdir -p /w && echo pod-web > /w/index.html && exec httpd -f -p 80 -h /w",
        ],
    );
    detach(
        &env,
        &["--pod", "trio", "--name", "db"],
        &[
            "sh",
            "-c",
            "mkdir -p /d && echo pod-db > /d/index.html && echo db-up && exec httpd -f -p 5432 -h /d",
        ],
    );
    let out = until_ok(|| {
        run(
            &env,
            &["--pod", "trio"],
            &[
                "sh",
                "-c",
                "wget -qO- http://127.0.0.1/ && wget -qO- http://localhost:5432/ && hostname && ls /sys/class/net",
            ],
        )
    });
    assert!(out.contains("pod-web") && out.contains("pod-db"), "{out}");
    assert!(out.contains("trio-host"), "{out}");
    // The pod's published port reaches its web server from the host.
    assert!(crate::network::http_get(port).contains("pod-web"));
    // exec into a member works through the shared namespaces.
    let out = env
        .rsp()
        .args(["exec", "db", "wget", "-qO-", "http://127.0.0.1/"])
        .ok();
    assert!(out.contains("pod-web"), "{out}");
    let ps = env.rsp().args(["pod", "ps"]).ok();
    assert!(
        ps.contains("trio") && ps.contains("Running") && ps.contains(" 3"),
        "{ps}"
    );
    let v: serde_json::Value =
        serde_json::from_str(&env.rsp().args(["pod", "inspect", "trio"]).ok()).unwrap();
    assert_eq!(v["Name"], "trio");
    assert_eq!(v["NumContainers"], 3);
    assert_eq!(
        v["SharedNamespaces"],
        serde_json::json!(["ipc", "net", "uts"])
    );
    assert_eq!(v["Labels"]["app"], "t");
    let infra = v["InfraContainerID"].as_str().unwrap().to_string();
    let e = stderr_of(&env.rsp().args(["rm", &infra]).code(125));
    assert!(e.contains("infra container of a pod"), "{e}");
    let psp = env.rsp().args(["ps", "--pod"]).ok();
    assert!(psp.contains("PODNAME") && psp.contains("trio"), "{psp}");
    // The infra is rsp itself, running nothing of an image.
    let pid: i32 = inspect(&env, &infra, "{{.State.Pid}}").parse().unwrap();
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap();
    assert_eq!(comm.trim(), "rsp-infra");
    // top, stats and logs of its containers.
    let top = env.rsp().args(["pod", "top", "trio"]).ok();
    assert!(top.contains("web:") && top.contains("httpd"), "{top}");
    let stats = env
        .rsp()
        .args([
            "pod",
            "stats",
            "--no-stream",
            "--format",
            "{{.Name}}",
            "trio",
        ])
        .ok();
    assert!(stats.contains("web") && stats.contains("db"), "{stats}");
    let logs = env.rsp().args(["pod", "logs", "trio"]).ok();
    assert!(logs.contains("db-up"), "{logs}");
    let logs = env.rsp().args(["pod", "logs", "-c", "web", "trio"]).ok();
    assert!(!logs.contains("db-up"), "{logs}");
    // Paused and unpaused whole.
    env.rsp().args(["pod", "pause", "trio"]).ok();
    assert!(env.rsp().args(["pod", "ps"]).ok().contains("Paused"));
    env.rsp().args(["pod", "unpause", "trio"]).ok();
    eventually_pod(&env, "trio");
    // Members' flags that are the pod's are refused.
    for (flags, want) in [
        (vec!["--pod", "trio", "-p", "8000:80"], "pod create"),
        (vec!["--pod", "trio", "--network", "none"], "pod create"),
        (vec!["--pod", "trio", "--hostname", "x"], "pod create"),
        (vec!["--pod", "nosuch"], "no pod"),
    ] {
        let e = stderr_of(&run(&env, &flags, &["true"]).code(125));
        assert!(e.contains(want), "{flags:?}: {e}");
    }
    // The infra is nobody's to exec into, and a signal the members
    // handle does not take it (and the pod's network) down.
    let e = stderr_of(&env.rsp().args(["exec", &infra, "true"]).code(125));
    assert!(e.contains("infra container"), "{e}");
    env.rsp().args(["pod", "kill", "-s", "HUP", "trio"]).ok();
    assert_eq!(inspect(&env, &infra, "{{.State.Status}}"), "running");
    // Stopped whole, started whole (the infra first), removed whole.
    env.rsp().args(["pod", "stop", "-t", "1", "trio"]).ok();
    assert!(env.rsp().args(["pod", "ps"]).ok().contains("Exited"));
    let e = stderr_of(&env.rsp().args(["pod", "rm", "nosuch"]).code(1));
    assert!(e.contains("no such pod"), "{e}");
    env.rsp().args(["pod", "start", "trio"]).ok();
    eventually_pod(&env, "trio");
    let e = stderr_of(&env.rsp().args(["pod", "rm", "trio"]).code(125));
    assert!(e.contains("running containers"), "{e}");
    env.rsp().args(["pod", "rm", "-f", "-t", "1", "trio"]).ok();
    env.rsp().args(["pod", "exists", "trio"]).code(1);
    assert_eq!(env.rsp().args(["ps", "-aq"]).ok().trim(), "");
    // A pod on a user-defined network: its members reach the network's
    // other members by name, and are reached by the pod's name.
    env.rsp().args(["network", "create", "podnet"]).ok();
    detach(
        &env,
        &[
            "--network",
            "podnet",
            "--name",
            "outside",
            "--hostname",
            "outside",
        ],
        &["sh", "-c", HTTPD],
    );
    env.rsp()
        .args(["pod", "create", "--name", "onnet", "--network", "podnet"])
        .ok();
    detach(
        &env,
        &["--pod", "onnet", "--name", "inpod"],
        &[
            "sh",
            "-c",
            "mkdir -p /w && echo in-pod > /w/index.html && exec httpd -f -p 80 -h /w",
        ],
    );
    let out = until_ok(|| {
        env.rsp()
            .args(["exec", "inpod", "wget", "-qO-", "http://outside/"])
    });
    assert!(out.contains("served-by-outside"), "{out}");
    let infra_name = format!("{}-infra", &inspect(&env, "onnet", "{{.Id}}")[..12]);
    let out = eventually(
        &env,
        "podnet",
        &format!("wget -qO- http://{infra_name}/ && wget -qO- http://onnet/"),
    );
    assert_eq!(out.matches("in-pod").count(), 2, "{out}");
    // `rm -a` leaves the pods' infra containers be.
    env.rsp().args(["rm", "-a"]).fails();
    env.rsp().args(["pod", "exists", "onnet"]).ok();
    env.rsp().args(["pod", "rm", "-f", "onnet"]).ok();
    env.rsp().args(["rm", "-f", "outside"]).ok();
    // A new pod's infra is only created: prunes leave it to its pod.
    env.rsp().args(["pod", "create", "--name", "idle"]).ok();
    env.rsp().args(["container", "prune", "-f"]).ok();
    run(&env, &["--pod", "idle"], &["true"]).ok();
    let e = stderr_of(
        &env.rsp()
            .args(["pod", "create", "--network", "host", "--name", "h"])
            .code(125),
    );
    assert!(e.contains("host"), "{e}");
    // A pod `run --pod new:` made goes again when the container is not made.
    let e = stderr_of(&run(&env, &["--pod", "new:oops", "--network", "none"], &["true"]).code(125));
    assert!(e.contains("pod create"), "{e}");
    env.rsp().args(["pod", "exists", "oops"]).code(1);
    env.rsp().args(["pod", "stop", "idle"]).ok();
    let out = env.rsp().args(["system", "prune", "-f"]).ok();
    assert!(out.contains("Deleted Pods"), "{out}");
    env.rsp().args(["pod", "exists", "idle"]).code(1);
    // --pod new:NAME makes one; --infra=false pods share nothing.
    run(&env, &["--pod", "new:fresh"], &["true"]).ok();
    env.rsp().args(["pod", "exists", "fresh"]).ok();
    env.rsp()
        .args(["pod", "create", "--infra=false", "--name", "loose"])
        .ok();
    let out = run(
        &env,
        &["--pod", "loose", "--hostname", "own"],
        &["hostname"],
    )
    .ok();
    assert_eq!(out.trim(), "own");
    let e = stderr_of(
        &env.rsp()
            .args(["pod", "create", "--share", "pid", "--name", "x"])
            .code(125),
    );
    assert!(e.contains("--share"), "{e}");
    // Prune takes pods none of whose containers runs: fresh's infra was
    // started with its member, and runs until stopped.
    let pruned = env.rsp().args(["pod", "prune", "-f"]).ok();
    assert_eq!(pruned.lines().count(), 1, "{pruned}");
    env.rsp().args(["pod", "stop", "fresh"]).ok();
    let pruned = env.rsp().args(["pod", "prune", "-f"]).ok();
    assert_eq!(pruned.lines().count(), 1, "{pruned}");
    assert_eq!(env.rsp().args(["pod", "ps", "-q"]).ok().trim(), "");
}

fn eventually_pod(env: &TestEnv, pod: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let ps = env
            .rsp()
            .args(["pod", "ps", "--format", "{{.Name}} {{.Status}}"])
            .ok();
        if ps.contains(&format!("{pod} Running")) {
            return;
        }
        assert!(Instant::now() < deadline, "{ps}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Members started at once on a network nobody holds yet all end up on
/// one bridge (the first join makes the namespaces under a lock; the
/// others find them through it).
#[test]
fn issue20_members_started_at_once_share_one_bridge() {
    let env = env();
    env.rsp().args(["network", "create", "race"]).ok();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let cmd = env.rsp().args([
                "run",
                "-d",
                "--network",
                "race",
                "--name",
                &format!("m{i}"),
                "--hostname",
                &format!("m{i}"),
                image(),
                "sh",
                "-c",
                HTTPD,
            ]);
            std::thread::spawn(move || cmd.ok())
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let ips: std::collections::BTreeSet<String> = (0..4)
        .map(|i| {
            inspect(
                &env,
                &format!("m{i}"),
                "{{.NetworkSettings.Networks.race.IPAddress}}",
            )
        })
        .collect();
    assert_eq!(ips.len(), 4, "{ips:?}");
    let out = eventually(
        &env,
        "race",
        "wget -qO- http://m0/ && wget -qO- http://m1/ && wget -qO- http://m2/ && wget -qO- http://m3/",
    );
    for i in 0..4 {
        assert!(out.contains(&format!("served-by-m{i}")), "{out}");
    }
}
