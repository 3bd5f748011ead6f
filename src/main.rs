//! The `rsp` executable: everything is in [`rsp::cli::main`], which also
//! serves the modes rsp is re-executed in (monitor, supervisor, joiners).

fn main() {
    std::process::exit(rsp::cli::main());
}
