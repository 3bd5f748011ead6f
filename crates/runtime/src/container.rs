//! Container records: what was asked for (`container.json`, written once at
//! creation) and what happened (`state.json`, rewritten on each change).
//!
//! Contract: a record whose state says `running` but whose process is gone
//! (its rsp was killed, the machine rebooted) is reported as exited by
//! [`reconcile`], never as running forever. A container whose monitor was
//! killed died of its parent-death signal, SIGKILL: it exited 137, as Podman
//! reports a container killed by SIGKILL, and [`load`] records that once,
//! with the `died` event the monitor could not write.

use rsp_base::paths::Paths;
use rsp_storage::driver::Driver;
use rsp_storage::{Store, StoreError, StoreLock};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What a [`Mount`] mounts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MountKind {
    /// A host file or directory (`source`, resolved).
    #[default]
    Bind,
    /// A volume of the store (`source` is its name).
    Volume,
    /// A new tmpfs (`source` unused).
    Tmpfs,
    /// An image's root filesystem, read-only unless `readonly` is false
    /// (`source` is the image ID; `layers` its layers).
    Image,
    /// A new devpts instance.
    Devpts,
}

/// A mount the container gets: `-v`, `--mount`, `--tmpfs`,
/// `--volumes-from` and the image's `VOLUME`s, checked and resolved.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Mount {
    /// Records written before kinds existed say only `tmpfs`.
    #[serde(default)]
    pub kind: MountKind,
    pub source: String,
    pub destination: String,
    pub readonly: bool,
    /// Written by older rsp for a tmpfs: read as [`MountKind::Tmpfs`].
    #[serde(default, rename = "tmpfs", skip_serializing)]
    pub legacy_tmpfs: bool,
    #[serde(default, skip_serializing_if = "MountOptions::is_empty")]
    pub options: MountOptions,
}

/// The options of a [`Mount`] beyond its kind, source and target.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct MountOptions {
    /// `bind` rather than `rbind`: submounts of the source are left out.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub nonrecursive: bool,
    /// `nocopy`: a new volume is not filled from the image.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub nocopy: bool,
    /// `U`: the container's user is recorded as owner of everything in it
    /// at each start.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub chown: bool,
    /// `O`: an overlay over the source whose changes are thrown away when
    /// the container stops.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub overlay: bool,
    /// A volume made for this container (`-v /path`, an image `VOLUME`):
    /// removed with it by `--rm` and `rm -v`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub anonymous: bool,
    /// `private` (the default), `rprivate`, `shared`, `rshared`, `slave`,
    /// `rslave`, `unbindable` or `runbindable`, applied inside the
    /// container's mount namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub propagation: Option<String>,
    /// `z` or `Z` (SELinux relabelling: nothing to do where SELinux is
    /// not enabled, as here; kept for `inspect`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relabel: Option<String>,
    /// `nosuid`, `nodev`, `noexec` and their opposites, `noatime`...
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
    /// Filesystem options of a tmpfs or devpts (`size=64m`, `mode=1777`,
    /// `uid=`, `gid=`, `nr_inodes=`; devpts `mode=`, `max=`...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<String>,
    /// For an image mount: the image's layers (diff IDs, lowest first).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<String>,
}

impl MountOptions {
    pub fn is_empty(&self) -> bool {
        *self == MountOptions::default()
    }
}

impl Mount {
    /// What it mounts; older records' `tmpfs` included.
    pub fn kind(&self) -> MountKind {
        if self.legacy_tmpfs {
            MountKind::Tmpfs
        } else {
            self.kind
        }
    }

    /// A host path bound in.
    pub fn bind(
        source: impl Into<String>,
        destination: impl Into<String>,
        readonly: bool,
    ) -> Mount {
        Mount {
            kind: MountKind::Bind,
            source: source.into(),
            destination: destination.into(),
            readonly,
            ..Mount::default()
        }
    }

    /// A fresh tmpfs, as `--tmpfs` gives (`rw,nosuid,nodev`).
    pub fn tmpfs(destination: impl Into<String>) -> Mount {
        Mount {
            kind: MountKind::Tmpfs,
            destination: destination.into(),
            options: MountOptions {
                flags: vec!["nosuid".into(), "nodev".into()],
                ..MountOptions::default()
            },
            ..Mount::default()
        }
    }
}

