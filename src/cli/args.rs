//! clap definitions. Names, flags and help follow Podman so that scripts
//! written for Podman or Docker keep working.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "rsp",
    version,
    about = "Manage containers and images, rootless and daemonless",
    long_about = "rsp runs OCI containers as an unprivileged user, with no daemon and no setuid helper. \
It pulls images from OCI registries, unpacks them into its store and runs them in fresh user, mount, pid, \
uts, ipc, cgroup and network namespaces.",
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)
    #[arg(long, global = true, value_name = "DIR")]
    pub runroot: Option<PathBuf>,
    /// Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)
    #[arg(long, global = true, value_name = "DRIVER")]
    pub storage_driver: Option<String>,
    /// Log messages at and above this level (debug, info, warn, error)
    #[arg(long, global = true, default_value = "warn", value_parser = ["trace", "debug", "info", "warn", "error", "fatal", "panic"])]
    pub log_level: String,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Display the rsp version information
    Version(VersionArgs),
    /// Display rsp and system information
    Info(InfoArgs),
    /// Pull an image from a registry
    Pull(PullArgs),
    /// List images in local storage
    Images(ImagesArgs),
    /// Remove one or more images from local storage
    Rmi(RmiArgs),
    /// Manage images
    #[command(subcommand)]
    Image(ImageCommand),
    /// Add an additional name to a local image
    Tag(TagArgs),
    /// Remove a name from a local image
    Untag(UntagArgs),
    /// Show the history of an image
    History(HistoryArgs),
    /// Run a command in a new container
    Run(Box<RunArgs>),
    /// List containers
    Ps(PsArgs),
    /// Remove one or more containers
    Rm(RmArgs),
    /// Manage containers
    #[command(subcommand)]
    Container(ContainerCommand),
    /// Display the configuration of containers or images
    Inspect(InspectArgs),
    /// Create but do not start a container
    Create(Box<RunArgs>),
    /// Start one or more containers
    Start(StartArgs),
    /// Stop one or more containers
    Stop(StopArgs),
    /// Kill one or more running containers with a specific signal
    Kill(KillArgs),
    /// Restart one or more containers
    Restart(StopArgs),
    /// Block on one or more containers and print their exit codes
    Wait(NamesArgs),
    /// Rename an existing container
    Rename(RenameArgs),
    /// Change a container's resource limits (at once while it runs, and for its next starts)
    Update(UpdateArgs),
    /// Fetch the logs of one or more containers
    Logs(LogsArgs),
    /// Attach to a running container
    Attach(AttachArgs),
    /// Run a process in a running container
    Exec(ExecArgs),
    /// Display the running processes of a container
    Top(TopArgs),
    /// List port mappings of a container
    Port(PortArgs),
    /// Copy files and folders between a container and the local filesystem
    Cp(CpArgs),
    /// Pause all the processes in one or more containers
    Pause(AllNamesArgs),
    /// Unpause the processes in one or more containers
    Unpause(AllNamesArgs),
    /// Display a live stream of container resource usage statistics
    Stats(StatsArgs),
    /// Show rsp events
    Events(EventsArgs),
    /// Manage rsp itself: information, reset
    #[command(subcommand)]
    System(SystemCommand),
    /// Create a new image from a container's changes
    Commit(CommitArgs),
    /// Manage volumes
    #[command(subcommand)]
    Volume(VolumeCommand),
    /// Manage networks
    #[command(subcommand)]
    Network(NetworkCommand),
    /// Manage pods
    #[command(subcommand)]
    Pod(PodCommand),
    /// Inspect changes to a container's or an image's filesystem
    Diff(DiffArgs),
    /// Export a container's filesystem contents as a tar archive
    Export(ExportArgs),
    /// Import a tarball to create a filesystem image
    Import(ImportArgs),
    /// Push an image to a registry
    Push(PushArgs),
    /// Save images to an archive (docker-archive, oci-archive or oci-dir)
    Save(SaveArgs),
    /// Load images from an archive made by save, docker save, podman save or skopeo
    Load(LoadArgs),
    /// Log in to a container registry
    Login(LoginArgs),
    /// Log out of a container registry
    Logout(LogoutArgs),
    /// Search a registry for images
    Search(SearchArgs),
    /// Inspect manifests and manifest lists in registries
    #[command(subcommand)]
    Manifest(ManifestCommand),
    /// Build an image from a Containerfile or Dockerfile
    Build(Box<BuildArgs>),
    /// Docker Buildx compatibility: build images
    #[command(subcommand)]
    Buildx(BuildxCommand),
}

#[derive(Subcommand, Debug)]
pub enum BuildxCommand {
    /// Build an image from a Containerfile or Dockerfile
    Build(Box<BuildArgs>),
}

#[derive(Args, Debug)]
pub struct BuildArgs {
    /// Name (and tag) for the image; repeat for several
    #[arg(short = 't', long = "tag", value_name = "NAME")]
    pub tag: Vec<String>,
    /// The Containerfile to build (`-`: read it from stdin); default: Containerfile, else Dockerfile, in the context
    #[arg(short = 'f', long = "file", value_name = "PATH")]
    pub file: Option<PathBuf>,
    /// Build up to this stage (its name) only, skipping stages it does not need
    #[arg(long, value_name = "STAGE")]
    pub target: Option<String>,
    /// Set a build argument (KEY=VALUE, or KEY to take rsp's own environment variable)
    #[arg(long = "build-arg", value_name = "KEY[=VALUE]")]
    pub build_arg: Vec<String>,
    /// Read build arguments from a file of KEY=VALUE lines
    #[arg(long = "build-arg-file", value_name = "FILE")]
    pub build_arg_file: Vec<PathBuf>,
    /// Do not use cached steps: run every step again
    #[arg(long)]
    pub no_cache: bool,
    /// Pull base images: always, missing (default), never or newer; `--pull` alone is always
    #[arg(long, value_name = "POLICY", num_args = 0..=1, default_value = "missing", default_missing_value = "always", require_equals = true)]
    pub pull: String,
    /// Keep every step as an image and use the build cache (default true)
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_value = "true", default_missing_value = "true", require_equals = true, action = clap::ArgAction::Set)]
    pub layers: bool,
    /// Squash the layers the build adds into one
    #[arg(long)]
    pub squash: bool,
    /// Squash every layer, the base image's included, into one
    #[arg(long)]
    pub squash_all: bool,
    /// Add a label to the image (KEY=VALUE)
    #[arg(long, value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Add an annotation to the image (KEY=VALUE)
    #[arg(long, value_name = "KEY=VALUE")]
    pub annotation: Vec<String>,
    /// Write the image ID to this file
    #[arg(long, value_name = "FILE")]
    pub iidfile: Option<PathBuf>,
    /// Manifest format of the image: oci (default) or docker
    #[arg(long, value_name = "FORMAT", default_value = "oci")]
    pub format: String,
    /// Network of RUN steps: default (also bridge), none, host or slirp4netns[:OPTIONS]
    #[arg(long, value_name = "MODE", default_value = "default")]
    pub network: String,
    /// Platform to build for: only this machine's (OS/ARCH[/VARIANT])
    #[arg(long, value_name = "OS/ARCH")]
    pub platform: Option<String>,
    /// A secret for `RUN --mount=type=secret`: id=ID,src=FILE or id=ID,env=VAR
    #[arg(long, value_name = "id=ID,src=FILE")]
    pub secret: Vec<String>,
    /// An extra context for `COPY --from=NAME`: NAME=DIR or NAME=docker-image://IMAGE
    #[arg(long = "build-context", value_name = "NAME=VALUE")]
    pub build_context: Vec<String>,
    /// Export the final stage's files: type=local,dest=DIR, type=tar,dest=FILE (`-`: stdout) or DIR
    #[arg(short = 'o', long, value_name = "OUTPUT")]
    pub output: Option<String>,
    /// A registry repository to look for cached steps in (tagged with their cache keys)
    #[arg(long = "cache-from", value_name = "REPOSITORY")]
    pub cache_from: Vec<String>,
    /// A registry repository to push each step's image to, tagged with its cache key
    #[arg(long = "cache-to", value_name = "REPOSITORY")]
    pub cache_to: Vec<String>,
    /// Print only the image ID; no step output, no RUN output
    #[arg(short, long)]
    pub quiet: bool,
    /// Progress output: auto (tty on a terminal), plain, or tty (steps timed)
    #[arg(long, value_name = "TYPE", default_value = "auto")]
    pub progress: String,
    /// Most stages built at the same time (0: every stage that is ready)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub jobs: usize,
    /// Ignore file to use instead of the context's .containerignore or .dockerignore
    #[arg(long, value_name = "FILE")]
    pub ignorefile: Option<PathBuf>,
    /// Require HTTPS and verify certificates when contacting registries (loopback registries may use HTTP)
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub tls_verify: Option<bool>,
    /// Credentials (USERNAME:PASSWORD) for the registry
    #[arg(long, value_name = "USER:PASS")]
    pub creds: Option<Secret>,
    /// Path of the authentication file (default: $REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json)
    #[arg(long, value_name = "FILE")]
    pub authfile: Option<PathBuf>,
    /// The build context: a directory (default .), or - for a tar on stdin
    #[arg(value_name = "CONTEXT")]
    pub context: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum SystemCommand {
    /// Display rsp and system information
    Info(InfoArgs),
    /// Remove all containers, images and state, and forget the storage driver rsp detected
    Reset(ResetArgs),
    /// Show rsp disk usage
    Df(DfArgs),
    /// Remove unused data: stopped containers, dangling (or with -a unused) images
    Prune(SystemPruneArgs),
    /// Check the store: every layer against its digest and tar-split record, every blob, image and container against what it needs, and leftovers of killed commands
    Check(CheckArgs),
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Remove what cannot be trusted: damaged layers and blobs, the images that need them, leftovers of killed commands
    #[arg(short, long)]
    pub repair: bool,
    /// With --repair, remove damaged containers too (their changes are lost)
    #[arg(short, long)]
    pub force: bool,
    /// Skip the slow checks: layer and blob contents
    #[arg(short, long)]
    pub quick: bool,
}

