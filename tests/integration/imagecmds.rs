//! `tag`, `untag`, `history`, `image prune`, `image tree`, `images
//! --filter`, `system df` and `system prune` (issue 6).

use super::pull::{hex, image_ids, layer_dir, pull_quiet, stderr};
use crate::util::{self, Pushed, TestEnv};
use serde_json::{Value, json};

fn short(p: &Pushed) -> String {
    hex(&p.config_digest)[..12].to_string()
}

fn full(p: &Pushed) -> String {
    hex(&p.config_digest).to_string()
}

/// Every `REPOSITORY:TAG` with its short ID, from `rsp images`.
fn names(env: &TestEnv) -> Vec<(String, String)> {
    env.rsp()
        .args(["images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"])
        .ok()
        .lines()
        .map(|l| {
            let (n, id) = l.split_once(' ').unwrap();
            (n.to_string(), id.to_string())
        })
        .collect()
}

fn json_out(env: &TestEnv, args: &[&str]) -> Value {
    let out = env.rsp().args(args).ok();
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// Pushes `builder` as `<repo>:v1` and pulls it into `env`.
fn pull_new(env: &TestEnv, builder: util::ImageBuilder, repo: &str) -> Pushed {
    let p = builder.push(util::shared(), repo, "v1");
    pull_quiet(env, &p.reference);
    p
}

/// Pulls `first` as `<repo>:v1`, then `second` under the same name: the
/// first image keeps no name (it is dangling). Returns both.
fn dangling(env: &TestEnv, repo: &str) -> (Pushed, Pushed) {
    let first = pull_new(env, util::uid33_image(), repo);
    let second = pull_new(env, util::multilayer_image(), repo);
    (first, second)
}

#[test]
fn issue6_tag_untag_round_trip() {
    let env = TestEnv::new();
    let img = pull_new(&env, util::busybox_image(), "i6-tag");
    env.rsp()
        .args([
            "tag",
            &img.reference,
            "foo",
            "docker.io/bar",
            "quay.io/x/y:v2",
        ])
        .ok();
    let mut got = names(&env);
    got.sort();
    let id = short(&img);
    let mut want: Vec<(String, String)> = [
        "localhost/foo:latest",
        "docker.io/library/bar:latest",
        "quay.io/x/y:v2",
        img.reference.as_str(),
    ]
    .iter()
    .map(|n| (n.to_string(), id.clone()))
    .collect();
    want.sort();
    assert_eq!(got, want);
    env.rsp().args(["image", "exists", "foo"]).ok();

    // rmi of one of several names only untags.
    let out = env.rsp().args(["rmi", "foo"]).ok();
    assert_eq!(out.trim(), "Untagged: localhost/foo:latest");
    assert_eq!(image_ids(&env), vec![id.clone()]);
    env.rsp().args(["image", "exists", "foo"]).code(1);

    env.rsp()
        .args(["image", "untag", &img.reference, "quay.io/x/y:v2"])
        .ok();
    assert_eq!(names(&env).len(), 2, "{:?}", names(&env));
    env.rsp().args(["untag", &id]).ok();
    assert_eq!(names(&env), [("<none>:<none>".to_string(), id.clone())]);

    // And back: a name for the nameless image, by ID.
    env.rsp().args(["image", "tag", &id, "again:v3"]).ok();
    assert_eq!(
        names(&env),
        [("localhost/again:v3".to_string(), id.clone())]
    );

    let events = env
        .rsp()
        .args(["events", "--stream=false", "--format", "json"])
        .ok();
    let statuses: Vec<(String, String)> = events
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["Status"] == "tag" || v["Status"] == "untag")
        .map(|v| {
            (
                v["Status"].as_str().unwrap().to_string(),
                v["Name"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert!(
        statuses.contains(&("tag".into(), "docker.io/library/bar:latest".into()))
            && statuses.contains(&("untag".into(), "quay.io/x/y:v2".into()))
            && statuses.contains(&("tag".into(), "localhost/again:v3".into())),
        "{events}"
    );
}

#[test]
fn issue6_tag_and_untag_bad_input() {
    let env = TestEnv::new();
    let img = pull_new(&env, util::busybox_image(), "i6-tag-bad");
    let before = names(&env);
    let out = env
        .rsp()
        .args(["tag", &img.reference, "ok-name", "Bad:Name"])
        .code(125);
    assert!(stderr(&out).contains("Bad"), "{}", util::show_output(&out));
    assert_eq!(names(&env), before, "a bad name changes nothing");

    let digest_ref = format!("foo@sha256:{}", "a".repeat(64));
    let out = env
        .rsp()
        .args(["tag", &img.reference, &digest_ref])
        .code(125);
    assert!(
        stderr(&out).contains("digest"),
        "{}",
        util::show_output(&out)
    );

    let out = env.rsp().args(["tag", "no-such-image", "foo"]).code(125);
    assert!(
        stderr(&out).contains("no-such-image") && stderr(&out).contains("not known"),
        "{}",
        util::show_output(&out)
    );
    let out = env.rsp().args(["untag", &img.reference, "other"]).code(125);
    assert!(
        stderr(&out).contains("localhost/other:latest: tag not known"),
        "{}",
        util::show_output(&out)
    );
    env.rsp().args(["tag", &img.reference]).code(125);
    assert_eq!(names(&env), before);
}

const LONG_ADD: &str =
    "/bin/sh -c #(nop) ADD file:0123456789abcdef0123456789abcdef0123456789abcdef in /";

fn history_image() -> util::ImageBuilder {
    util::busybox_image()
        .layer(util::Layer::new().file("/hi", 0o644, b"hi\n"))
        .history(vec![
            json!({"created": "2024-01-01T00:00:00Z", "created_by": LONG_ADD}),
            json!({"created": "2024-01-02T00:00:00Z", "created_by": "/bin/sh -c #(nop)  ENV A=1", "empty_layer": true}),
            json!({"created": "2024-01-03T00:00:00Z", "created_by": "/bin/sh -c echo hi > /hi", "comment": "made by the test"}),
        ])
}

#[test]
fn issue6_history_table_no_trunc_quiet() {
    let env = TestEnv::new();
    let img = pull_new(&env, history_image(), "i6-history");
    let out = env.rsp().args(["history", &img.reference]).ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    for h in ["ID", "CREATED", "CREATED BY", "SIZE", "COMMENT"] {
        assert!(lines[0].contains(h), "{out}");
    }
    assert!(lines[1].starts_with(&short(&img)), "{out}");
    assert!(lines[1].contains("/bin/sh -c echo hi > /hi"), "{out}");
    assert!(lines[1].trim_end().ends_with("made by the test"), "{out}");
    assert!(
        lines[2].starts_with("<missing>") && lines[2].contains("0 B"),
        "{out}"
    );
    let cut = format!("{}...", &LONG_ADD[..42]);
    assert!(lines[3].contains(&cut), "{out}");
    assert!(!lines[3].contains(LONG_ADD), "{out}");

    let out = env
        .rsp()
        .args(["image", "history", "--no-trunc", &img.reference])
        .ok();
    assert!(
        out.lines().nth(1).unwrap().starts_with(&full(&img)),
        "{out}"
    );
    assert!(out.contains(LONG_ADD), "{out}");

    let out = env.rsp().args(["history", "-q", &img.reference]).ok();
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [short(&img).as_str(), "<missing>", "<missing>"]
    );
    let out = env
        .rsp()
        .args(["history", "--human=false", &img.reference])
        .ok();
    assert!(out.contains("2024-01-03T00:00:00Z"), "{out}");
}

#[test]
fn issue6_history_format_template_and_json() {
    let env = TestEnv::new();
    let img = pull_new(&env, history_image(), "i6-history-fmt");
    let out = env
        .rsp()
        .args([
            "history",
            "--format",
            "{{.ID}}|{{.CreatedBy}}|{{.Comment}}|{{.CreatedAt}}",
            &img.reference,
        ])
        .ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "{}|/bin/sh -c echo hi > /hi|made by the test|2024-01-03T00:00:00Z",
            short(&img)
        )
    );
    assert_eq!(
        lines[1],
        "<missing>|/bin/sh -c #(nop)  ENV A=1||2024-01-02T00:00:00Z"
    );

    let v = json_out(&env, &["history", "--format", "json", &img.reference]);
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 3, "{v}");
    assert_eq!(arr[0]["id"], full(&img));
    assert_eq!(arr[0]["comment"], "made by the test");
    assert_eq!(arr[0]["tags"], json!([img.reference]));
    assert_eq!(arr[1]["id"], "<missing>");
    assert_eq!(arr[1]["size"], 0);
    assert_eq!(arr[2]["CreatedBy"], LONG_ADD);
    // The bottom step made the busybox layer: its size is that layer's.
    let sizes: u64 = arr.iter().map(|e| e["size"].as_u64().unwrap()).sum();
    let images = json_out(&env, &["images", "--format", "json"]);
    assert_eq!(images[0]["Size"].as_u64().unwrap(), sizes);
    assert!(arr[2]["size"].as_u64().unwrap() > arr[0]["size"].as_u64().unwrap());

    let out = env.rsp().args(["history", "no-such-image"]).code(125);
    assert!(
        stderr(&out).contains("no-such-image"),
        "{}",
        util::show_output(&out)
    );
}