/// Implements serde for a field enum kept in `container.json` as one of
/// a few fixed strings. Reading never fails: an empty string (a record
/// written before the field existed) or a name this rsp does not know
/// reads as the default, as the string fields it replaces were read.
macro_rules! record_enum {
    ($ty:ident { $($var:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// The name kept in the record (and shown by `inspect`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$var => $name,)+
                }
            }

            /// The variant a recorded name stands for, if any.
            pub fn from_name(name: &str) -> Option<$ty> {
                match name {
                    $($name => Some($ty::$var),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
                let name = String::deserialize(d)?;
                Ok($ty::from_name(&name).unwrap_or_default())
            }
        }
    };
}

record_enum!(MountKind {
    Bind => "bind",
    Volume => "volume",
    Tmpfs => "tmpfs",
    Image => "image",
    Devpts => "devpts",
});

/// `--network`: which network namespace the container gets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NetworkMode {
    /// Its own namespace, served by rsp's userspace stack.
    #[default]
    Slirp,
    /// Its own namespace with loopback only.
    None,
    /// The host's namespace.
    Host,
    /// Its own namespace on a user-defined network (`cfg.networks`), a
    /// kernel bridge (see `bridge`), with rsp's userspace stack as its way
    /// out.
    Bridge,
    /// Another container's namespace (`cfg.network_container`).
    Container,
}
record_enum!(NetworkMode {
    Slirp => "slirp",
    None => "none",
    Host => "host",
    Bridge => "bridge",
    Container => "container",
});

/// `--device HOST[:CONTAINER][:PERMS]`, as `inspect` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Device {
    pub path_on_host: String,
    pub path_in_container: String,
    /// `rwm` or `rw` (others cannot be enforced without a device cgroup).
    pub cgroup_permissions: String,
}

impl NetworkMode {
    /// Whether the container gets a network namespace of its own.
    pub fn own_namespace(self) -> bool {
        !matches!(self, NetworkMode::Host | NetworkMode::Container)
    }

    /// Whether rsp's userspace stack serves the container (its tap device,
    /// outbound NAT, DNS and published ports).
    pub fn uses_stack(self) -> bool {
        matches!(self, NetworkMode::Slirp | NetworkMode::Bridge)
    }
}

/// `--restart`: what the monitor does when the container exits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RestartPolicy {
    #[default]
    No,
    OnFailure,
    Always,
    UnlessStopped,
}
record_enum!(RestartPolicy {
    No => "no",
    OnFailure => "on-failure",
    Always => "always",
    UnlessStopped => "unless-stopped",
});

/// `--log-driver`: where the container's output goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogDriver {
    /// A log file in Podman's k8s-file format, written by the monitor.
    #[default]
    K8sFile,
    /// Nowhere (attached clients still get it).
    None,
    /// The starting `rsp`'s own stdio, given to the container as is.
    Passthrough,
}
record_enum!(LogDriver {
    K8sFile => "k8s-file",
    None => "none",
    Passthrough => "passthrough",
});

/// `--owners`: whose files the container sees.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OwnersMode {
    /// Everything shows as the container's user's, at full speed.
    #[default]
    User,
    /// The owners and modes the image records, emulated (see
    /// `runtime::ownership`).
    Image,
}
record_enum!(OwnersMode {
    User => "user",
    Image => "image",
});

/// `--userns`: which id the container's user namespace maps the caller
/// to. Every container gets a user namespace of its own that maps exactly
/// one id, the caller's; the modes differ in which id that is inside.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UsernsMode {
    /// The container's user (`--user`, the image's `User`, else root).
    #[default]
    Default,
    /// Podman's `keep-id[:uid=N,gid=N]`: the caller's own uid and gid (or
    /// the ones given), unless `--user` or the image's `User` names
    /// another user.
    KeepId { uid: Option<u32>, gid: Option<u32> },
}

impl UsernsMode {
    /// The mode as Podman spells it, as the record keeps it and `inspect`
    /// shows it: `""`, `keep-id`, `keep-id:uid=N,gid=N`.
    pub fn to_record(self) -> String {
        match self {
            UsernsMode::Default => String::new(),
            UsernsMode::KeepId { uid, gid } => {
                let opts: Vec<String> = [("uid", uid), ("gid", gid)]
                    .into_iter()
                    .filter_map(|(k, v)| v.map(|v| format!("{k}={v}")))
                    .collect();
                if opts.is_empty() {
                    "keep-id".into()
                } else {
                    format!("keep-id:{}", opts.join(","))
                }
            }
        }
    }

    /// The mode a recorded (or typed) string names, if rsp can run it.
    pub fn from_record(s: &str) -> Option<UsernsMode> {
        let (mode, opts) = match s.split_once(':') {
            Some((m, o)) => (m, Some(o)),
            None => (s, None),
        };
        match (mode, opts) {
            ("", None) => Some(UsernsMode::Default),
            ("keep-id", _) => {
                let (mut uid, mut gid) = (None, None);
                for opt in opts.unwrap_or("").split(',').filter(|o| !o.is_empty()) {
                    match opt.split_once('=') {
                        Some(("uid", v)) if uid.is_none() => uid = Some(v.parse().ok()?),
                        Some(("gid", v)) if gid.is_none() => gid = Some(v.parse().ok()?),
                        _ => return None,
                    }
                }
                Some(UsernsMode::KeepId { uid, gid })
            }
            _ => None,
        }
    }
}

impl Serialize for UsernsMode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_record())
    }
}

impl<'de> Deserialize<'de> for UsernsMode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<UsernsMode, D::Error> {
        // As the record enums: a mode this rsp does not know reads as the
        // default rather than making the record unreadable.
        Ok(UsernsMode::from_record(&String::deserialize(d)?).unwrap_or_default())
    }
}