#[derive(Args, Debug)]
pub struct ResetArgs {
    /// Do not ask for confirmation
    #[arg(short, long)]
    pub force: bool,
}

#[derive(Subcommand, Debug)]
pub enum ImageCommand {
    /// List images in local storage
    #[command(visible_alias = "ls", alias = "list")]
    Images(ImagesArgs),
    /// Pull an image from a registry
    Pull(PullArgs),
    /// Remove one or more images from local storage
    #[command(visible_alias = "rmi")]
    Rm(RmiArgs),
    /// Display the configuration of an image
    Inspect(FormatOnlyArgs),
    /// Check if an image exists in local storage
    Exists(ExistsArgs),
    /// Inspect changes to an image's filesystem
    Diff(DiffArgs),
    /// Import a tarball to create a filesystem image
    Import(ImportArgs),
    /// Push an image to a registry
    Push(PushArgs),
    /// Save images to an archive (docker-archive, oci-archive or oci-dir)
    Save(SaveArgs),
    /// Load images from an archive made by save, docker save, podman save or skopeo
    Load(LoadArgs),
    /// Search a registry for images
    Search(SearchArgs),
    /// Add an additional name to a local image
    Tag(TagArgs),
    /// Remove a name from a local image
    Untag(UntagArgs),
    /// Show the history of an image
    History(HistoryArgs),
    /// Remove unused images
    Prune(ImagePruneArgs),
    /// Print the layers of an image as a tree, with the images whose top layer each one is
    Tree(TreeArgs),
    /// Build an image from a Containerfile or Dockerfile
    Build(Box<BuildArgs>),
}

#[derive(Subcommand, Debug)]
pub enum ContainerCommand {
    /// List containers
    #[command(visible_alias = "ls", alias = "list")]
    Ps(PsArgs),
    /// Run a command in a new container
    Run(Box<RunArgs>),
    /// Remove one or more containers
    Rm(RmArgs),
    /// Display the configuration of a container
    Inspect(FormatOnlyArgs),
    /// Check if a container exists in local storage
    Exists(ExistsArgs),
    /// Create but do not start a container
    Create(Box<RunArgs>),
    /// Start one or more containers
    Start(StartArgs),
    /// Stop one or more containers
    Stop(StopArgs),
    /// Kill one or more running containers with a specific signal
    Kill(KillArgs),
    /// Restart one or more containers
    Restart(StopArgs),
    /// Block on one or more containers and print their exit codes
    Wait(NamesArgs),
    /// Rename an existing container
    Rename(RenameArgs),
    /// Change a container's resource limits (at once while it runs, and for its next starts)
    Update(UpdateArgs),
    /// Fetch the logs of one or more containers
    Logs(LogsArgs),
    /// Attach to a running container
    Attach(AttachArgs),
    /// Run a process in a running container
    Exec(ExecArgs),
    /// Display the running processes of a container
    Top(TopArgs),
    /// List port mappings of a container
    Port(PortArgs),
    /// Copy files and folders between a container and the local filesystem
    Cp(CpArgs),
    /// Pause all the processes in one or more containers
    Pause(AllNamesArgs),
    /// Unpause the processes in one or more containers
    Unpause(AllNamesArgs),
    /// Display a live stream of container resource usage statistics
    Stats(StatsArgs),
    /// Remove all stopped containers
    Prune(PruneArgs),
    /// Create a new image from a container's changes
    Commit(CommitArgs),
    /// Inspect changes to a container's filesystem
    Diff(DiffArgs),
    /// Export a container's filesystem contents as a tar archive
    Export(ExportArgs),
}

#[derive(Args, Debug)]
pub struct VersionArgs {
    /// Change the output format to JSON or a Go template
    #[arg(short, long)]
    pub format: Option<String>,
}