#[test]
fn issue6_image_prune_removes_dangling_then_all_unused() {
    let env = TestEnv::new();
    let named = pull_new(&env, util::busybox_image(), "i6-prune-named");
    let (gone, replaced) = dangling(&env, "i6-prune-dangling");
    // A dangling image a container uses stays.
    let used = pull_new(&env, util::semantics_image(), "i6-prune-used");
    env.rsp().args(["create", &used.reference, "true"]).ok();
    env.rsp().args(["untag", &used.reference]).ok();
    assert_eq!(image_ids(&env).len(), 4);

    let out = env.rsp().args(["image", "prune", "-f"]).ok();
    assert_eq!(out.trim(), full(&gone), "only the unused dangling image");
    let mut left = image_ids(&env);
    left.sort();
    let mut want = vec![short(&named), short(&replaced), short(&used)];
    want.sort();
    assert_eq!(left, want);
    // Its own layer went; the busybox layer others use stayed.
    assert!(!layer_dir(&env, gone.diff_ids.last().unwrap()).exists());
    assert!(layer_dir(&env, &gone.diff_ids[0]).is_dir());

    // Nothing dangling and unused is left.
    assert_eq!(env.rsp().args(["image", "prune", "-f"]).ok(), "");

    let out = env.rsp().args(["image", "prune", "-a", "-f"]).ok();
    let mut removed: Vec<&str> = out.lines().collect();
    removed.sort();
    let mut want = vec![full(&named), full(&replaced)];
    want.sort();
    assert_eq!(removed, want);
    assert_eq!(image_ids(&env), [short(&used)]);
    assert!(
        layer_dir(&env, &used.diff_ids[0]).is_dir(),
        "shared base layer"
    );
    for d in &replaced.diff_ids[1..] {
        assert!(!layer_dir(&env, d).exists(), "layer {d} left");
    }
    assert!(!env.root().join("blobs/sha256").join(full(&named)).exists());
}

