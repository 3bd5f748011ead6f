//! `rsp images`, `image inspect`, `rmi` and `image exists` (issue 2).

use super::pull::{hex, image_ids, layer_dir, pull_quiet, stderr, stored_images};
use crate::util::{self, Pushed, TestEnv};
use serde_json::Value;

/// Pushes busybox as `<repo>:v1` and pulls it into a fresh environment.
fn pulled(repo: &str) -> (TestEnv, Pushed) {
    let pushed = util::busybox_image().push(util::shared(), repo, "v1");
    let env = TestEnv::new();
    pull_quiet(&env, &pushed.reference);
    (env, pushed)
}

fn short_id(p: &Pushed) -> String {
    hex(&p.config_digest)[..12].to_string()
}

/// Splits a table line into columns separated by a tab or two or more
/// spaces.
fn columns(line: &str) -> Vec<String> {
    line.replace('\t', "  ")
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

fn is_short_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[test]
fn issue2_images_table_has_podman_header_and_a_row_per_image() {
    let (env, pushed) = pulled("images-table");
    let out = env.rsp().arg("images").ok();
    let mut lines = out.lines();
    let header = lines.next().expect("header line");
    assert_eq!(
        columns(header),
        ["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"],
        "header: {header:?}"
    );
    let rows: Vec<Vec<String>> = lines.map(columns).collect();
    assert_eq!(rows.len(), 1, "{out}");
    let row = &rows[0];
    assert_eq!(row[0], format!("{}/images-table", util::shared().addr));
    assert_eq!(row[1], "v1");
    assert!(is_short_id(&row[2]), "{row:?}");
    assert_eq!(row[2], short_id(&pushed));
    assert_eq!(row.len(), 5, "{row:?}");
}

#[test]
fn issue2_images_quiet_prints_short_ids() {
    let (env, pushed) = pulled("images-quiet");
    let other = util::uid33_image().push(util::shared(), "images-quiet-2", "v1");
    pull_quiet(&env, &other.reference);
    let mut ids = image_ids(&env);
    ids.sort();
    let mut expected = vec![short_id(&pushed), short_id(&other)];
    expected.sort();
    assert_eq!(ids, expected);
    assert!(ids.iter().all(|id| is_short_id(id)));
}

#[test]
fn issue2_images_format_json() {
    let (env, pushed) = pulled("images-json");
    let out = env.rsp().args(["images", "--format", "json"]).ok();
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let arr = v.as_array().expect("a JSON array");
    assert_eq!(arr.len(), 1, "{out}");
    let img = &arr[0];
    assert_eq!(img["Id"], hex(&pushed.config_digest));
    assert_eq!(img["Names"], serde_json::json!([pushed.reference]));
    assert!(img["Size"].as_u64().is_some_and(|s| s > 0), "{img}");
    assert_eq!(img["Digest"], pushed.manifest_digest.as_str());
}

#[test]
fn issue2_images_format_template() {
    let (env, pushed) = pulled("images-template");
    let out = env
        .rsp()
        .args(["images", "--format", "{{.Repository}}:{{.Tag}}"])
        .ok();
    assert_eq!(out, format!("{}\n", pushed.reference));
}

#[test]
fn issue2_images_format_table_template_prints_header() {
    let (env, pushed) = pulled("images-table-template");
    let out = env
        .rsp()
        .args(["images", "--format", "table {{.ID}} {{.Tag}}"])
        .ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    let header = lines[0];
    assert!(
        header.contains("ID") && header.ends_with("TAG") && !header.contains("{{"),
        "{out}"
    );
    let row: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(row, [short_id(&pushed).as_str(), "v1"], "{out}");
}

/// Podman names the `{{.ID}}` column of `images` "IMAGE ID", as in the
/// default table (`report.Headers(..., {"ID": "IMAGE ID"})`).
#[test]
fn issue2_images_table_template_header_says_image_id_like_podman() {
    let (env, _) = pulled("images-table-template-header");
    let out = env
        .rsp()
        .args(["images", "--format", "table {{.ID}}\t{{.Tag}}"])
        .ok();
    let header = columns(out.lines().next().unwrap_or_default());
    assert_eq!(header, ["IMAGE ID", "TAG"], "{out}");
}

#[test]
fn issue2_image_inspect_json() {
    let (env, pushed) = pulled("images-inspect");
    let out = env.rsp().args(["image", "inspect", &pushed.reference]).ok();
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let img = &v.as_array().expect("a JSON array")[0];
    assert_eq!(img["Id"], hex(&pushed.config_digest));
    assert_eq!(img["RepoTags"], serde_json::json!([pushed.reference]));
    assert_eq!(img["RootFS"]["Layers"], serde_json::json!(pushed.diff_ids));
    assert_eq!(img["Config"]["Cmd"], serde_json::json!(["sh"]));
    assert_eq!(img["Architecture"], "amd64");
    assert_eq!(img["Os"], "linux");

    let id = env
        .rsp()
        .args(["image", "inspect", "--format", "{{.Id}}", &pushed.reference])
        .ok();
    assert_eq!(id, format!("{}\n", hex(&pushed.config_digest)));
    // By short ID too.
    let id = env
        .rsp()
        .args([
            "image",
            "inspect",
            "--format",
            "{{.Id}}",
            &short_id(&pushed),
        ])
        .ok();
    assert_eq!(id.trim(), hex(&pushed.config_digest));
}

#[test]
fn issue2_image_inspect_unknown_image_fails() {
    let env = TestEnv::new();
    let out = env
        .rsp()
        .args(["image", "inspect", "no-such-image-here"])
        .fails();
    assert!(
        stderr(&out).contains("no-such-image-here"),
        "{}",
        util::show_output(&out)
    );
}

#[test]
fn issue2_rmi_removes_image_and_its_layers() {
    let (env, pushed) = pulled("images-rmi");
    let out = env.rsp().args(["rmi", &pushed.reference]).ok();
    assert!(
        out.lines()
            .any(|l| l == format!("Untagged: {}", pushed.reference)),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l == format!("Deleted: {}", hex(&pushed.config_digest))),
        "{out}"
    );
    assert!(image_ids(&env).is_empty());
    assert!(stored_images(&env).is_empty());
    for diff_id in &pushed.diff_ids {
        assert!(!layer_dir(&env, diff_id).exists(), "layer {diff_id} left");
    }
    env.rsp()
        .args(["image", "exists", &pushed.reference])
        .code(1);
}