#[derive(Args, Debug)]
pub struct InfoArgs {
    /// Change the output format to JSON or a Go template
    #[arg(short, long)]
    pub format: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct PullOpts {
    /// Require HTTPS and verify certificates when contacting registries (loopback registries may use HTTP)
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub tls_verify: Option<bool>,
    /// Pull the image for this platform (OS/ARCH[/VARIANT]) instead of the host's
    #[arg(long, value_name = "OS/ARCH")]
    pub platform: Option<String>,
    /// Credentials (USERNAME:PASSWORD) for the registry
    #[arg(long, value_name = "USER:PASS")]
    pub creds: Option<Secret>,
    /// Path of the authentication file (default: $REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json)
    #[arg(long, value_name = "FILE")]
    pub authfile: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct PullArgs {
    /// Suppress output information when pulling images
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub opts: PullOpts,
    /// Image to pull, e.g. alpine, docker.io/library/alpine:3, localhost:5000/app@sha256:...
    pub image: String,
}

#[derive(Args, Debug)]
pub struct ImagesArgs {
    /// Show all images, the intermediate images of builds too
    #[arg(short, long)]
    pub all: bool,
    /// Display only image IDs
    #[arg(short, long)]
    pub quiet: bool,
    /// Do not truncate output
    #[arg(long)]
    pub no_trunc: bool,
    /// Show image digests
    #[arg(long)]
    pub digests: bool,
    /// Change the output format to JSON or a Go template
    #[arg(long)]
    pub format: Option<String>,
    /// Filter output based on conditions given (dangling=, label=, label!=, reference=, before=, since=, until=, id=, containers=)
    #[arg(short, long, value_name = "KEY=VALUE")]
    pub filter: Vec<String>,
    /// Show only images of this name
    pub name: Option<String>,
}

#[derive(Args, Debug)]
pub struct RmiArgs {
    /// Remove all images
    #[arg(short, long)]
    pub all: bool,
    /// Force removal: also remove containers that use the image
    #[arg(short, long)]
    pub force: bool,
    /// Images to remove, by name or ID
    pub images: Vec<String>,
}

#[derive(Args, Debug)]
pub struct FormatOnlyArgs {
    /// Format the output using a Go template or json
    #[arg(short, long)]
    pub format: Option<String>,
    /// Names or IDs
    #[arg(required = true)]
    pub names: Vec<String>,
}

#[derive(Args, Debug)]
pub struct ExistsArgs {
    pub name: String,
}

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// Format the output using a Go template or json
    #[arg(short, long)]
    pub format: Option<String>,
    /// Only inspect objects of this type (container, image, volume, network, pod)
    #[arg(short = 't', long = "type", value_parser = ["all", "container", "image", "volume", "network", "pod"], default_value = "all")]
    pub kind: String,
    /// Names or IDs of containers or images
    #[arg(required = true)]
    pub names: Vec<String>,
}

#[derive(Args, Debug)]
#[command(disable_help_flag = true)]
pub struct RunArgs {
    /// Print help
    #[arg(long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
    /// Remove the container when it exits
    #[arg(long)]
    pub rm: bool,
    /// Keep STDIN open even if not attached
    #[arg(short, long)]
    pub interactive: bool,
    /// Allocate a pseudo-TTY
    #[arg(short, long)]
    pub tty: bool,
    /// Assign a name to the container
    #[arg(long)]
    pub name: Option<String>,
    /// Set environment variables (KEY=VALUE, or KEY to copy it from rsp's environment)
    #[arg(short, long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Read environment variables from a file of KEY=VALUE lines
    #[arg(long, value_name = "FILE")]
    pub env_file: Vec<PathBuf>,
    /// Working directory inside the container
    #[arg(short, long, value_name = "DIR")]
    pub workdir: Option<String>,
    /// Overwrite the image's default ENTRYPOINT
    #[arg(long, value_name = "CMD")]
    pub entrypoint: Option<String>,
    /// Username or UID, optionally with group (USER[:GROUP])
    #[arg(short, long, value_name = "USER[:GROUP]")]
    pub user: Option<String>,
    /// User namespace mode: keep-id[:uid=UID,gid=GID] runs the container as your own uid and gid (or those given), with an /etc/passwd entry and home for you; "" (the default) maps your uid to the container's user. host, auto, nomap, ns: and container: are refused: rsp maps one id, in a user namespace of its own
    #[arg(long, value_name = "MODE")]
    pub userns: Option<String>,
    /// Add a supplementary group for the container's user: a GID or a group name from the image's /etc/group (keep-groups is refused: rsp maps one id)
    #[arg(long, value_name = "GROUP", value_delimiter = ',')]
    pub group_add: Vec<String>,
    /// Set the container's host name
    #[arg(short = 'h', long)]
    pub hostname: Option<String>,
    /// Mount a volume: HOST-DIR:CTR (a bind mount), NAME:CTR (a named volume, made if missing) or CTR (an anonymous volume), with options ro, rw, z, Z, U, O, nocopy, bind, rbind, propagation, [no]exec, [no]suid, [no]dev
    #[arg(short, long = "volume", value_name = "[SRC:]CTR[:OPTS]")]
    pub volume: Vec<String>,
    /// Attach a filesystem mount: type=bind|volume|tmpfs|image|devpts,src=...,dst=...[,ro][,options]
    #[arg(long, value_name = "type=TYPE,KEY=VALUE,...")]
    pub mount: Vec<String>,
    /// Mount a new tmpfs: CONTAINER-DIR[:size=,mode=,noexec,...] (filled with the image's files there unless notmpcopyup)
    #[arg(long, value_name = "CTR[:OPTS]")]
    pub tmpfs: Vec<String>,
    /// Mount every volume and bind mount of another container: CONTAINER[:ro|rw]
    #[arg(long, value_name = "CONTAINER[:OPTS]")]
    pub volumes_from: Vec<String>,
    /// What the image's VOLUMEs become: bind (anonymous volumes), tmpfs or ignore
    #[arg(long, value_name = "MODE", default_value = "bind")]
    pub image_volume: String,
    /// Run the container in the background and print its ID
    #[arg(short, long)]
    pub detach: bool,
    /// Key sequence for detaching a container (ctrl-<value> or a character, comma-separated; "" disables)
    #[arg(long, value_name = "KEYS", default_value = "ctrl-p,ctrl-q")]
    pub detach_keys: String,
    /// Restart policy when the container exits: no, on-failure[:MAX], always, unless-stopped
    #[arg(long, value_name = "POLICY", default_value = "no")]
    pub restart: String,
    /// Whether the container gets a cgroup of its own where the user has one delegated: enabled, disabled, or no-conmon (the same as enabled: rsp's monitor never gets a cgroup of its own). split is refused: there is no monitor cgroup to split off
    #[arg(long, value_name = "MODE", default_value = "enabled", value_parser = ["enabled", "disabled", "no-conmon", "split"])]
    pub cgroups: String,
    /// Run an init inside the container that forwards signals and reaps processes (rsp itself as pid 1, out of the container's reach: non-dumpable, no capabilities, a seccomp allow-list)
    #[arg(long)]
    pub init: bool,
    /// Owners and ids: image (the default: the owners and modes the image records, and each process's own user and group ids, so su, setpriv, gosu, servers that drop privileges and apt's sandbox work; emulated through seccomp user notification on x86_64 and aarch64 builds) or user (every file the container user's and one uid for every process, at full speed)
    #[arg(long, value_name = "MODE", value_parser = ["image", "user"])]
    pub owners: Option<String>,
    /// Set metadata on the container (KEY=VALUE)
    #[arg(short, long = "label", value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Signal to stop the container with (default: the image's StopSignal or SIGTERM)
    #[arg(long, value_name = "SIGNAL")]
    pub stop_signal: Option<String>,
    /// Seconds to wait before forcibly stopping the container
    #[arg(long, value_name = "SECONDS")]
    pub stop_timeout: Option<u32>,
    /// Give the container a device node of the host you can read and write (HOST[:CONTAINER][:PERMISSIONS], e.g. /dev/fuse; PERMISSIONS rw or rwm); repeatable
    #[arg(long, value_name = "HOST[:CONTAINER][:PERMS]")]
    pub device: Vec<String>,
    /// Kernel parameter of the container's own namespaces (KEY=VALUE: kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*, net.* with its own network); repeatable
    #[arg(long, value_name = "KEY=VALUE")]
    pub sysctl: Vec<String>,
    /// Add Linux capabilities to the default set (CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT): NAME or CAP_NAME, or ALL; comma-separated or repeated. A non-root --user gets only the added ones. All within the container's user namespace
    #[arg(long = "cap-add", value_name = "CAPABILITY")]
    pub cap_add: Vec<String>,
    /// Drop Linux capabilities from the default set: NAME or CAP_NAME, or ALL; comma-separated or repeated
    #[arg(long = "cap-drop", value_name = "CAPABILITY")]
    pub cap_drop: Vec<String>,
    /// Give the container every capability, no seccomp filter and no masked or read-only kernel paths (it still has nothing beyond its user namespace: nothing you do not have)
    #[arg(long)]
    pub privileged: bool,
    /// Security options: no-new-privileges[=true|false] (setuid files raise nothing), seccomp=unconfined|PROFILE.json (no filter, or a Docker/Podman JSON profile instead of rsp's default), mask=PATH[:PATH...] (hide more paths), unmask=PATH[:PATH...]|ALL (leave default masked or read-only paths alone), label=disable (rsp applies no SELinux labels); others are refused
    #[arg(long = "security-opt", value_name = "OPTION")]
    pub security_opt: Vec<String>,
    /// Mount the container's root filesystem read-only (volumes and the tmpfs of --read-only-tmpfs stay writable)
    #[arg(long)]
    pub read_only: bool,
    /// With --read-only, mount a tmpfs on /tmp, /var/tmp and /run (default true)
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_value = "true", default_missing_value = "true", require_equals = true, action = clap::ArgAction::Set)]
    pub read_only_tmpfs: bool,
    /// Resource limit for the container's processes (TYPE=SOFT[:HARD], e.g. nofile=1024:2048; -1 is unlimited); repeatable
    #[arg(long, value_name = "TYPE=SOFT[:HARD]")]
    pub ulimit: Vec<String>,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Logging driver: k8s-file, none, passthrough
    #[arg(long, value_name = "DRIVER", default_value = "k8s-file", value_parser = ["k8s-file", "none", "passthrough"])]
    pub log_driver: String,
    /// Logging driver options: max-size=SIZE (the log is emptied at SIZE), max-file=N (with max-size: rotated instead, keeping N files), path=FILE (where the log file goes), tag=TAG (shown by inspect)
    #[arg(long, value_name = "OPT")]
    pub log_opt: Vec<String>,
    /// Proxy received signals to the container process
    #[arg(long, value_name = "BOOL", default_value = "true", num_args = 0..=1, default_missing_value = "true", require_equals = true, action = clap::ArgAction::Set)]
    pub sig_proxy: bool,
    /// Network mode: slirp[:OPTS] (the default: own namespace served by rsp's userspace stack;
    /// slirp4netns[:OPTS], and default, private and pasta without options, name it too), none
    /// (loopback only), host (the host's network), or the name of a network made with
    /// `rsp network create`.
    /// OPTS: allow_host_loopback=true|false, port_handler=rootlesskit|slirp, mtu=N
    #[arg(
        long,
        visible_alias = "net",
        default_value = "slirp",
        value_name = "MODE"
    )]
    pub network: String,
    /// Another name for the container on its network (repeatable)
    #[arg(long = "network-alias", value_name = "NAME")]
    pub network_alias: Vec<String>,
    /// Run in this pod (new:NAME makes it), sharing its namespaces
    #[arg(long, value_name = "POD")]
    pub pod: Option<String>,
    /// The container's IPv4 address on its network
    #[arg(long, value_name = "IP")]
    pub ip: Option<String>,
    /// The container's MAC address on its own interface
    #[arg(long = "mac-address", value_name = "MAC")]
    pub mac_address: Option<String>,
    /// A DNS server for /etc/resolv.conf instead of rsp's (repeatable; none: keep the image's file)
    #[arg(long, value_name = "IP")]
    pub dns: Vec<String>,
    /// A DNS search domain for /etc/resolv.conf (repeatable; . for none)
    #[arg(long = "dns-search", value_name = "DOMAIN")]
    pub dns_search: Vec<String>,
    /// A resolver option for /etc/resolv.conf (repeatable)
    #[arg(long = "dns-option", visible_alias = "dns-opt", value_name = "OPTION")]
    pub dns_option: Vec<String>,
    /// Add a line to /etc/hosts: NAME:IP (host-gateway: rsp's gateway, 10.0.2.2)
    #[arg(long = "add-host", value_name = "NAME:IP")]
    pub add_host: Vec<String>,
    /// Do not create /etc/hosts: keep the image's
    #[arg(long = "no-hosts")]
    pub no_hosts: bool,
    /// Publish a container's port to the host: [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]
    #[arg(short = 'p', long = "publish", value_name = "SPEC")]
    pub publish: Vec<String>,
    /// Publish every port the image exposes to a free host port
    #[arg(short = 'P', long)]
    pub publish_all: bool,
    /// Expose a port or range, as the image's EXPOSE does: shown by inspect, kept by commit, published by -P
    #[arg(long, value_name = "PORT[/PROTO]")]
    pub expose: Vec<String>,
    /// When to pull the image: always, missing, never, newer (only when the registry's image differs from the local one; the local one if the registry cannot be reached)
    #[arg(long, default_value = "missing", value_parser = ["always", "missing", "never", "newer"])]
    pub pull: String,
    /// Suppress output information when pulling images
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub pull_opts: PullOpts,
    /// Image to run
    pub image: String,
    /// Command and arguments (default: the image's ENTRYPOINT and CMD)
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub command: Vec<String>,
}