/// `--userns=keep-id`: the caller's entry in the host's user database,
/// taken when the container is created, for the container's `/etc/passwd`
/// and `/etc/group` (where the image has no entry for the name or the id)
/// and its home directory (made where missing).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct KeepIdUser {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    /// The passwd comment field (full name), `:` and newlines removed.
    #[serde(default)]
    pub gecos: String,
    pub home: String,
    /// The host's name for `gid`; empty: it has none, no group entry.
    #[serde(default)]
    pub group: String,
}

impl KeepIdUser {
    /// The `/etc/passwd` line, as Podman writes it (shell `/bin/sh`).
    pub fn passwd_line(&self) -> String {
        format!(
            "{}:*:{}:{}:{}:{}:/bin/sh\n",
            self.name, self.uid, self.gid, self.gecos, self.home
        )
    }

    /// The `/etc/group` line naming the user as its member, if the host
    /// has a name for the group.
    pub fn group_line(&self) -> Option<String> {
        (!self.group.is_empty()).then(|| format!("{}:x:{}:{}\n", self.group, self.gid, self.name))
    }
}

/// The storage driver as a container record keeps it: an empty or
/// unknown name (older records) is overlay.
fn driver_from_record<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Driver, D::Error> {
    Ok(Driver::from_record(&String::deserialize(d)?))
}

/// Everything needed to start the container again; fixed at creation.
/// Made by [`super::spec::ContainerSpec::build`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ContainerConfig {
    pub id: String,
    pub name: String,
    pub image_id: String,
    /// What the user typed for the image, as `ps` shows it.
    pub image_name: String,
    pub created: String,
    /// The final argv: entrypoint + cmd.
    pub args: Vec<String>,
    pub env: Vec<String>,
    pub workdir: String,
    /// The user as given (`-u` or the image's `User`), and as resolved.
    pub user: String,
    pub uid: u32,
    pub gid: u32,
    pub hostname: String,
    pub network: NetworkMode,
    pub tty: bool,
    pub interactive: bool,
    pub remove: bool,
    #[serde(default)]
    pub mounts: Vec<Mount>,
    /// Diff IDs of the image's layers, lowest first.
    pub layers: Vec<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub entrypoint: Vec<String>,
    #[serde(default)]
    pub cmd: Vec<String>,
    #[serde(default)]
    pub restart_policy: RestartPolicy,
    /// Most restarts for `on-failure` (0: no limit).
    #[serde(default)]
    pub restart_max: u32,
    /// Run rsp's own init as pid 1.
    #[serde(default)]
    pub init: bool,
    /// Signal name `stop` sends first (`SIGTERM` unless the image or
    /// `--stop-signal` says otherwise).
    #[serde(default)]
    pub stop_signal: String,
    /// `--ulimit`: set in the container's first process and in every
    /// `exec`'d one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ulimits: Vec<crate::ulimit::Ulimit>,
    /// `--security-opt no-new-privileges`: set in the container's first
    /// process and in `exec`'d ones (setuid files then raise nothing,
    /// emulated or not).
    #[serde(default)]
    pub no_new_privileges: bool,
    /// `--device`s: host nodes bound into the container.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<Device>,
    /// `--sysctl`s, checked to be the container's own namespaces'.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub sysctls: std::collections::BTreeMap<String, String>,
    /// `--security-opt mask=`: more paths masked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mask: Vec<String>,
    /// `--security-opt unmask=`: default masked or read-only paths left
    /// as they are (`ALL`: every one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmask: Vec<String>,
    /// Resource limits (`--memory`, `--cpus`, `--pids-limit`...), written
    /// into the container's cgroup at each start and by `update`.
    #[serde(default)]
    pub limits: crate::limits::Limits,
    /// `--cap-add`, normalized (`CAP_NET_ADMIN`, `ALL`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cap_add: Vec<String>,
    /// `--cap-drop`, normalized.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cap_drop: Vec<String>,
    /// `--privileged`: every capability, no seccomp filter, nothing
    /// masked (still nothing beyond the container's user namespace).
    #[serde(default)]
    pub privileged: bool,
    /// `--security-opt seccomp=`: "" (rsp's default profile),
    /// `unconfined`, or the profile file's path as given.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub seccomp_profile: String,
    /// That file's JSON as it was when the container was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seccomp_json: Option<String>,
    /// `--read-only`: the root filesystem is mounted read-only.
    #[serde(default)]
    pub read_only: bool,
    /// `--read-only-tmpfs` (with `read_only`): tmpfs on /tmp, /var/tmp
    /// and /run.
    #[serde(default)]
    pub read_only_tmpfs: bool,
    #[serde(default = "default_stop_timeout")]
    pub stop_timeout: u32,
    #[serde(default)]
    pub log_driver: LogDriver,
    /// `--log-opt max-size`: the log file's size limit.
    #[serde(default)]
    pub log_max_size: Option<u64>,
    /// `--log-opt max-file`: with a size limit, how many files the log
    /// keeps (the current one and `max_file - 1` rotated ones, `.1` the
    /// newest); 0 or 1: the one file is emptied at the limit instead.
    #[serde(default)]
    pub log_max_file: u32,
    /// `--log-opt path`: the log file's absolute path; empty: `ctr.log`
    /// in the container's directory.
    #[serde(default)]
    pub log_path: String,
    /// `--log-opt tag`, kept for `inspect` (the k8s-file format has no
    /// place for it, as in Podman).
    #[serde(default)]
    pub log_tag: String,
    /// `--cgroups=disabled`: never put the container in a cgroup of its own.
    #[serde(default)]
    pub no_cgroup: bool,
    #[serde(default, deserialize_with = "driver_from_record")]
    pub storage_driver: Driver,
    /// `--network slirp:OPTS` options.
    #[serde(default)]
    pub net_options: rsp_net::NetOptions,
    /// The user-defined networks it joins (`NetworkMode::Bridge`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub networks: Vec<String>,
    /// `--network-alias`: more names for it on those networks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub network_aliases: Vec<String>,
    /// `--network container:NAME`: that container's ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_container: Option<String>,
    /// The pod it belongs to (its ID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<String>,
    /// A pod's infra container: rsp itself as pid 1, holding the pod's
    /// namespaces; it runs no command of the image's.
    #[serde(default)]
    pub infra: bool,
    /// A pod member's infra container (its ID) and the namespaces it
    /// shares with it besides the network's (`uts`, `ipc`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_infra: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pod_share: Vec<String>,
    /// `--ip`: its address on its network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub static_ip: Option<std::net::Ipv4Addr>,
    /// `--dns` servers (`none`: no resolv.conf of rsp's), `--dns-search`
    /// domains, `--dns-option`s: its `/etc/resolv.conf` instead of the
    /// defaults.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_search: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_options: Vec<String>,
    /// `--add-host`, as `NAME:IP` (host-gateway resolved).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_hosts: Vec<String>,
    /// `--no-hosts`: the image's own `/etc/hosts`.
    #[serde(default)]
    pub no_hosts: bool,
    /// `--mac-address` of its own interface.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,
    /// Published ports, with host ports chosen at create time.
    #[serde(default)]
    pub ports: Vec<rsp_net::PortMapping>,
    /// Exposed ports (`80/tcp`): the image's and `--expose`'s, published
    /// or not, as Podman keeps them.
    #[serde(default)]
    pub expose: Vec<String>,
    #[serde(default)]
    pub owners: OwnersMode,
    /// The command line that created the container (empty in records
    /// written before rsp kept it).
    #[serde(default)]
    pub create_command: Vec<String>,
    /// `--userns`.
    #[serde(default)]
    pub userns: UsernsMode,
    /// `--userns=keep-id` (without uid or gid, as Podman): the caller's
    /// entries to add to the container's user database.
    #[serde(default)]
    pub keep_id: Option<KeepIdUser>,
    /// `--group-add` as given, for `inspect`.
    #[serde(default)]
    pub group_add: Vec<String>,
    /// The user's initial supplementary groups: those the image's
    /// `/etc/group` lists it in, and `--group-add`'s; sorted, without
    /// repeats, never the primary `gid`.
    #[serde(default)]
    pub groups: Vec<u32>,
    /// A step of `rsp build` (Podman's "external" containers): not listed
    /// by `ps` without `--external`, tied to the build that started it, and
    /// removed by [`remove_dead_build_containers`] if that build died.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<BuildOwner>,
}

