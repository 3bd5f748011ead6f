//! rsp's integration tests: one binary, run as an unprivileged user, against
//! real registries (Debian's docker-registry on loopback), real images built
//! from busybox-static, and real kernel namespaces.
//!
//! Each test gets its own store (`TestEnv`) and pushes to its own repository
//! names, so tests run in parallel and in any order.

#[path = "../util/mod.rs"]
mod util;

mod archive;
mod build;
mod cli;
mod commit;
mod confinement;
mod docs;
mod flags;
mod hardening;
mod hostile;
mod ids;
mod imagecmds;
mod images;
mod layering;
mod lifecycle;
mod limits;
mod netchurn;
mod network;
mod networks;
mod ownership;
mod pull;
mod push;
mod robustness;
mod run;
mod security;
mod spec;
mod storage;
mod syscheck;
mod userns;
mod volumes;