#[derive(Args, Debug)]
pub struct PsArgs {
    /// Show the pod of each container (POD ID and PODNAME columns)
    #[arg(long)]
    pub pod: bool,
    /// Show all the containers, default is only running containers
    #[arg(short, long)]
    pub all: bool,
    /// Filter output based on conditions given (status=, name=, id=, label=, ancestor=, exited=)
    #[arg(short, long, value_name = "KEY=VALUE")]
    pub filter: Vec<String>,
    /// Print the n last created containers (includes all states)
    #[arg(short = 'n', long, value_name = "N")]
    pub last: Option<usize>,
    /// Act on the latest container created
    #[arg(short, long)]
    pub latest: bool,
    /// Display the total file sizes
    #[arg(short, long)]
    pub size: bool,
    /// Print the numeric IDs of the containers only
    #[arg(short, long)]
    pub quiet: bool,
    /// Display extended information (full IDs and commands)
    #[arg(long)]
    pub no_trunc: bool,
    /// Pretty-print containers to JSON or using a Go template
    #[arg(long)]
    pub format: Option<String>,
    /// Also show the containers of builds in progress (Podman's external containers)
    #[arg(long)]
    pub external: bool,
}

#[derive(Args, Debug)]
pub struct RmArgs {
    /// Force removal of a running container
    #[arg(short, long)]
    pub force: bool,
    /// Remove the anonymous volumes made for the container (-v /path, the image's VOLUMEs) that no other container uses
    #[arg(short, long)]
    pub volumes: bool,
    /// Ignore errors when a specified container is missing
    #[arg(short, long)]
    pub ignore: bool,
    /// With -f, seconds to wait for a running container to stop before killing it (default: kill at once)
    #[arg(short = 't', long = "time", value_name = "SECONDS")]
    pub time: Option<u32>,
    /// Remove all containers
    #[arg(short, long)]
    pub all: bool,
    /// Containers to remove, by name or ID
    pub containers: Vec<String>,
}

#[derive(Args, Debug)]
pub struct StartArgs {
    /// Attach container's STDOUT and STDERR
    #[arg(short, long)]
    pub attach: bool,
    /// Attach container's STDIN
    #[arg(short, long)]
    pub interactive: bool,
    /// Key sequence for detaching a container
    #[arg(long, value_name = "KEYS", default_value = "ctrl-p,ctrl-q")]
    pub detach_keys: String,
    /// Proxy received signals to the container process (with --attach)
    #[arg(long, value_name = "BOOL", default_value = "true", num_args = 0..=1, default_missing_value = "true", require_equals = true, action = clap::ArgAction::Set)]
    pub sig_proxy: bool,
    /// Start all containers that are not running
    #[arg(long)]
    pub all: bool,
    /// Containers to start
    pub containers: Vec<String>,
}

#[derive(Args, Debug)]
pub struct StopArgs {
    /// Seconds to wait for the stop signal before killing the container
    #[arg(
        short = 't',
        long = "time",
        visible_alias = "timeout",
        value_name = "SECONDS"
    )]
    pub time: Option<u32>,
    /// Act on all running containers
    #[arg(short, long)]
    pub all: bool,
    /// Ignore errors when a specified container is missing
    #[arg(short, long)]
    pub ignore: bool,
    /// Containers
    pub containers: Vec<String>,
}

#[derive(Args, Debug)]
pub struct KillArgs {
    /// Signal to send to the container
    #[arg(short, long, default_value = "KILL")]
    pub signal: String,
    /// Signal all running containers
    #[arg(short, long)]
    pub all: bool,
    /// Containers
    pub containers: Vec<String>,
}

#[derive(Args, Debug)]
pub struct NamesArgs {
    /// Containers
    #[arg(required = true)]
    pub containers: Vec<String>,
}

#[derive(Args, Debug)]
pub struct AllNamesArgs {
    /// Act on all applicable containers
    #[arg(short, long)]
    pub all: bool,
    /// Containers
    pub containers: Vec<String>,
}

