//! rsp: a daemonless, rootless container engine.
//!
//! This package is the `rsp` binary and its command line ([`cli`]); the
//! engine is the workspace's crates under `crates/`, and Cargo keeps their
//! layering, since a crate can only use what it depends on. Dependencies
//! point down:
//!
//! ```text
//! rsp (cli)        parses, calls the engine, the only layer that prints
//!  ├─ rsp-build    `rsp build`: Dockerfiles, contexts, cache, stages
//!  │   └─ (uses rsp-runtime to run each RUN step as a container)
//!  ├─ rsp-runtime  containers: records, namespaces, monitor, exec, logs, events
//!  │   ├─ rsp-net      the userspace TCP/IP stack
//!  ├─ rsp-transfer pull, push, save, load
//!  │   └─ rsp-registry OCI registries
//!  │       └─ rsp-image    references, configs, platforms, stored images
//!  │           └─ rsp-storage  layers, the layer format, drivers, FUSE overlay
//!  │               └─ rsp-sys      every `unsafe`: syscalls, namespaces, seccomp
//!  ├─ rsp-base     paths, untrusted text in messages, time specs (no rsp deps)
//!  └─ gotmpl       Go templates for --format (no rsp deps)
//! ```
//!
//! `rsp-build` uses `rsp-runtime`, `rsp-net`, `rsp-image`,
//! `rsp-storage`, `rsp-sys` and `rsp-base`. `rsp-runtime` also uses `rsp-image`, `rsp-storage`, `rsp-sys` and
//! `rsp-base`; `rsp-net` uses only `rsp-sys`. Nothing below the CLI uses
//! the CLI: layers log through the `log` facade and report progress
//! through traits the CLI implements. `unsafe` is allowed only in `rsp-sys`.
#![forbid(unsafe_code)]

pub mod cli;