#[test]
fn issue2_rmi_keeps_layers_other_images_use() {
    let (env, base) = pulled("images-rmi-shared");
    let derived = util::uid33_image().push(util::shared(), "images-rmi-shared-2", "v1");
    pull_quiet(&env, &derived.reference);
    env.rsp().args(["rmi", &derived.reference]).ok();
    assert!(layer_dir(&env, &base.diff_ids[0]).is_dir(), "shared layer");
    assert!(!layer_dir(&env, &derived.diff_ids[1]).exists());
    assert_eq!(image_ids(&env), [short_id(&base)]);
}

#[test]
fn issue2_rmi_unknown_image_exits_1() {
    let (env, _) = pulled("images-rmi-unknown");
    let out = env.rsp().args(["rmi", "no-such-image-here"]).code(1);
    assert!(
        stderr(&out).contains("no-such-image-here"),
        "{}",
        util::show_output(&out)
    );
    assert_eq!(image_ids(&env).len(), 1, "the other image stays");
}

#[test]
fn issue2_rmi_image_in_use_exits_2_and_force_removes_the_container() {
    let (env, pushed) = pulled("images-rmi-in-use");
    env.rsp().args(["run", &pushed.reference, "true"]).ok();
    let containers = env.rsp().args(["ps", "-a", "-q"]).ok();
    assert_eq!(containers.lines().count(), 1, "{containers}");

    let out = env.rsp().args(["rmi", &pushed.reference]).code(2);
    let err = stderr(&out);
    assert!(
        err.contains("container") && err.contains("-f"),
        "should say to remove the container or use -f:\n{err}"
    );
    assert_eq!(image_ids(&env).len(), 1, "image must stay");
    for diff_id in &pushed.diff_ids {
        assert!(layer_dir(&env, diff_id).is_dir());
    }

    let out = env.rsp().args(["rmi", "-f", &pushed.reference]).ok();
    assert!(out.contains("Deleted:"), "{out}");
    assert_eq!(env.rsp().args(["ps", "-a", "-q"]).ok(), "");
    assert!(image_ids(&env).is_empty());
    let containers_dir = env.root().join("containers");
    let left: Vec<_> = std::fs::read_dir(&containers_dir)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "container dirs left: {left:?}");
}

#[test]
fn issue2_image_exists_exit_codes() {
    let (env, pushed) = pulled("images-exists");
    env.rsp()
        .args(["image", "exists", &pushed.reference])
        .code(0);
    env.rsp()
        .args(["image", "exists", &short_id(&pushed)])
        .code(0);
    env.rsp()
        .args([
            "image",
            "exists",
            &util::shared().reference("images-exists", "v2"),
        ])
        .code(1);
    env.rsp()
        .args(["image", "exists", "no-such-image-here"])
        .code(1);
}