/// The `rsp build` process a build container belongs to.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct BuildOwner {
    pub pid: i32,
    /// Its start time (`/proc/PID/stat` field 22): a reused pid is not it.
    pub start: u64,
}

impl BuildOwner {
    /// The calling process.
    pub fn me() -> BuildOwner {
        let pid = std::process::id() as i32;
        BuildOwner {
            pid,
            start: process_start_time(pid).unwrap_or(0),
        }
    }

    /// Whether that process still runs.
    pub fn alive(&self) -> bool {
        process_start_time(self.pid) == Some(self.start)
    }
}

fn default_stop_timeout() -> u32 {
    10
}

impl ContainerConfig {
    /// Whether the image's recorded owners are emulated (`--owners image`).
    pub fn emulates_owners(&self) -> bool {
        self.owners == OwnersMode::Image
    }

    pub fn logs_enabled(&self) -> bool {
        self.log_driver == LogDriver::K8sFile
    }

    /// Where the k8s-file log driver writes the container's log.
    pub fn log_path(&self, store: &Store) -> PathBuf {
        if self.log_path.is_empty() {
            store.container_dir(&self.id).join("ctr.log")
        } else {
            PathBuf::from(&self.log_path)
        }
    }

    /// Every port the container exposes (`80/tcp`), published ones
    /// included, without repeats: what `inspect` shows and `commit` keeps.
    pub fn exposed_ports(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let published = self
            .ports
            .iter()
            .flat_map(|p| (0..p.range.max(1)).map(move |i| (p, i)))
            .map(|(p, i)| {
                format!(
                    "{}/{}",
                    u32::from(p.container_port) + u32::from(i),
                    p.protocol
                )
            });
        for k in self.expose.iter().cloned().chain(published) {
            if !out.contains(&k) {
                out.push(k);
            }
        }
        out
    }
}