#[derive(Args, Debug, Clone, Default)]
pub struct LimitArgs {
    /// Memory limit (e.g. 512m, 1g; at least 6m): the container's processes are killed by the kernel beyond it (OOMKilled in inspect, exit 137). Needs a delegated cgroup with the memory controller
    #[arg(short = 'm', long, value_name = "SIZE")]
    pub memory: Option<String>,
    /// Memory and swap together (at least --memory; -1: unlimited swap; default twice --memory)
    #[arg(long, value_name = "SIZE")]
    pub memory_swap: Option<String>,
    /// Memory the container is guaranteed under pressure (a soft limit, below --memory)
    #[arg(long, value_name = "SIZE")]
    pub memory_reservation: Option<String>,
    /// CPUs the container may use (e.g. 1.5), as a CFS quota over 100 ms periods
    #[arg(long, value_name = "NUMBER")]
    pub cpus: Option<String>,
    /// CPU shares, a relative weight (2 to 262144; 1024 is the default)
    #[arg(short = 'c', long, value_name = "SHARES")]
    pub cpu_shares: Option<String>,
    /// CPU weight, cgroup v2's own relative weight (1 to 10000; 100 is the default); instead of --cpu-shares
    #[arg(long, value_name = "WEIGHT")]
    pub cpu_weight: Option<String>,
    /// CPUs the container may run on (e.g. 0-1,3)
    #[arg(long, value_name = "CPUS")]
    pub cpuset_cpus: Option<String>,
    /// Most processes and threads the container may have (-1 or 0: no limit; default 2048 where the pids controller is delegated)
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub pids_limit: Option<String>,
    /// Block IO weight, relative (10 to 1000)
    #[arg(long, value_name = "WEIGHT")]
    pub blkio_weight: Option<String>,
}

impl LimitArgs {
    pub fn flags(&self) -> rsp_runtime::limits::LimitFlags {
        rsp_runtime::limits::LimitFlags {
            memory: self.memory.clone(),
            memory_swap: self.memory_swap.clone(),
            memory_reservation: self.memory_reservation.clone(),
            cpus: self.cpus.clone(),
            cpu_shares: self.cpu_shares.clone(),
            cpu_weight: self.cpu_weight.clone(),
            cpuset_cpus: self.cpuset_cpus.clone(),
            pids_limit: self.pids_limit.clone(),
            blkio_weight: self.blkio_weight.clone(),
        }
    }
}

#[derive(Args, Debug)]
pub struct UpdateArgs {
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Container name or ID
    pub container: String,
}

#[derive(Args, Debug)]
pub struct RenameArgs {
    /// Current name or ID
    pub container: String,
    /// New name
    pub name: String,
}

#[derive(Args, Debug)]
pub struct LogsArgs {
    /// Follow log output
    #[arg(short, long)]
    pub follow: bool,
    /// Show logs since TIMESTAMP (RFC 3339, Unix time or a duration such as 10m)
    #[arg(long, value_name = "TIMESTAMP")]
    pub since: Option<String>,
    /// Show logs until TIMESTAMP
    #[arg(long, value_name = "TIMESTAMP")]
    pub until: Option<String>,
    /// Output the specified number of lines at the end of the logs
    #[arg(short = 'n', long, value_name = "N")]
    pub tail: Option<i64>,
    /// Output the timestamps in the log
    #[arg(short, long)]
    pub timestamps: bool,
    /// Prefix each line with the container's name (several containers)
    #[arg(long)]
    pub names: bool,
    /// Containers
    #[arg(required = true)]
    pub containers: Vec<String>,
}

#[derive(Args, Debug)]
pub struct AttachArgs {
    /// Key sequence for detaching a container
    #[arg(long, value_name = "KEYS", default_value = "ctrl-p,ctrl-q")]
    pub detach_keys: String,
    /// Do not attach STDIN
    #[arg(long)]
    pub no_stdin: bool,
    /// Proxy received signals to the container process
    #[arg(long, value_name = "BOOL", default_value = "true", num_args = 0..=1, default_missing_value = "true", require_equals = true, action = clap::ArgAction::Set)]
    pub sig_proxy: bool,
    /// Container
    pub container: String,
}

#[derive(Args, Debug)]
pub struct ExecArgs {
    /// Run the command in the background
    #[arg(short, long)]
    pub detach: bool,
    /// Key sequence for detaching: only "" (none), as rsp exec cannot detach from a command (use -d to run it in the background)
    #[arg(long, value_name = "KEYS")]
    pub detach_keys: Option<String>,
    /// Set environment variables
    #[arg(short, long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Read environment variables from a file
    #[arg(long, value_name = "FILE")]
    pub env_file: Vec<PathBuf>,
    /// Keep STDIN open
    #[arg(short, long)]
    pub interactive: bool,
    /// Allocate a pseudo-TTY
    #[arg(short, long)]
    pub tty: bool,
    /// Username or UID, resolved in the container's /etc/passwd and /etc/group (any user of the image under the default id emulation; only the container's own user with --owners user)
    #[arg(short, long, value_name = "USER[:GROUP]")]
    pub user: Option<String>,
    /// Working directory inside the container
    #[arg(short, long, value_name = "DIR")]
    pub workdir: Option<String>,
    /// Container
    pub container: String,
    /// Command and arguments
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
    pub command: Vec<String>,
}

#[derive(Args, Debug)]
pub struct TopArgs {
    /// Container
    pub container: String,
    /// Format descriptors (user, pid, ppid, pcpu, etime, tty, time, args, ...) or ps(1) options
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub descriptors: Vec<String>,
}

#[derive(Args, Debug)]
pub struct PortArgs {
    /// Display port information for all containers
    #[arg(short, long)]
    pub all: bool,
    /// Container
    pub container: Option<String>,
    /// Only this container port (PORT[/PROTO])
    pub port: Option<String>,
}

#[derive(Args, Debug)]
pub struct CpArgs {
    /// Keep the owner of copied files (the default in rsp; accepted for compatibility)
    #[arg(short, long)]
    pub archive: bool,
    /// Follow a symbolic link given as the source
    #[arg(short = 'L', long)]
    pub follow_link: bool,
    /// Allow directories to be overwritten with non-directories and vice versa
    #[arg(long)]
    pub overwrite: bool,
    /// Source: CONTAINER:PATH, a host path, or - for a tar stream on stdin
    pub src: String,
    /// Destination: CONTAINER:PATH, a host path, or - for a tar stream on stdout
    pub dest: String,
}

#[derive(Args, Debug)]
pub struct StatsArgs {
    /// Show all containers (default: running ones)
    #[arg(short, long)]
    pub all: bool,
    /// Disable streaming stats and only pull the first result
    #[arg(long)]
    pub no_stream: bool,
    /// Do not truncate output
    #[arg(long)]
    pub no_trunc: bool,
    /// Pretty-print container statistics to JSON or using a Go template
    #[arg(long)]
    pub format: Option<String>,
    /// Seconds between updates when streaming
    #[arg(short, long, default_value = "5", value_name = "SECONDS")]
    pub interval: u64,
    /// Containers
    pub containers: Vec<String>,
}

#[derive(Args, Debug)]
pub struct PruneArgs {
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
    /// Only containers matching (label=, until=)
    #[arg(long, value_name = "KEY=VALUE")]
    pub filter: Vec<String>,
}

#[derive(Args, Debug)]
pub struct EventsArgs {
    /// Filter output (container=, event=, image=, label=, type=)
    #[arg(short, long, value_name = "KEY=VALUE")]
    pub filter: Vec<String>,
    /// Format the output with a Go template or json
    #[arg(long)]
    pub format: Option<String>,
    /// Show all events created since TIMESTAMP
    #[arg(long, value_name = "TIMESTAMP")]
    pub since: Option<String>,
    /// Stream events until TIMESTAMP
    #[arg(long, value_name = "TIMESTAMP")]
    pub until: Option<String>,
    /// Stream new events (false: print past events and exit)
    #[arg(long, value_name = "BOOL", default_value = "true", num_args = 0..=1, default_missing_value = "true", require_equals = true, action = clap::ArgAction::Set)]
    pub stream: bool,
}

// ---- commit, diff, export, import ----

