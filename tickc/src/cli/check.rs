//! `tickc check`: every error and warning of each script, exit 1 when any script has errors.

use std::io::Write;
use std::path::PathBuf;

use super::{exit, files};
use crate::check::{check_source, CheckOptions};
use crate::diagnostic::render::{render, Format};
use crate::diagnostic::{has_errors, Severity};

pub fn run(paths: &[PathBuf], format: Format, deny_warnings: bool) -> u8 {
    let scripts = match files::scripts(paths) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let mut failed = false;
    let mut unreadable = false;
    let (mut errors, mut warnings) = (0usize, 0usize);
    // Human diagnostics are for people (standard error); JSON lines are a program's output.
    let mut out: Box<dyn Write> = match format {
        Format::Human => Box::new(std::io::stderr().lock()),
        Format::Json => Box::new(std::io::stdout().lock()),
    };
    for path in &scripts {
        let name = path.display().to_string();
        let source = match std::fs::read_to_string(path) {
            Ok(s) => s,
            Err(e) => {
                let _ = writeln!(out, "error: cannot read {name}: {e}");
                unreadable = true;
                continue;
            }
        };
        let checked = check_source(&source, &CheckOptions::default());
        for d in &checked.diagnostics {
            match d.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
            }
            let _ = write!(out, "{}", render(d, &name, &source, format));
        }
        failed |= has_errors(&checked.diagnostics, deny_warnings);
    }
    if format == Format::Human {
        let _ = writeln!(out, "checked {} script(s): {errors} error(s), {warnings} warning(s)", scripts.len());
    }
    if unreadable {
        exit::USAGE
    } else if failed {
        exit::FAILED
    } else {
        exit::OK
    }
}
