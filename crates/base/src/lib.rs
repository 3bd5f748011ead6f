//! What every layer of rsp shares and nothing of rsp's own is below:
//! where state lives ([`paths`]), how untrusted text appears in messages
//! ([`text`]), and the time specifications of `--since`/`--until` and
//! friends ([`timespec`]).
#![forbid(unsafe_code)]

pub mod paths;
#[cfg(feature = "testing")]
pub mod testing;
pub mod text;
pub mod timespec;