#[test]
fn issue6_image_prune_asks_first() {
    let env = TestEnv::new();
    let (gone, _) = dangling(&env, "i6-prune-ask");
    let out = env.rsp().args(["image", "prune"]).stdin("n\n").ok();
    assert!(
        out.starts_with("WARNING! This command removes all dangling images.\nAre you sure you want to continue? [y/N] "),
        "{out}"
    );
    assert_eq!(image_ids(&env).len(), 2);
    let out = env.rsp().args(["image", "prune"]).stdin("").code(125);
    assert!(
        stderr(&out).contains("--force"),
        "{}",
        util::show_output(&out)
    );
    assert_eq!(image_ids(&env).len(), 2);
    let out = env.rsp().args(["image", "prune", "-a"]).stdin("n\n").ok();
    assert!(out.contains("without at least one container"), "{out}");
    let out = env.rsp().args(["image", "prune"]).stdin("y\n").ok();
    assert!(out.lines().any(|l| l.ends_with(&full(&gone))), "{out}");
    assert_eq!(image_ids(&env).len(), 1);

    let out = env
        .rsp()
        .args(["image", "prune", "-f", "--filter", "color=red"])
        .code(125);
    assert!(
        stderr(&out).contains("color"),
        "{}",
        util::show_output(&out)
    );
}