#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Created,
    Running,
    Paused,
    Exited,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Exited => "exited",
        }
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct State {
    pub status: Status,
    /// Host pid of the container's first process while running.
    #[serde(default)]
    pub pid: i32,
    /// Start time of `pid` (field 22 of /proc/PID/stat), so a reused pid is
    /// not mistaken for the container.
    #[serde(default)]
    pub pid_start: u64,
    /// Under `--init`: the host pid of the command (pid 2 inside). pid 1
    /// is then rsp's own init, non-dumpable, so that only root may open
    /// its /proc entries: the container's namespaces and root are entered
    /// through the command instead. 0 without `--init`.
    #[serde(default)]
    pub cmd_pid: i32,
    #[serde(default)]
    pub started_at: Option<String>,
    #[serde(default)]
    pub finished_at: Option<String>,
    #[serde(default)]
    pub exit_code: i32,
    /// The monitor holding the container (rsp re-executed), while it runs.
    #[serde(default)]
    pub monitor_pid: i32,
    #[serde(default)]
    pub monitor_start: u64,
    #[serde(default)]
    pub restart_count: u32,
    /// How `pause` froze the container: `cgroup` (v2 freezer) or `signal`
    /// (SIGSTOP to every process of its pid namespace).
    #[serde(default)]
    pub pause_method: String,
    /// The container's own cgroup v2 directory, when the user has a
    /// delegated cgroup to make it in.
    #[serde(default)]
    pub cgroup: String,
    /// Its cgroups in v1 hierarchies (hybrid layouts: memory, cpu, pids
    /// and the others bound to v1), for their limits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cgroup_v1: Vec<String>,
    /// Exited, and its monitor waits to start it again under its restart
    /// policy (true only while that monitor lives: see [`State::restarting`]).
    #[serde(default)]
    pub restarting: bool,
    /// The kernel's OOM killer killed a process of the last run: its
    /// cgroup's `memory.events` counted an `oom_kill`. Always false for a
    /// container without a cgroup of its own, where rsp cannot tell.
    #[serde(default)]
    pub oom_killed: bool,
    /// What did not go as asked when the current (or last) run started.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<StartWarning>,
    /// The state file could not be read (a crash left it corrupt): the
    /// container is shown as exited with an unknown code, and as `Dead`.
    #[serde(skip)]
    pub unreadable: bool,
}

/// Something that did not go as asked when a container started, though
/// it runs: returned to the starter and kept in the state for `inspect`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum StartWarning {
    /// `--owners image`, but the kernel refused the ownership filter (no
    /// seccomp user notification, or a filter around rsp forbids one).
    #[error(
        "the ownership filter could not be installed ({reason}): the container sees every file as its user's, as with --owners user"
    )]
    OwnersNotEmulated { reason: String },
}

impl State {
    /// The container's cgroups: its own (v2) and its v1 ones, those it
    /// has.
    pub fn cgroup_dirs(&self) -> impl Iterator<Item = &str> {
        std::iter::once(&self.cgroup)
            .chain(&self.cgroup_v1)
            .map(String::as_str)
            .filter(|cg| !cg.is_empty())
    }

    /// The process whose namespaces and root `exec`, `cp` and `top` enter.
    pub fn ns_pid(&self) -> i32 {
        if self.cmd_pid > 0 {
            self.cmd_pid
        } else {
            self.pid
        }
    }

    pub fn is_active(&self) -> bool {
        matches!(self.status, Status::Running | Status::Paused)
    }

    /// Whether this state's monitor is still alive.
    pub fn monitor_alive(&self) -> bool {
        self.monitor_pid > 0 && process_start_time(self.monitor_pid) == Some(self.monitor_start)
    }

    /// Whether the monitor is about to start the container again under
    /// its restart policy.
    pub fn is_restarting(&self) -> bool {
        self.restarting && self.status == Status::Exited && self.monitor_alive()
    }
}

/// One container, as listed.
#[derive(Clone, Debug)]
pub struct Container {
    pub config: ContainerConfig,
    pub state: State,
}

pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// Start time of a process, or None when it does not exist or has exited.
pub fn process_start_time(pid: i32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces and parentheses: fields start
    // after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    // A zombie has finished: nothing but its parent's wait remains of it.
    if rest.starts_with('Z') || rest.starts_with('X') {
        return None;
    }
    rest.split(' ').nth(19)?.parse().ok()
}

/// Exit code of a container killed by SIGKILL (128 + 9), which is how one
/// dies with its monitor.
pub const KILLED_EXIT_CODE: i32 = 137;

