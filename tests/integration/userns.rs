//! Issue 16 (its user part): `--userns=keep-id` runs the container as the
//! caller's own uid and gid with an `/etc/passwd` entry and home for them,
//! the modes rsp cannot run are refused with why, `--user` names resolve
//! in the image, and `--group-add` adds supplementary groups.

use crate::util::image::{ImageBuilder, Layer, busybox_image};
use crate::util::registry::shared;
use crate::util::{Cmd, TestEnv};
use std::sync::OnceLock;

const DRIVERS: &[&str] = &["overlay", "fuse-overlay", "vfs"];

/// The busybox test image. Its `/etc/passwd`: root 0:0 (`/root`),
/// www-data 33:33 (`/var/www`), user 1000:1000 (`/home/user`), nobody
/// 65534:65534; its `/etc/group`: root 0, www-data 33, user 1000,
/// nogroup 65534, none with members.
fn busybox() -> &'static str {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| {
        busybox_image()
            .push(shared(), "userns-busybox", "latest")
            .reference
    })
}

/// busybox with WorkingDir `/srv/app`.
fn workdir_image() -> &'static str {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| {
        busybox_image()
            .layer(Layer::new().dir("/srv", 0o755).dir("/srv/app", 0o755))
            .workdir("/srv/app")
            .push(shared(), "userns-workdir", "v1")
            .reference
    })
}

/// busybox whose `/etc/group` lists www-data in adm (4) and web (80),
/// and someone else in staff (50).
fn groups_image() -> &'static str {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| {
        ImageBuilder::new()
            .layer(Layer::new().busybox())
            .layer(Layer::new().file(
                "/etc/group",
                0o644,
                b"root:x:0:\nadm:x:4:syslog,www-data\nwww-data:x:33:www-data\n\
                  staff:x:50:user\nweb:x:80:user,www-data\nnogroup:x:65534:\n",
            ))
            .env("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
            .cmd(&["sh"])
            .push(shared(), "userns-groups", "v1")
            .reference
    })
}

fn env_with(images: &[&str]) -> TestEnv {
    let env = TestEnv::new();
    for image in images {
        env.rsp().args(["pull", "-q", image]).ok();
    }
    env
}

fn rsp(env: &TestEnv, args: &[&str]) -> Cmd {
    env.rsp().args(args)
}

/// The test user as the host's user database has it.
fn me() -> nix::unistd::User {
    nix::unistd::User::from_uid(nix::unistd::getuid())
        .unwrap()
        .expect("the test user has a passwd entry")
}

fn my_group() -> String {
    nix::unistd::Group::from_gid(nix::unistd::getgid())
        .unwrap()
        .expect("the test user's group has a name")
        .name
}

/// Stderr of a run that must exit with `code`.
fn stderr_of(cmd: Cmd, code: i32) -> String {
    String::from_utf8_lossy(&cmd.code(code).stderr).into_owned()
}

/// What the keep-id checks print: ids, names, HOME and its directory,
/// the working directory, and how many passwd lines name the user.
const KEEP_ID_SCRIPT: &str = r#"id -u; id -g; whoami; id -gn; echo "$HOME"
test -d "$HOME" && echo home-is-a-dir; stat -c %u "$HOME"; pwd
grep -c "^$(whoami):" /etc/passwd"#;

fn expected_keep_id_output() -> String {
    let me = me();
    format!(
        "{uid}\n{gid}\n{name}\n{group}\n{home}\nhome-is-a-dir\n{uid}\n/\n1\n",
        uid = me.uid,
        gid = me.gid,
        name = me.name,
        group = my_group(),
        home = me.dir.display(),
    )
}

#[test]
fn issue16_keep_id_maps_your_own_uid() {
    let image = busybox();
    let failed: Vec<&str> = DRIVERS
        .iter()
        .copied()
        .filter(|driver| {
            std::panic::catch_unwind(|| {
                let env = TestEnv::new();
                let rsp = |args: &[&str]| env.rsp().args(["--storage-driver", driver]).args(args);
                rsp(&["pull", "-q", image]).ok();
                let out = rsp(&[
                    "run",
                    "--rm",
                    "--userns=keep-id",
                    image,
                    "sh",
                    "-c",
                    KEEP_ID_SCRIPT,
                ])
                .ok();
                assert_eq!(out, expected_keep_id_output(), "{driver}");
            })
            .is_err()
        })
        .collect();
    assert!(failed.is_empty(), "failed on {failed:?}");
}

#[test]
fn issue16_keep_id_survives_create_and_start_and_adds_nothing_twice() {
    let env = env_with(&[busybox()]);
    let me = me();
    rsp(
        &env,
        &[
            "create",
            "--name",
            "kept",
            "--userns=keep-id",
            busybox(),
            "sh",
            "-c",
            KEEP_ID_SCRIPT,
        ],
    )
    .ok();
    let shown = rsp(
        &env,
        &[
            "inspect",
            "--format",
            "{{.HostConfig.UsernsMode}} {{.Config.User}}",
            "kept",
        ],
    )
    .ok();
    assert_eq!(shown.trim(), format!("keep-id {}:{}", me.uid, me.gid));
    // Started twice: the entry is added once, the home made once.
    for _ in 0..2 {
        let out = rsp(&env, &["start", "--attach", "kept"]).ok();
        assert_eq!(out, expected_keep_id_output());
    }
    // The default shows as Podman's: empty.
    rsp(&env, &["create", "--name", "plain", busybox(), "true"]).ok();
    let shown = rsp(
        &env,
        &[
            "inspect",
            "--format",
            "[{{.HostConfig.UsernsMode}}]",
            "plain",
        ],
    )
    .ok();
    assert_eq!(shown.trim(), "[]");
}

