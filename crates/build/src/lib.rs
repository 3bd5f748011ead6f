//! Building images from Dockerfiles and Containerfiles (`rsp build`).
//!
//! Layers, bottom up:
//! - [`dockerfile`] parses the file into typed instructions (words still
//!   unexpanded); [`expand`] does Docker's variable substitution and word
//!   splitting.
//! - [`ignore`] and [`context`] read a build context (a directory or a
//!   tar), honouring `.containerignore`/`.dockerignore`, and never hand
//!   out anything outside it.
//! - [`tree`] is the read-only file tree a COPY copies from (the context,
//!   another stage's image, an extracted archive); [`copy`] applies
//!   Docker's COPY/ADD rules, writing into a fresh upper directory over
//!   the image's layers, and hashes sources for the cache; [`fetch`] and
//!   [`archive`] serve ADD's URLs and archives.
//! - [`cache`] owns the build cache's on-disk format: cache key → image.
//! - [`plan`] turns the parsed file and the build args into stages and a
//!   dependency graph; [`exec`] runs it: RUN steps as containers started
//!   through `rsp_runtime`, COPY/ADD layers and config-only steps
//!   committed as images, independent stages in parallel processes.
//!
//! Nothing here prints: progress goes to the caller as [`exec::Event`]s.
#![forbid(unsafe_code)]

pub mod archive;
pub mod cache;
pub mod context;
pub mod copy;
pub mod dockerfile;
pub mod exec;
pub mod expand;
pub mod fetch;
pub mod ignore;
pub mod plan;
pub mod tree;