#[derive(Args, Debug)]
pub struct CommitArgs {
    /// Set the author of the committed image
    #[arg(short, long)]
    pub author: Option<String>,
    /// Apply a Dockerfile instruction to the image config: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME or WORKDIR (repeatable)
    #[arg(short, long, value_name = "INSTRUCTION")]
    pub change: Vec<String>,
    /// Set the commit message, recorded in the image's history
    #[arg(short, long)]
    pub message: Option<String>,
    /// Pause the container while committing
    #[arg(short, long)]
    pub pause: bool,
    /// Print only the new image's ID
    #[arg(short, long)]
    pub quiet: bool,
    /// Format of the image: oci or docker (rsp stores both as OCI)
    #[arg(short, long, default_value = "oci", value_parser = ["oci", "docker"])]
    pub format: String,
    /// The container to commit
    pub container: String,
    /// Name of the new image (default: none, shown as <none>)
    pub image: Option<String>,
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// Output format: json
    #[arg(long, value_parser = ["json"])]
    pub format: Option<String>,
    /// A container (changes against its image) or an image (its top layer against the ones below)
    pub name: String,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Write to this file instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The container to export
    pub container: String,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// Apply a Dockerfile instruction to the image config: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME or WORKDIR (repeatable)
    #[arg(short, long, value_name = "INSTRUCTION")]
    pub change: Vec<String>,
    /// Set the commit message, recorded in the image's history
    #[arg(short, long)]
    pub message: Option<String>,
    /// Print only the new image's ID
    #[arg(short, long)]
    pub quiet: bool,
    /// The tarball (plain, gzip or zstd) of a root filesystem, or - for standard input
    pub source: String,
    /// Name of the new image (default: none, shown as <none>)
    pub reference: Option<String>,
}

// ---- registry commands: push, login, logout, search, manifest inspect ----

/// A password (or `USER:PASS`) from the command line; `Debug` never shows it.
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Secret, Self::Err> {
        Ok(Secret(s.to_string()))
    }
}

/// Connection options shared by the registry commands.
#[derive(Args, Debug, Clone)]
pub struct RegistryConnOpts {
    /// Require HTTPS and verify certificates when contacting registries (loopback registries may use HTTP)
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub tls_verify: Option<bool>,
    /// Path of the authentication file (default: $REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json)
    #[arg(long, value_name = "FILE")]
    pub authfile: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct PushArgs {
    #[command(flatten)]
    pub conn: RegistryConnOpts,
    /// Credentials (USERNAME:PASSWORD) for the registry
    #[arg(long, value_name = "USER:PASS")]
    pub creds: Option<Secret>,
    /// Compression for layers the registry does not have yet: gzip or zstd
    #[arg(long, value_name = "FORMAT", value_parser = ["gzip", "zstd"])]
    pub compression_format: Option<String>,
    /// Compression level (gzip 0-9, zstd 1-19)
    #[arg(long, value_name = "N")]
    pub compression_level: Option<i32>,
    /// Manifest format to write: oci or v2s2 (Docker schema 2, gzip only)
    #[arg(short, long, value_name = "FORMAT", value_parser = ["oci", "v2s2"])]
    pub format: Option<String>,
    /// Write the digest of the pushed manifest to this file
    #[arg(long, value_name = "FILE")]
    pub digestfile: Option<PathBuf>,
    /// Suppress output information when pushing images
    #[arg(short, long)]
    pub quiet: bool,
    /// Local image to push (name or ID)
    pub image: String,
    /// Where to push it: docker://REFERENCE or REFERENCE (default: the image's name)
    pub destination: Option<String>,
}

#[derive(Args, Debug)]
pub struct LoginArgs {
    #[command(flatten)]
    pub conn: RegistryConnOpts,
    /// Username for the registry
    #[arg(short, long)]
    pub username: Option<String>,
    /// Password for the registry (insecure: visible to other users; prefer --password-stdin)
    #[arg(short, long)]
    pub password: Option<Secret>,
    /// Take the password from stdin
    #[arg(long)]
    pub password_stdin: bool,
    /// Print the username stored for the registry
    #[arg(long)]
    pub get_login: bool,
    /// Registry to log in to, e.g. localhost:5000 (default: the first unqualified-search registry)
    pub registry: Option<String>,
}

#[derive(Args, Debug)]
pub struct LogoutArgs {
    /// Path of the authentication file (default: $REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json)
    #[arg(long, value_name = "FILE")]
    pub authfile: Option<PathBuf>,
    /// Remove the credentials of every registry
    #[arg(short, long)]
    pub all: bool,
    /// Registry to log out of
    #[arg(required_unless_present = "all")]
    pub registry: Option<String>,
}

#[derive(Args, Debug)]
pub struct SearchArgs {
    #[command(flatten)]
    pub conn: RegistryConnOpts,
    /// Credentials (USERNAME:PASSWORD) for the registry
    #[arg(long, value_name = "USER:PASS")]
    pub creds: Option<Secret>,
    /// Maximum number of results
    #[arg(long, default_value_t = 25, value_name = "N")]
    pub limit: usize,
    /// List the tags of the image named by TERM
    #[arg(long)]
    pub list_tags: bool,
    /// Change the output format to JSON or a Go template
    #[arg(long)]
    pub format: Option<String>,
    /// Do not truncate the output
    #[arg(long)]
    pub no_trunc: bool,
    /// What to look for; HOST/TERM searches the registry HOST
    pub term: String,
}

#[derive(Subcommand, Debug)]
pub enum ManifestCommand {
    /// Display the manifest or manifest list of an image in a registry
    Inspect(ManifestInspectArgs),
}

#[derive(Args, Debug)]
pub struct ManifestInspectArgs {
    #[command(flatten)]
    pub conn: RegistryConnOpts,
    /// Credentials (USERNAME:PASSWORD) for the registry
    #[arg(long, value_name = "USER:PASS")]
    pub creds: Option<Secret>,
    /// Image reference in a registry, e.g. localhost:5000/app:1
    pub image: String,
}

#[cfg(test)]
mod secret_tests {
    #[test]
    fn parsed_arguments_do_not_show_passwords() {
        use clap::Parser;
        let cli = super::Cli::try_parse_from([
            "rsp",
            "login",
            "-u",
            "me",
            "-p",
            "hunter2-pw",
            "localhost:5000",
        ])
        .unwrap();
        assert!(!format!("{cli:?}").contains("hunter2"));
        let cli =
            super::Cli::try_parse_from(["rsp", "pull", "--creds", "me:hunter2-pw", "x"]).unwrap();
        assert!(!format!("{cli:?}").contains("hunter2"));
    }
}

// ---- tag, untag, history, image prune/tree, system df/prune ----

#[derive(Args, Debug)]
pub struct TagArgs {
    /// Image to name, by name or ID
    pub image: String,
    /// New names, e.g. myapp:v1 (localhost/myapp:v1) or registry.example:5000/app:v1
    #[arg(required = true, value_name = "TARGET_NAME")]
    pub targets: Vec<String>,
}

#[derive(Args, Debug)]
pub struct UntagArgs {
    /// Image to remove names from, by name or ID
    pub image: String,
    /// Names to remove (default: all of the image's names)
    pub names: Vec<String>,
}

#[derive(Args, Debug)]
pub struct HistoryArgs {
    /// Display sizes and dates in human readable format
    #[arg(short = 'H', long, value_name = "BOOL", default_value = "true", num_args = 0..=1, default_missing_value = "true", require_equals = true, action = clap::ArgAction::Set)]
    pub human: bool,
    /// Do not truncate the output
    #[arg(long, alias = "notruncate")]
    pub no_trunc: bool,
    /// Display the numeric IDs only
    #[arg(short, long)]
    pub quiet: bool,
    /// Change the output to JSON or a Go template (.ID .Created .CreatedAt .CreatedSince .CreatedBy .Size .Comment .Tags)
    #[arg(long)]
    pub format: Option<String>,
    /// Image, by name or ID
    pub image: String,
}

#[derive(Args, Debug)]
pub struct ImagePruneArgs {
    /// Remove all images not in use by containers, not just dangling ones
    #[arg(short, long)]
    pub all: bool,
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
    /// Only images matching (until=, label=, label!=, dangling=, reference=, before=, since=, id=)
    #[arg(long, value_name = "KEY=VALUE")]
    pub filter: Vec<String>,
}

#[derive(Args, Debug)]
pub struct TreeArgs {
    /// Show the images built on this one and the layers they add
    #[arg(long)]
    pub whatrequires: bool,
    /// Image, by name or ID
    pub image: String,
}

#[derive(Args, Debug)]
pub struct DfArgs {
    /// Show detailed information on space usage
    #[arg(short, long)]
    pub verbose: bool,
    /// Pretty-print to JSON or using a Go template (.Type .Total .Active .Size .Reclaimable)
    #[arg(long)]
    pub format: Option<String>,
}

#[derive(Args, Debug)]
pub struct SystemPruneArgs {
    /// Remove all unused images, not just dangling ones
    #[arg(short, long)]
    pub all: bool,
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
    /// Prune unused volumes too
    #[arg(long)]
    pub volumes: bool,
    /// Only containers and images matching (label=, until=)
    #[arg(long, value_name = "KEY=VALUE")]
    pub filter: Vec<String>,
}

#[derive(Args, Debug)]
pub struct SaveArgs {
    /// Write to this file (or, for oci-dir, this new directory) instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Archive format: docker-archive (as docker save), oci-archive, or oci-dir (an OCI layout directory)
    #[arg(long, value_name = "FORMAT", default_value = "docker-archive",
          value_parser = ["docker-archive", "oci-archive", "oci-dir"])]
    pub format: String,
    /// Print nothing but errors
    #[arg(short, long)]
    pub quiet: bool,
    /// Save every IMAGE named into one docker-archive (without it, names after the first are extra tags for the first image)
    #[arg(short = 'm', long)]
    pub multi_image_archive: bool,
    /// Image to save (a name keeps that name; an ID saves it unnamed), then more images with -m, or extra tags for it without
    #[arg(required = true, value_name = "IMAGE")]
    pub images: Vec<String>,
}

