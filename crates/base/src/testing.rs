//! What the tests of every layer share: a missing prerequisite is a
//! failure in CI and a skip elsewhere, and the input generator of the
//! property tests ([`fuzz`]).
//!
//! Contract: [`require_or_skip`] returns true when the prerequisite is
//! there; otherwise it panics where `CI` is set to anything but ``, `0` or
//! `false` (`.ci/run` sets it), because a test that skips in CI passes
//! while testing nothing, and elsewhere it says the test skipped and
//! returns false. It lives here, behind the `testing` feature that only
//! dev-dependencies enable, so that the unit tests of each crate and the
//! integration tests use the one copy and the rsp binary has none.

pub mod fuzz;

/// True when `what` is `available`; see the module docs. `how` says how to
/// get it, e.g. `apt-get install procps`.
pub fn require_or_skip(what: &str, how: &str, available: bool) -> bool {
    if available {
        return true;
    }
    let ci = std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"));
    assert!(
        !ci,
        "test prerequisite missing in CI: {what}; to get it: {how}"
    );
    eprintln!("skipped: no {what}; to get it: {how} (with CI set, this fails)");
    false
}