#[test]
fn issue6_image_prune_filters() {
    let env = TestEnv::new();
    let labelled = pull_new(
        &env,
        util::busybox_image().label("keep", "no"),
        "i6-prune-label",
    );
    let other = pull_new(&env, util::uid33_image(), "i6-prune-label-2");
    let out = env
        .rsp()
        .args(["image", "prune", "-a", "-f", "--filter", "label=keep=no"])
        .ok();
    assert_eq!(out.trim(), full(&labelled));
    // Test images are created 2024-01-01: until= a date before keeps them.
    let out = env
        .rsp()
        .args([
            "image",
            "prune",
            "-a",
            "-f",
            "--filter",
            "until=2023-06-01T00:00:00Z",
        ])
        .ok();
    assert_eq!(out, "");
    assert_eq!(image_ids(&env), [short(&other)]);
}

#[test]
fn issue6_images_filter() {
    let env = TestEnv::new();
    let (gone, replaced) = dangling(&env, "i6-images-filter");
    let labelled = pull_new(
        &env,
        util::busybox_image().label("a", "b"),
        "i6-images-filter-l",
    );
    let q = |f: &str| {
        let mut v: Vec<String> = env
            .rsp()
            .args(["images", "-q", "--filter", f])
            .ok()
            .lines()
            .map(str::to_string)
            .collect();
        v.sort();
        v
    };
    assert_eq!(q("dangling=true"), [short(&gone)]);
    let mut named = vec![short(&replaced), short(&labelled)];
    named.sort();
    assert_eq!(q("dangling=false"), named);
    assert_eq!(q("label=a=b"), [short(&labelled)]);
    let mut unlabelled = vec![short(&gone), short(&replaced)];
    unlabelled.sort();
    assert_eq!(q("label!=a"), unlabelled);
    assert_eq!(q("reference=i6-images-filter-l"), [short(&labelled)]);
    assert_eq!(q("reference=*/i6-images-filter:v1"), [short(&replaced)]);
    assert_eq!(q(&format!("id={}", &full(&gone)[..8])), [short(&gone)]);
    let out = env.rsp().args(["images", "--filter", "bogus=1"]).code(125);
    assert!(
        stderr(&out).contains("bogus"),
        "{}",
        util::show_output(&out)
    );
}

#[test]
fn issue6_system_df_agrees_with_images() {
    let env = TestEnv::new();
    let base = pull_new(&env, util::busybox_image(), "i6-df-base");
    let derived = pull_new(&env, util::uid33_image(), "i6-df-derived");
    let size_of = |p: &Pushed| -> u64 {
        let v = json_out(&env, &["images", "--format", "json"]);
        v.as_array()
            .unwrap()
            .iter()
            .find(|i| i["Id"] == full(p))
            .unwrap()["Size"]
            .as_u64()
            .unwrap()
    };
    let (bs, ds) = (size_of(&base), size_of(&derived));
    assert!(ds > bs && bs > 0);
    let df = json_out(&env, &["system", "df", "--format", "json"]);
    let images = &df[0];
    assert_eq!(images["Type"], "Images");
    assert_eq!(images["Total"], 2);
    assert_eq!(images["Active"], 0);
    // The busybox layer is shared: counted once.
    assert_eq!(images["RawSize"].as_u64().unwrap(), ds);
    assert_eq!(images["RawReclaimable"].as_u64().unwrap(), ds);
    assert_eq!(df[2]["Type"], "Local Volumes");
    assert_eq!(df[2]["Total"], 0);

    env.rsp().args(["create", &base.reference, "true"]).ok();
    let df = json_out(&env, &["system", "df", "--format", "json"]);
    assert_eq!(df[0]["Active"], 1);
    assert_eq!(df[0]["RawReclaimable"].as_u64().unwrap(), ds - bs);
    assert_eq!(df[1]["Total"], 1);
    assert_eq!(df[1]["Active"], 0);

    let out = env.rsp().args(["system", "df"]).ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"]
    );
    assert!(
        lines[1].starts_with("Images") && lines[1].contains('%'),
        "{out}"
    );
    assert!(lines[3].starts_with("Local Volumes"), "{out}");
    let out = env
        .rsp()
        .args(["system", "df", "--format", "{{.Type}}={{.Total}}"])
        .ok();
    assert_eq!(out, "Images=2\nContainers=1\nLocal Volumes=0\n");

    let out = env.rsp().args(["system", "df", "-v"]).ok();
    for section in [
        "Images space usage:",
        "Containers space usage:",
        "Local Volumes space usage:",
        "SHARED SIZE",
        &short(&derived),
    ] {
        assert!(out.contains(section), "{section}: {out}");
    }
}

