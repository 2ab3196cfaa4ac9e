//! `gen-docs`: writes the registry documentation under `docs/` from the provider's schema and the
//! examples under `examples/`. With `--check` it only reports what differs and exits 1 when anything does.

use std::path::PathBuf;
use std::process::ExitCode;

use gen_docs as docs;
use gen_docs::REGENERATE;
use terraform_provider_proton::provider;

const USAGE: &str = "usage: gen-docs [--check] [--root DIR]\n\
    Writes DIR/docs from the schema and DIR/examples (DIR defaults to this repository).";

struct Options {
    check: bool,
    root: PathBuf,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        check: false,
        root: docs::repository_root(),
    };
    let mut arguments = std::env::args().skip(1);
    while let Some(argument) = arguments.next() {
        match argument.as_str() {
            "--check" => options.check = true,
            "--root" => match arguments.next() {
                Some(dir) => options.root = PathBuf::from(dir),
                None => return Err("--root needs a directory".to_string()),
            },
            "--help" | "-h" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(problem) => {
            if !problem.is_empty() {
                eprintln!("gen-docs: {problem}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let engine = provider::engine();
    let generated = match docs::generate(&engine, &options.root.join("examples")) {
        Ok(generated) => generated,
        Err(error) => {
            eprintln!("gen-docs: {error}");
            return ExitCode::FAILURE;
        }
    };
    for missing in &generated.missing_examples {
        eprintln!("gen-docs: note: {missing} does not exist; its page shows a generated skeleton");
    }
    let docs_dir = options.root.join("docs");
    if options.check {
        return match docs::drift(&generated.pages, &docs_dir) {
            Ok(drift) if drift.is_empty() => {
                println!("docs/ is current ({} pages)", generated.pages.len());
                ExitCode::SUCCESS
            }
            Ok(drift) => {
                eprint!("docs/ differs from the schema:\n{drift}");
                eprintln!("run `{REGENERATE}` and commit docs/");
                ExitCode::FAILURE
            }
            Err(error) => {
                eprintln!("gen-docs: {error}");
                ExitCode::FAILURE
            }
        };
    }
    match docs::write(&generated.pages, &docs_dir) {
        Ok(done) => {
            for path in &done.missing {
                println!("created  docs/{path}");
            }
            for path in &done.changed {
                println!("updated  docs/{path}");
            }
            for path in &done.stale {
                println!("removed  docs/{path}");
            }
            let touched = done.missing.len() + done.changed.len() + done.stale.len();
            println!("docs/: {} pages, {touched} changed", generated.pages.len());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("gen-docs: {error}");
            ExitCode::FAILURE
        }
    }
}