#[derive(Args, Debug)]
pub struct LoadArgs {
    /// Read from this archive (or OCI layout directory) instead of standard input
    #[arg(short, long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Print nothing but errors
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Subcommand, Debug)]
pub enum VolumeCommand {
    /// Create a new volume
    Create(VolumeCreateArgs),
    /// List volumes
    #[command(visible_alias = "list")]
    Ls(VolumeLsArgs),
    /// Display detailed information on one or more volumes
    Inspect(VolumeInspectArgs),
    /// Remove one or more volumes
    #[command(visible_alias = "remove")]
    Rm(VolumeRmArgs),
    /// Remove all unused volumes
    Prune(VolumePruneArgs),
    /// Check if a volume exists (exit 0 if it does, 1 if not)
    Exists(VolumeNameArg),
    /// Export a volume's contents as a tar archive
    Export(VolumeExportArgs),
    /// Import a tar archive into a volume
    Import(VolumeImportArgs),
    /// Reload volumes from volume plugins (rsp has none: nothing to do)
    Reload,
}

#[derive(Args, Debug)]
pub struct VolumeCreateArgs {
    /// Volume driver (only local)
    #[arg(short, long, default_value = "local")]
    pub driver: String,
    /// Driver options: type=tmpfs with o=size=..., type=none with device=DIR and o=bind, or o=uid=N,gid=N
    #[arg(short, long = "opt", value_name = "KEY=VALUE")]
    pub opt: Vec<String>,
    /// Set metadata for the volume
    #[arg(short, long, value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Do not fail if a volume of that name exists
    #[arg(long)]
    pub ignore: bool,
    /// Name of the volume (default: a random ID)
    pub name: Option<String>,
}

#[derive(Args, Debug)]
pub struct VolumeLsArgs {
    /// Filter output (name=, label=, label!=, driver=, dangling=true|false, until=, scope=local)
    #[arg(short, long, value_name = "KEY=VALUE")]
    pub filter: Vec<String>,
    /// Pretty-print volumes to JSON or using a Go template
    #[arg(long)]
    pub format: Option<String>,
    /// Print volume names only
    #[arg(short, long)]
    pub quiet: bool,
    /// Do not print headings
    #[arg(long)]
    pub noheading: bool,
}

#[derive(Args, Debug)]
pub struct VolumeInspectArgs {
    /// Inspect all volumes
    #[arg(short, long)]
    pub all: bool,
    /// Format the output using a Go template or json
    #[arg(short, long)]
    pub format: Option<String>,
    /// Volumes to inspect
    pub names: Vec<String>,
}

#[derive(Args, Debug)]
pub struct VolumeRmArgs {
    /// Remove all volumes
    #[arg(short, long)]
    pub all: bool,
    /// Remove the containers using a volume first (stopping running ones)
    #[arg(short, long)]
    pub force: bool,
    /// With -f, seconds to wait for a running container to stop before killing it
    #[arg(short = 't', long = "time", value_name = "SECONDS")]
    pub time: Option<u32>,
    /// Volumes to remove
    pub names: Vec<String>,
}

#[derive(Args, Debug)]
pub struct VolumePruneArgs {
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
    /// Only volumes matching (label=, label!=, until=, name=, driver=)
    #[arg(long, value_name = "KEY=VALUE")]
    pub filter: Vec<String>,
}

#[derive(Args, Debug)]
pub struct VolumeNameArg {
    /// The volume
    pub name: String,
}

#[derive(Args, Debug)]
pub struct VolumeExportArgs {
    /// Write to this file instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The volume
    pub name: String,
}

#[derive(Args, Debug)]
pub struct VolumeImportArgs {
    /// The volume (it must exist)
    pub name: String,
    /// The tar archive, or - for standard input
    pub source: String,
}

#[derive(Subcommand, Debug)]
pub enum NetworkCommand {
    /// Create a network
    Create(NetworkCreateArgs),
    /// List networks
    #[command(visible_alias = "list")]
    Ls(NetworkLsArgs),
    /// Display detailed information on one or more networks
    Inspect(NetworkInspectArgs),
    /// Remove one or more networks
    #[command(visible_alias = "remove")]
    Rm(NetworkRmArgs),
    /// Remove all networks no container uses
    Prune(NetworkPruneArgs),
    /// Check if a network exists (exit 0 if it does, 1 if not)
    Exists(NetworkNameArg),
    /// Connect a container to a network (at once if it runs)
    Connect(NetworkConnectArgs),
    /// Disconnect a container from a network
    Disconnect(NetworkDisconnectArgs),
}

#[derive(Args, Debug)]
pub struct NetworkConnectArgs {
    /// Another name for the container on this network (repeatable)
    #[arg(long, value_name = "NAME")]
    pub alias: Vec<String>,
    /// The container's IPv4 address on this network
    #[arg(long, value_name = "IP")]
    pub ip: Option<String>,
    /// The network (name or ID)
    pub network: String,
    /// The container (name or ID)
    pub container: String,
}

#[derive(Args, Debug)]
pub struct NetworkDisconnectArgs {
    /// The network (name or ID)
    pub network: String,
    /// The container (name or ID)
    pub container: String,
}

#[derive(Args, Debug)]
pub struct NetworkCreateArgs {
    /// Network driver (only bridge)
    #[arg(short, long)]
    pub driver: Option<String>,
    /// Subnet in CIDR form (default: the first free 10.89.N.0/24)
    #[arg(long, value_name = "CIDR")]
    pub subnet: Vec<String>,
    /// Gateway of the subnet (default: its first address)
    #[arg(long, value_name = "IP")]
    pub gateway: Vec<String>,
    /// Allocate container addresses from this CIDR inside the subnet
    #[arg(long = "ip-range", value_name = "CIDR")]
    pub ip_range: Vec<String>,
    /// Restrict the network to its containers: no route out
    #[arg(long)]
    pub internal: bool,
    /// Do not serve container names over DNS on this network
    #[arg(long = "disable-dns")]
    pub disable_dns: bool,
    /// Set metadata for the network
    #[arg(short, long, value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Driver options: mtu=N
    #[arg(short, long = "opt", value_name = "KEY=VALUE")]
    pub opt: Vec<String>,
    /// Do not fail if a network of that name exists
    #[arg(long)]
    pub ignore: bool,
    /// Name of the network (default: podmanN)
    pub name: Option<String>,
}

