//! `tickc fmt`: print, check or rewrite scripts in the canonical style.

use std::io::{Read, Write};
use std::path::PathBuf;

use super::exit;
use crate::files;
use crate::diagnostic::render::{render, Format};
use crate::diagnostic::has_errors;

/// The formatted script, or the syntax errors that prevent formatting it (rendered).
fn format_source(name: &str, source: &str) -> Result<String, String> {
    let (program, diagnostics) = crate::parser::parse(source);
    if has_errors(&diagnostics, false) {
        return Err(diagnostics.iter().map(|d| render(d, name, source, Format::Human)).collect());
    }
    Ok(crate::fmt::format(&program, source))
}

pub fn run(paths: &[PathBuf], check: bool, write: bool) -> u8 {
    if paths.is_empty() {
        let mut source = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut source) {
            eprintln!("error: cannot read standard input: {e}");
            return exit::USAGE;
        }
        return match format_source("<stdin>", &source) {
            Ok(formatted) if check => u8::from(formatted != source) * exit::FAILED,
            Ok(formatted) => {
                print!("{formatted}");
                exit::OK
            }
            Err(rendered) => {
                eprint!("{rendered}");
                exit::FAILED
            }
        };
    }
    let scripts = match files::scripts(paths) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let mut code = exit::OK;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for path in &scripts {
        let name = path.display().to_string();
        let source = match std::fs::read_to_string(path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: cannot read {name}: {e}");
                code = exit::USAGE;
                continue;
            }
        };
        let formatted = match format_source(&name, &source) {
            Ok(f) => f,
            Err(rendered) => {
                eprint!("{rendered}");
                code = code.max(exit::FAILED);
                continue;
            }
        };
        if check {
            if formatted != source {
                let _ = writeln!(out, "{name}: not formatted");
                code = code.max(exit::FAILED);
            }
        } else if write {
            if formatted != source
                && let Err(e) = std::fs::write(path, &formatted)
            {
                eprintln!("error: cannot write {name}: {e}");
                code = exit::USAGE;
            }
        } else {
            let _ = write!(out, "{formatted}");
        }
    }
    code
}
