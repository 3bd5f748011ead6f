//! The layering the workspace's top-level doc (`src/lib.rs`) and the
//! README's "Source layout" state is the one the manifests declare, and
//! `unsafe` appears only in `rsp-sys`. Cargo then enforces it: a crate can
//! only name what it depends on.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each crate and the rsp crates it may depend on (normal dependencies).
const ALLOWED: &[(&str, &[&str])] = &[
    ("rsp-sys", &[]),
    ("rsp-base", &[]),
    ("gotmpl", &[]),
    ("rsp-storage", &["rsp-sys", "rsp-base"]),
    ("rsp-image", &["rsp-storage", "rsp-base"]),
    ("rsp-registry", &["rsp-image", "rsp-base"]),
    (
        "rsp-transfer",
        &["rsp-registry", "rsp-image", "rsp-storage", "rsp-base"],
    ),
    ("rsp-net", &["rsp-sys"]),
    (
        "rsp-runtime",
        &["rsp-sys", "rsp-base", "rsp-storage", "rsp-image", "rsp-net"],
    ),
    (
        "rsp-build",
        &[
            "rsp-sys",
            "rsp-base",
            "rsp-storage",
            "rsp-image",
            "rsp-net",
            "rsp-runtime",
        ],
    ),
];

fn ours(name: &str) -> bool {
    name.starts_with("rsp-") || name == "gotmpl"
}

fn manifest(path: &Path) -> toml::Table {
    let text = std::fs::read_to_string(path).unwrap();
    text.parse().unwrap()
}

fn deps(table: &toml::Table, section: &str) -> BTreeSet<String> {
    table
        .get(section)
        .and_then(|d| d.as_table())
        .map(|d| d.keys().filter(|k| ours(k)).cloned().collect())
        .unwrap_or_default()
}

#[test]
fn issue15_crate_graph_is_the_stated_layering() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = BTreeMap::new();
    for entry in std::fs::read_dir(root.join("crates")).unwrap() {
        let dir = entry.unwrap().path();
        let m = manifest(&dir.join("Cargo.toml"));
        let name = m["package"]["name"].as_str().unwrap().to_string();
        found.insert(name, deps(&m, "dependencies"));
    }
    let allowed: BTreeMap<String, BTreeSet<String>> = ALLOWED
        .iter()
        .map(|(c, d)| (c.to_string(), d.iter().map(|s| s.to_string()).collect()))
        .collect();
    assert_eq!(
        found, allowed,
        "the crates' dependencies differ from the layering in src/lib.rs: change both, on purpose"
    );
    // The binary sits on top: it may use every layer, and no layer uses it.
    let top = manifest(&root.join("Cargo.toml"));
    for dep in deps(&top, "dependencies") {
        assert!(allowed.contains_key(&dep), "rsp depends on unknown {dep}");
    }
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn issue15_unsafe_lives_only_in_rsp_sys() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    rust_files(&root.join("crates"), &mut files);
    let sys = root.join("crates/sys");
    let mut offenders = Vec::new();
    for file in files.iter().filter(|f| !f.starts_with(&sys)) {
        let text = std::fs::read_to_string(file).unwrap();
        let code_lines = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>();
        if code_lines
            .iter()
            .any(|l| l.contains("unsafe {") || l.contains("unsafe fn") || l.contains("unsafe impl"))
        {
            offenders.push(file.strip_prefix(root).unwrap().display().to_string());
        }
        if file.ends_with("lib.rs") && !text.contains("#![forbid(unsafe_code)]") {
            offenders.push(format!(
                "{} (no #![forbid(unsafe_code)])",
                file.strip_prefix(root).unwrap().display()
            ));
        }
    }
    assert!(
        offenders.is_empty(),
        "unsafe outside rsp-sys: {offenders:?}"
    );
}
