//! rsp: a daemonless, rootless container engine.
//!
//! The library holds the whole engine; the `rsp` binary only calls [`cli::main`].
//! Dependencies point down: `cli` uses everything; `runtime` uses `storage`,
//! `image` and `sys`; `registry` uses `image`; `sys` uses nothing of ours.
//! `unsafe` code is only allowed in [`sys`].
#![deny(unsafe_code)]

pub mod cli;
pub mod events;
pub mod image;
pub mod logs;
pub mod net;
pub mod paths;
pub mod registry;
pub mod runtime;
pub mod storage;
pub mod sys;
pub mod text;
pub mod timespec;
pub mod transfer;