#[derive(Args, Debug)]
pub struct NetworkLsArgs {
    /// Filter output (name=, id=, driver=, label=, label!=, dangling=true|false, until=)
    #[arg(short, long, value_name = "KEY=VALUE")]
    pub filter: Vec<String>,
    /// Pretty-print networks to JSON or using a Go template
    #[arg(long)]
    pub format: Option<String>,
    /// Print network names only
    #[arg(short, long)]
    pub quiet: bool,
    /// Do not print headings
    #[arg(long)]
    pub noheading: bool,
    /// Do not truncate the network IDs
    #[arg(long = "no-trunc")]
    pub no_trunc: bool,
}

#[derive(Args, Debug)]
pub struct NetworkInspectArgs {
    /// Format the output using a Go template or json
    #[arg(short, long)]
    pub format: Option<String>,
    /// Networks to inspect (names or IDs)
    #[arg(required = true)]
    pub names: Vec<String>,
}

#[derive(Args, Debug)]
pub struct NetworkRmArgs {
    /// Remove the containers using a network first (stopping running ones)
    #[arg(short, long)]
    pub force: bool,
    /// With -f, seconds to wait for a running container to stop before killing it
    #[arg(short = 't', long = "time", value_name = "SECONDS")]
    pub time: Option<u32>,
    /// Networks to remove (names or IDs)
    #[arg(required = true)]
    pub names: Vec<String>,
}

#[derive(Args, Debug)]
pub struct NetworkPruneArgs {
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
    /// Only networks matching (label=, label!=, until=)
    #[arg(long, value_name = "KEY=VALUE")]
    pub filter: Vec<String>,
}

#[derive(Args, Debug)]
pub struct NetworkNameArg {
    /// The network (name or ID)
    pub name: String,
}

#[derive(Subcommand, Debug)]
pub enum PodCommand {
    /// Create a new pod
    Create(PodCreateArgs),
    /// List pods
    #[command(name = "ps", visible_aliases = ["ls", "list"])]
    Ps(PodPsArgs),
    /// Display detailed information on one or more pods
    Inspect(PodInspectArgs),
    /// Start one or more pods (their infra first)
    Start(PodNamesArgs),
    /// Stop one or more pods (their infra last)
    Stop(PodStopArgs),
    /// Restart one or more pods
    Restart(PodNamesArgs),
    /// Send a signal to the containers of one or more pods
    Kill(PodKillArgs),
    /// Pause the containers of one or more pods
    Pause(PodNamesArgs),
    /// Unpause the containers of one or more pods
    Unpause(PodNamesArgs),
    /// Remove one or more pods
    #[command(visible_alias = "remove")]
    Rm(PodRmArgs),
    /// Remove every pod none of whose containers runs
    Prune(PodPruneArgs),
    /// Check if a pod exists (exit 0 if it does, 1 if not)
    Exists(PodNameArg),
    /// Display the processes of a pod's containers
    Top(PodNameArg),
    /// Display a live stream of a pod's containers' resource usage
    Stats(PodStatsArgs),
    /// Fetch the logs of a pod's containers
    Logs(PodLogsArgs),
}

#[derive(Args, Debug)]
pub struct PodCreateArgs {
    /// Name of the pod (default: a random name)
    #[arg(long)]
    pub name: Option<String>,
    /// Create an infra container holding the shared namespaces
    #[arg(long, value_name = "BOOL", default_value = "true", num_args = 0..=1, default_missing_value = "true", require_equals = true, action = clap::ArgAction::Set)]
    pub infra: bool,
    /// Namespaces the containers share: a comma-separated subset of net, uts and ipc
    #[arg(long, default_value = "ipc,net,uts")]
    pub share: String,
    /// Publish a port of the pod to the host: [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]
    #[arg(short = 'p', long = "publish", value_name = "SPEC")]
    pub publish: Vec<String>,
    /// The pod's network: slirp (default), none, host, bridge or network names
    #[arg(
        long,
        visible_alias = "net",
        default_value = "slirp",
        value_name = "MODE"
    )]
    pub network: String,
    /// The pod's hostname (default: its name)
    #[arg(long)]
    pub hostname: Option<String>,
    /// Add a line to the pod's /etc/hosts: NAME:IP
    #[arg(long = "add-host", value_name = "NAME:IP")]
    pub add_host: Vec<String>,
    /// Set metadata for the pod
    #[arg(short, long, value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Name of the pod, as an argument
    pub pod_name: Option<String>,
}

#[derive(Args, Debug)]
pub struct PodPsArgs {
    /// Print pod IDs only
    #[arg(short, long)]
    pub quiet: bool,
    /// Do not truncate pod IDs
    #[arg(long = "no-trunc")]
    pub no_trunc: bool,
    /// Pretty-print pods to JSON or using a Go template
    #[arg(long)]
    pub format: Option<String>,
    /// Filter output (name=, id=, label=, status=)
    #[arg(short, long, value_name = "KEY=VALUE")]
    pub filter: Vec<String>,
    /// Do not print headings
    #[arg(long)]
    pub noheading: bool,
}

#[derive(Args, Debug)]
pub struct PodInspectArgs {
    /// Format the output using a Go template or json
    #[arg(short, long)]
    pub format: Option<String>,
    /// Pods (names or IDs)
    #[arg(required = true)]
    pub pods: Vec<String>,
}

#[derive(Args, Debug)]
pub struct PodNamesArgs {
    /// Pods (names or IDs)
    #[arg(required = true)]
    pub pods: Vec<String>,
}

#[derive(Args, Debug)]
pub struct PodStopArgs {
    /// Seconds to wait for each container to stop before killing it
    #[arg(short = 't', long = "time", value_name = "SECONDS")]
    pub time: Option<u32>,
    /// Pods (names or IDs)
    #[arg(required = true)]
    pub pods: Vec<String>,
}

#[derive(Args, Debug)]
pub struct PodKillArgs {
    /// Signal to send (default KILL)
    #[arg(short, long, default_value = "KILL")]
    pub signal: String,
    /// Pods (names or IDs)
    #[arg(required = true)]
    pub pods: Vec<String>,
}

#[derive(Args, Debug)]
pub struct PodRmArgs {
    /// Stop and remove running containers of the pod too
    #[arg(short, long)]
    pub force: bool,
    /// With -f, seconds to wait for a running container to stop before killing it
    #[arg(short = 't', long = "time", value_name = "SECONDS")]
    pub time: Option<u32>,
    /// Pods (names or IDs)
    #[arg(required = true)]
    pub pods: Vec<String>,
}

#[derive(Args, Debug)]
pub struct PodPruneArgs {
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct PodNameArg {
    /// The pod (name or ID)
    pub pod: String,
}

#[derive(Args, Debug)]
pub struct PodStatsArgs {
    /// Disable streaming stats and only pull the first result
    #[arg(long)]
    pub no_stream: bool,
    /// Pretty-print statistics to JSON or using a Go template
    #[arg(long)]
    pub format: Option<String>,
    /// The pod (name or ID)
    pub pod: String,
}

#[derive(Args, Debug)]
pub struct PodLogsArgs {
    /// Follow log output
    #[arg(short, long)]
    pub follow: bool,
    /// Output the specified number of lines at the end of each container's logs
    #[arg(short = 'n', long, value_name = "N")]
    pub tail: Option<i64>,
    /// Output the timestamps in the log
    #[arg(short, long)]
    pub timestamps: bool,
    /// Only this container of the pod
    #[arg(short, long, value_name = "CONTAINER")]
    pub container: Option<String>,
    /// The pod (name or ID)
    pub pod: String,
}
