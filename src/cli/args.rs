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
    pub creds: Option<String>,
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
    /// Show all images (rsp has no intermediate images: same as without)
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
    /// Only inspect objects of this type (container, image)
    #[arg(short = 't', long = "type", value_parser = ["all", "container", "image"], default_value = "all")]
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
    /// Set the container's host name
    #[arg(short = 'h', long)]
    pub hostname: Option<String>,
    /// Bind mount a volume (HOST-DIR:CONTAINER-DIR[:ro|rw])
    #[arg(short, long = "volume", value_name = "HOST:CTR[:OPTS]")]
    pub volume: Vec<String>,
    /// Network mode: none (own namespace with loopback only), host (the host's network)
    #[arg(
        long,
        visible_alias = "net",
        default_value = "none",
        value_name = "MODE"
    )]
    pub network: String,
    /// When to pull the image: always, missing, never, newer
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
    /// Show all the containers, default is only running containers
    #[arg(short, long)]
    pub all: bool,
    /// Print the numeric IDs of the containers only
    #[arg(short, long)]
    pub quiet: bool,
    /// Display extended information (full IDs and commands)
    #[arg(long)]
    pub no_trunc: bool,
    /// Pretty-print containers to JSON or using a Go template
    #[arg(long)]
    pub format: Option<String>,
}

#[derive(Args, Debug)]
pub struct RmArgs {
    /// Force removal of a running container
    #[arg(short, long)]
    pub force: bool,
    /// Remove all containers
    #[arg(short, long)]
    pub all: bool,
    /// Containers to remove, by name or ID
    pub containers: Vec<String>,
}
