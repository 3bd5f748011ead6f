//! `cargo run -p gotmpl --example render -- '{{.Name}}' '{"Name":"x"}'`:
//! renders a template over JSON data given on the command line.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [template, data] = args.as_slice() else {
        eprintln!("usage: render TEMPLATE JSON");
        std::process::exit(2);
    };
    let data: serde_json::Value = match serde_json::from_str(data) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("data: {e}");
            std::process::exit(2);
        }
    };
    match gotmpl::Template::parse(template).and_then(|t| t.render(&data)) {
        Ok(out) => print!("{out}"),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