/// Corrects a `running` (or `paused`) state whose monitor no longer exists
/// (killing the monitor kills the container: its parent-death signal), or,
/// for a record without a monitor, whose process is gone.
pub fn reconcile(state: &mut State) -> bool {
    // A live monitor owns the state: it records the real exit code itself,
    // moments after its container's process is gone.
    let gone = if state.monitor_pid > 0 {
        !state.monitor_alive()
    } else {
        state.pid <= 0 || process_start_time(state.pid) != Some(state.pid_start)
    };
    if state.is_active() && gone {
        state.exit_code = if state.monitor_pid > 0 {
            KILLED_EXIT_CODE
        } else {
            // Podman reports an unknown exit code this way.
            -1
        };
        state.status = Status::Exited;
        state.pid = 0;
        state.cmd_pid = 0;
        state.monitor_pid = 0;
        state.restarting = false;
        if state.finished_at.is_none() {
            state.finished_at = Some(now_rfc3339());
        }
        return true;
    }
    false
}

/// A container's state; one a crash left unreadable (state is written
/// without fsync) counts as exited with an unknown code.
fn read_state(store: &Store, id: &str) -> Result<State, StoreError> {
    match store.read_container_file(id, "state.json") {
        Err(StoreError::Corrupt { .. }) => Ok(State {
            status: Status::Exited,
            exit_code: -1,
            unreadable: true,
            ..State::default()
        }),
        // Created, and its state not written yet.
        Err(StoreError::Read { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound
                && store.container_dir(id).join("container.json").exists() =>
        {
            Ok(State::default())
        }
        r => r,
    }
}

pub fn load(store: &Store, id: &str) -> Result<Container, StoreError> {
    let config: ContainerConfig = store.read_container_file(id, "container.json")?;
    let mut state = read_state(store, id)?;
    if reconcile(&mut state) {
        record_death(store, &config, &mut state);
    }
    Ok(Container { config, state })
}

/// Writes a death [`reconcile`] found, and its `died` event, exactly once:
/// under the store lock, if the state still says so. Never waits for the
/// lock (the caller may hold it): when it is busy, the next `load` does it.
fn record_death(store: &Store, config: &ContainerConfig, state: &mut State) {
    let Ok(Some(lock)) = store.try_lock() else {
        return;
    };
    let id = &config.id;
    let mut fresh = match read_state(store, id) {
        Ok(fresh) => fresh,
        Err(_) => return,
    };
    if !store.container_dir(id).join("container.json").exists() {
        return;
    }
    // Not when another command recorded it (or restarted the container) first.
    if reconcile(&mut fresh) {
        if store.write_container_state(id, &fresh).is_err() {
            return;
        }
        drop(lock);
        super::event(store, config, "died", Some(fresh.exit_code));
    }
    *state = fresh;
}

/// Reads, changes and rewrites a container's state under the store lock,
/// so the monitor and commands such as `pause` never undo each other's
/// writes. Does nothing (and fails) once the container has been removed.
pub fn update_state(
    store: &Store,
    id: &str,
    f: impl FnOnce(&mut State),
) -> Result<State, StoreError> {
    let _lock = store.lock()?;
    let path = store.container_dir(id).join("container.json");
    if !path.exists() {
        return Err(StoreError::Read {
            path,
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        });
    }
    let mut st = read_state(store, id)?;
    f(&mut st);
    store.write_container_state(id, &st)?;
    Ok(st)
}

/// Removes what killed `create`s and `rm`s left, which is never listed as a
/// container: store directories without a `container.json`, and runtime
/// directories of containers that no longer exist. Works under the store
/// lock, which `create` holds from making the directory to writing
/// `container.json`, so a container being created is never touched; a
/// directory whose monitor lock is held is left alone too. Returns the IDs
/// whose store directory was removed.
pub fn remove_orphans(store: &Store, paths: &Paths) -> Result<Vec<String>, StoreError> {
    let lock = store.lock()?;
    let run_root = paths.runroot.join("containers");
    let mut removed = Vec::new();
    for id in store.orphan_container_ids(&lock)? {
        let run_dir = run_root.join(&id);
        let Some(_monitor) = monitor_lock_free(&run_dir) else {
            continue;
        };
        store.remove_container_dir(&id)?;
        let _ = rsp_storage::remove_tree(&run_dir);
        removed.push(id);
    }
    // Runtime directories of containers this store no longer has. The
    // runroot may be shared with other stores: only directories marked as
    // this store's (by their monitor, under its lock) are swept.
    if let Ok(entries) = std::fs::read_dir(&run_root) {
        for e in entries.flatten() {
            let id = e.file_name().to_string_lossy().into_owned();
            let is_id = id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit());
            if !is_id || store.container_dir(&id).exists() {
                continue;
            }
            let ours = std::fs::read(e.path().join(STORE_MARKER))
                .is_ok_and(|r| r == paths.root.as_os_str().as_encoded_bytes());
            if ours && let Some(_monitor) = monitor_lock_free(&e.path()) {
                let _ = rsp_storage::remove_tree(&e.path());
            }
        }
    }
    Ok(removed)
}

/// The file in a container's runtime directory that names its store's
/// root (the runroot can be shared between stores).
pub const STORE_MARKER: &str = "store";

/// The monitor lock of runtime directory `dir`, taken if no monitor holds
/// it (`Some(None)` when there is no lock file); `None` if one does.
fn monitor_lock_free(dir: &std::path::Path) -> Option<Option<nix::fcntl::Flock<std::fs::File>>> {
    let Ok(f) = std::fs::File::open(dir.join("monitor.lock")) else {
        return Some(None);
    };
    match nix::fcntl::Flock::lock(f, nix::fcntl::FlockArg::LockExclusiveNonblock) {
        Ok(lock) => Some(Some(lock)),
        Err(_) => None,
    }
}

/// Removes build containers whose build process is gone (their monitor
/// dies with it, and the container with the monitor). Returns their IDs.
pub fn remove_dead_build_containers(
    store: &Store,
    paths: &Paths,
) -> Result<Vec<String>, StoreError> {
    let mut removed = Vec::new();
    for c in list(store)? {
        match c.config.build {
            Some(owner) if !owner.alive() => {}
            _ => continue,
        }
        let run_dir = paths.runroot.join("containers").join(&c.config.id);
        let Some(_monitor) = monitor_lock_free(&run_dir) else {
            continue;
        };
        let mut state = c.state.clone();
        reconcile(&mut state);
        if state.is_active() {
            continue;
        }
        let _lock = store.lock()?;
        store.remove_container_dir(&c.config.id)?;
        let _ = rsp_storage::remove_tree(&run_dir);
        removed.push(c.config.id);
    }
    Ok(removed)
}

/// Every container, newest first.
pub fn list(store: &Store) -> Result<Vec<Container>, StoreError> {
    let mut out = Vec::new();
    for id in store.container_ids()? {
        // A container removed while we list it is simply not listed.
        if let Ok(c) = load(store, &id) {
            out.push(c);
        }
    }
    out.sort_by(|a, b| b.config.created.cmp(&a.config.created));
    Ok(out)
}

#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    #[error("no container with name or ID {0:?} found: see `rsp ps -a`")]
    NotFound(String),
    #[error("{input:?} matches {count} containers: give more of the ID")]
    Ambiguous { input: String, count: usize },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Finds a container by exact name, full ID or unique ID prefix.
pub fn find(store: &Store, input: &str) -> Result<Container, LookupError> {
    let all = list(store)?;
    if let Some(c) = all
        .iter()
        .find(|c| c.config.name == input || c.config.id == input)
    {
        return Ok(c.clone());
    }
    let matches: Vec<&Container> = all
        .iter()
        .filter(|c| !input.is_empty() && c.config.id.starts_with(input))
        .collect();
    match matches.len() {
        0 => Err(LookupError::NotFound(input.to_string())),
        1 => Ok(matches[0].clone()),
        count => Err(LookupError::Ambiguous {
            input: input.to_string(),
            count,
        }),
    }
}

/// Whether a name is taken; caller holds the lock so the answer stays true.
pub fn name_taken(store: &Store, name: &str, _lock: &StoreLock) -> Result<bool, StoreError> {
    Ok(list(store)?.iter().any(|c| c.config.name == name))
}

const ADJECTIVES: &[&str] = &[
    "admiring",
    "brave",
    "clever",
    "dreamy",
    "eager",
    "festive",
    "gifted",
    "happy",
    "jolly",
    "keen",
    "lucid",
    "modest",
    "nifty",
    "optimistic",
    "peaceful",
    "quirky",
    "relaxed",
    "serene",
    "tender",
    "upbeat",
    "vibrant",
    "wizardly",
    "youthful",
    "zealous",
];
const NOUNS: &[&str] = &[
    "archimedes",
    "babbage",
    "curie",
    "darwin",
    "euler",
    "fermat",
    "galileo",
    "hopper",
    "hypatia",
    "joliot",
    "kepler",
    "lovelace",
    "mayer",
    "newton",
    "noether",
    "pascal",
    "ritchie",
    "shannon",
    "thompson",
    "turing",
    "villani",
    "wozniak",
    "yalow",
    "zhukovsky",
];

/// A Docker-style random name such as `festive_lovelace`.
pub fn random_name(seed: &[u8]) -> String {
    let a = seed.first().copied().unwrap_or(0) as usize % ADJECTIVES.len();
    let n = seed.get(1).copied().unwrap_or(0) as usize % NOUNS.len();
    format!("{}_{}", ADJECTIVES[a], NOUNS[n])
}

/// A fresh 64-hex-digit container ID.
pub fn random_id() -> String {
    let mut buf = [0u8; 32];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        use std::io::Read;
        let _ = f.read_exact(&mut buf);
    }
    hex::encode(buf)
}