#[test]
fn issue6_system_prune_keeps_running_containers() {
    let env = TestEnv::new();
    let img = pull_new(&env, util::busybox_image(), "i6-sysprune");
    let (gone, _) = dangling(&env, "i6-sysprune-dangling");
    let running = env
        .rsp()
        .args(["run", "-d", &img.reference, "sleep", "60"])
        .ok()
        .trim()
        .to_string();
    env.rsp()
        .args(["run", "--name", "stopped", &img.reference, "true"])
        .ok();
    let stopped = env
        .rsp()
        .args(["inspect", "--format", "{{.Id}}", "stopped"])
        .ok()
        .trim()
        .to_string();

    let out = env.rsp().args(["system", "prune"]).stdin("n\n").ok();
    assert!(out.contains("- all stopped containers"), "{out}");
    assert_eq!(env.rsp().args(["ps", "-aq"]).ok().lines().count(), 2);

    let out = env.rsp().args(["system", "prune", "-f"]).ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "Deleted Containers", "{out}");
    assert_eq!(lines[1], stopped, "{out}");
    assert_eq!(lines[2], "Deleted Images", "{out}");
    assert_eq!(lines[3], full(&gone), "{out}");
    assert!(lines[4].starts_with("Total reclaimed space: "), "{out}");
    assert_eq!(lines.len(), 5, "{out}");
    let ps = env.rsp().args(["ps", "-aq", "--no-trunc"]).ok();
    assert_eq!(ps.trim(), running);
    assert_eq!(
        image_ids(&env).len(),
        2,
        "the used and the named image stay"
    );

    let out = env.rsp().args(["system", "prune", "-f"]).ok();
    assert_eq!(out, "Total reclaimed space: 0B\n");
    env.rsp().args(["rm", "-f", &running]).ok();
}

#[test]
fn issue6_image_tree_and_inspect() {
    let env = TestEnv::new();
    let base = pull_new(&env, util::busybox_image(), "i6-tree-base");
    let derived = pull_new(&env, util::uid33_image(), "i6-tree-derived");
    let out = env.rsp().args(["image", "tree", &derived.reference]).ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], format!("Image ID: {}", short(&derived)), "{out}");
    assert_eq!(
        lines[1],
        format!("Tags:     [{}]", derived.reference),
        "{out}"
    );
    assert_eq!(lines[3], "Image Layers", "{out}");
    assert_eq!(lines.len(), 7, "{out}");
    assert_eq!(lines[6], "", "{out}");
    assert!(
        lines[4].starts_with(&format!("├── ID: {}", &hex(&base.diff_ids[0])[..12]))
            && lines[4].ends_with(&format!("Top Layer of: [{}]", base.reference)),
        "{out}"
    );
    assert!(
        lines[5].starts_with("└── ID: ")
            && lines[5].ends_with(&format!("Top Layer of: [{}]", derived.reference)),
        "{out}"
    );

    // --whatrequires: the base's top layer, and above it what derived adds.
    let out = env
        .rsp()
        .args(["image", "tree", "--whatrequires", &base.reference])
        .ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 7, "{out}");
    assert!(
        lines[4].starts_with(&format!("└── ID: {}", &hex(&base.diff_ids[0])[..12]))
            && lines[4].ends_with(&format!("Top Layer of: [{}]", base.reference)),
        "{out}"
    );
    assert!(
        lines[5].starts_with(&format!(
            "    └── ID: {}",
            &hex(derived.diff_ids.last().unwrap())[..12]
        )) && lines[5].ends_with(&format!("Top Layer of: [{}]", derived.reference)),
        "{out}"
    );
    let out = env
        .rsp()
        .args(["image", "tree", "--whatrequires", &derived.reference])
        .ok();
    assert_eq!(out.lines().count(), 6, "{out}");

    let v = json_out(&env, &["image", "inspect", &derived.reference]);
    let i = &v[0];
    assert_eq!(i["Parent"], base.config_digest);
    assert_eq!(i["RootFS"]["Layers"], json!(derived.diff_ids));
    assert_eq!(i["History"].as_array().unwrap().len(), 2);
    let v = json_out(&env, &["image", "inspect", &base.reference]);
    assert_eq!(v[0]["Parent"], "");
    env.rsp().args(["image", "tree", "nope"]).code(125);
}
