//! The committed man pages and completions must match the clap definitions.
//! Regenerate with `RSP_BLESS=1 cargo test --test integration docs`.

#[test]
fn generated_docs_are_current() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("RSP_BLESS").is_some() {
        rsp::cli::docs::write_all(root).unwrap();
    }
    let mut stale = Vec::new();
    for (rel, data) in rsp::cli::docs::generate() {
        match std::fs::read(root.join(&rel)) {
            Ok(old) if old == data => {}
            _ => stale.push(rel),
        }
    }
    assert!(
        stale.is_empty(),
        "generated files are out of date: {stale:?}; run `RSP_BLESS=1 cargo test --test integration docs` and commit them"
    );
}