#[test]
fn issue16_keep_id_keeps_the_image_workdir() {
    let env = env_with(&[workdir_image(), busybox()]);
    let me = me();
    let out = rsp(
        &env,
        &[
            "run",
            "--rm",
            "--userns=keep-id",
            workdir_image(),
            "sh",
            "-c",
            "pwd; id -u; echo $HOME",
        ],
    )
    .ok();
    assert_eq!(out, format!("/srv/app\n{}\n{}\n", me.uid, me.dir.display()));
    // --user overrides keep-id's uid, as in Podman; HOME is its own.
    let out = rsp(
        &env,
        &[
            "run",
            "--rm",
            "--userns=keep-id",
            "--user",
            "www-data",
            busybox(),
            "sh",
            "-c",
            "id -u; id -g; echo $HOME",
        ],
    )
    .ok();
    assert_eq!(out, "33\n33\n/var/www\n");
    // keep-id with ids given: those ids, and (as Podman) no entry added.
    let out = rsp(
        &env,
        &[
            "run",
            "--rm",
            "--userns=keep-id:uid=4242,gid=4343",
            busybox(),
            "sh",
            "-c",
            "id -u; id -g; grep -c :4242: /etc/passwd; echo $HOME",
        ],
    )
    .ok();
    assert_eq!(out, "4242\n4343\n0\n/\n");
}

#[test]
fn issue16_userns_host_and_other_modes_are_refused() {
    let env = env_with(&[busybox()]);
    for verb in ["run", "create"] {
        let err = stderr_of(rsp(&env, &[verb, "--userns=host", busybox(), "true"]), 125);
        assert!(
            err.contains("--userns=host is not supported")
                && err.contains("user namespace of its own")
                && err.contains("--userns=keep-id"),
            "{verb}: {err}"
        );
    }
    for (mode, why) in [
        ("auto", "subordinate ids"),
        ("auto:size=1000", "subordinate ids"),
        ("nomap", "subordinate ids"),
        (
            "ns:/proc/self/ns/user",
            "cannot join another user namespace",
        ),
        ("container:other", "cannot join another user namespace"),
        ("keep-id:size=10", "keep-id takes uid=UID and gid=GID"),
        ("private", "unknown --userns mode"),
    ] {
        let err = stderr_of(
            rsp(&env, &["run", "--rm", "--userns", mode, busybox(), "true"]),
            125,
        );
        assert!(err.contains(why), "{mode}: {err}");
    }
    // Nothing was created by the refused ones.
    assert_eq!(rsp(&env, &["ps", "-aq"]).ok(), "");
    // "" is the default: the caller is the container's root.
    let out = rsp(&env, &["run", "--rm", "--userns=", busybox(), "id", "-u"]).ok();
    assert_eq!(out, "0\n");
}

#[test]
fn issue16_user_by_name_resolves_in_the_image() {
    let env = env_with(&[busybox()]);
    // www-data is 33:33 with home /var/www in the image's /etc/passwd.
    let out = rsp(
        &env,
        &[
            "run",
            "--rm",
            "--user",
            "www-data",
            busybox(),
            "sh",
            "-c",
            "id -u; id -g; whoami; echo $HOME",
        ],
    )
    .ok();
    assert_eq!(out, "33\n33\nwww-data\n/var/www\n");
    // A group by name: nogroup is 65534 in the image's /etc/group.
    let out = rsp(
        &env,
        &[
            "run",
            "--rm",
            "--user",
            "www-data:nogroup",
            busybox(),
            "sh",
            "-c",
            "id -u; id -g",
        ],
    )
    .ok();
    assert_eq!(out, "33\n65534\n");
    let err = stderr_of(
        rsp(
            &env,
            &["run", "--rm", "--user", "nosuch", busybox(), "true"],
        ),
        125,
    );
    assert!(err.contains("unable to find user nosuch"), "{err}");
}

#[test]
fn issue16_group_add_and_image_memberships_show_in_inspect() {
    let env = env_with(&[groups_image()]);
    let inspect = |name: &str| {
        rsp(
            &env,
            &[
                "inspect",
                "--format",
                "{{json .HostConfig.GroupAdd}} {{json .HostConfig.SupplementaryGroups}}",
                name,
            ],
        )
        .ok()
    };
    // www-data's own memberships (adm 4, web 80; its primary 33 is left
    // out), then --group-add's: a name, GIDs, comma-separated too.
    rsp(
        &env,
        &[
            "create",
            "--name",
            "grouped",
            "--user",
            "www-data",
            "--group-add",
            "staff",
            "--group-add",
            "1234,33,80",
            groups_image(),
            "true",
        ],
    )
    .ok();
    assert_eq!(
        inspect("grouped").trim(),
        r#"["staff","1234","33","80"] [4,50,80,1234]"#
    );
    // An explicit group is the only one, as in Docker and Podman.
    rsp(
        &env,
        &[
            "create",
            "--name",
            "explicit",
            "--user",
            "www-data:www-data",
            groups_image(),
            "true",
        ],
    )
    .ok();
    assert_eq!(inspect("explicit").trim(), "[] []");
    let err = stderr_of(
        rsp(
            &env,
            &["create", "--group-add", "nosuch", groups_image(), "true"],
        ),
        125,
    );
    assert!(
        err.contains("unable to find group nosuch for --group-add"),
        "{err}"
    );
    let err = stderr_of(
        rsp(
            &env,
            &[
                "create",
                "--group-add",
                "keep-groups",
                groups_image(),
                "true",
            ],
        ),
        125,
    );
    assert!(
        err.contains("--group-add keep-groups is not supported"),
        "{err}"
    );
}
