//! Man pages and shell completions, generated from the clap definitions so
//! they cannot drift from the real flags. `tests` compare the committed
//! files under `man/` and `completions/` with [`generate`]'s output.

use clap::CommandFactory;
use std::path::Path;

/// Every generated file as (path relative to the repository, contents).
pub fn generate() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let cmd = super::Cli::command();
    man_pages(&cmd, "rsp", &mut out);
    for (shell, file) in [
        (clap_complete::Shell::Bash, "completions/rsp.bash"),
        (clap_complete::Shell::Zsh, "completions/_rsp"),
        (clap_complete::Shell::Fish, "completions/rsp.fish"),
    ] {
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut super::Cli::command(), "rsp", &mut buf);
        out.push((file.to_string(), buf));
    }
    out
}

fn man_pages(cmd: &clap::Command, name: &str, out: &mut Vec<(String, Vec<u8>)>) {
    let page = cmd
        .clone()
        .name(name.to_string())
        .bin_name(name.replace('-', " "));
    let mut buf = Vec::new();
    if clap_mangen::Man::new(page).render(&mut buf).is_ok() {
        out.push((format!("man/{name}.1"), buf));
    }
    for sub in cmd.get_subcommands() {
        if sub.is_hide_set() {
            continue;
        }
        man_pages(sub, &format!("{name}-{}", sub.get_name()), out);
    }
}

/// Writes the generated files under `dir` (the repository root).
pub fn write_all(dir: &Path) -> std::io::Result<()> {
    for (rel, data) in generate() {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(p, data)?;
    }
    Ok(())
}
