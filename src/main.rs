fn main() {
    std::process::exit(rsp::cli::main());
}