/// Checks a user-given container name the way Podman does.
pub fn valid_name(name: &str) -> bool {
    rsp_base::text::is_object_name(name, usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(valid_name("web-1.a_b"));
        assert!(!valid_name("-x"));
        assert!(!valid_name(""));
        assert!(!valid_name("a/b"));
        assert_eq!(random_name(&[0, 0]), "admiring_archimedes");
    }

    /// A record as the first rsp wrote it: no restart, log, owners,
    /// driver or create-command fields at all.
    const OLDEST: &str = r#"{"id":"a","name":"n","image_id":"i","image_name":"x:1",
        "created":"2024-01-01T00:00:00Z","args":["sh"],"env":[],"workdir":"/","user":"",
        "uid":0,"gid":0,"hostname":"h","network":"none","tty":false,"interactive":false,
        "remove":false,"layers":[]}"#;

    #[test]
    fn old_records_read_with_their_meaning() {
        let c: ContainerConfig = serde_json::from_str(OLDEST).unwrap();
        assert_eq!(c.network, NetworkMode::None);
        assert_eq!(c.restart_policy, RestartPolicy::No);
        assert_eq!(c.log_driver, LogDriver::K8sFile);
        assert_eq!(c.owners, OwnersMode::User);
        assert_eq!(c.storage_driver, Driver::Overlay);
        assert_eq!(c.stop_timeout, 10);
        assert!(c.create_command.is_empty() && c.expose.is_empty());
        assert!(c.logs_enabled() && !c.emulates_owners());
        assert_eq!(c.userns, UsernsMode::Default);
        assert!(c.keep_id.is_none() && c.group_add.is_empty() && c.groups.is_empty());
        // Empty strings, as records with the string fields' defaults had.
        let mut v: serde_json::Value = serde_json::from_str(OLDEST).unwrap();
        for (k, val) in [
            ("network", "slirp"),
            ("restart_policy", ""),
            ("log_driver", ""),
            ("owners", ""),
            ("storage_driver", ""),
        ] {
            v[k] = serde_json::json!(val);
        }
        let c: ContainerConfig = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(
            (
                c.network,
                c.restart_policy,
                c.log_driver,
                c.owners,
                c.storage_driver
            ),
            (
                NetworkMode::Slirp,
                RestartPolicy::No,
                LogDriver::K8sFile,
                OwnersMode::User,
                Driver::Overlay
            )
        );
        // Every name ever written reads back as itself, and is written
        // back the same.
        for (k, val) in [
            ("network", "host"),
            ("restart_policy", "on-failure"),
            ("restart_policy", "always"),
            ("restart_policy", "unless-stopped"),
            ("log_driver", "passthrough"),
            ("log_driver", "none"),
            ("log_driver", "k8s-file"),
            ("owners", "image"),
            ("owners", "user"),
            ("storage_driver", "vfs"),
            ("storage_driver", "fuse-overlay"),
            ("storage_driver", "overlay"),
        ] {
            let mut v = v.clone();
            v[k] = serde_json::json!(val);
            let c: ContainerConfig = serde_json::from_value(v).unwrap();
            let back = serde_json::to_value(&c).unwrap();
            assert_eq!(back[k], val, "{k}");
        }
        // A state written before the newer fields.
        let st: State =
            serde_json::from_str(r#"{"status":"exited","exit_code":3,"restart_count":1}"#).unwrap();
        assert!(!st.restarting && !st.oom_killed && st.warnings.is_empty() && !st.unreadable);
        // Warnings are written only when there are some, and read back.
        assert!(!serde_json::to_string(&st).unwrap().contains("warnings"));
        let warned = State {
            warnings: vec![StartWarning::OwnersNotEmulated {
                reason: "Operation not permitted (os error 1)".into(),
            }],
            ..State::default()
        };
        let back: State = serde_json::from_str(&serde_json::to_string(&warned).unwrap()).unwrap();
        assert_eq!(back.warnings, warned.warnings);
    }

    #[test]
    fn exposed_ports_join_published_ones() {
        let c = ContainerConfig {
            expose: vec!["80/tcp".into(), "53/udp".into()],
            ports: vec![
                rsp_net::ports::parse_publish("8080:80").unwrap(),
                rsp_net::ports::parse_publish("9000-9001:9000-9001").unwrap(),
            ],
            ..ContainerConfig::default()
        };
        assert_eq!(
            c.exposed_ports(),
            ["80/tcp", "53/udp", "9000/tcp", "9001/tcp"]
        );
    }

    #[test]
    fn dead_running_is_exited() {
        let mut s = State {
            status: Status::Running,
            pid: i32::MAX,
            ..State::default()
        };
        assert!(reconcile(&mut s));
        assert_eq!(s.status, Status::Exited);
        assert_eq!(s.exit_code, -1);
        // A dead monitor took its container with it: SIGKILL.
        let mut s = State {
            status: Status::Running,
            pid: i32::MAX,
            monitor_pid: i32::MAX,
            ..State::default()
        };
        assert!(reconcile(&mut s));
        assert_eq!((s.status, s.exit_code), (Status::Exited, KILLED_EXIT_CODE));
        let me = std::process::id() as i32;
        let mut s = State {
            status: Status::Running,
            pid: me,
            pid_start: process_start_time(me).unwrap(),
            ..State::default()
        };
        assert!(!reconcile(&mut s));
    }
}
