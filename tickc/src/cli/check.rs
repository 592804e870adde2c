//! `tickc check`: every error and warning of each script, exit 1 when any script has errors.

use std::io::Write;
use std::path::PathBuf;

use super::{exit, tasks};
use crate::files;
use crate::check::check_source;
use crate::diagnostic::render::{render, Format};
use crate::diagnostic::{has_errors, Severity};

pub fn run(paths: &[PathBuf], vars: &[PathBuf], format: Format, deny_warnings: bool) -> u8 {
    let specs = match files::scripts(paths).map_err(|e| e.to_string()).and_then(|s| tasks::task_specs(&s, vars)) {
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
    for spec in &specs {
        let name = spec.script.display().to_string();
        let source = match std::fs::read_to_string(&spec.script) {
            Ok(s) => s,
            Err(e) => {
                let _ = writeln!(out, "error: cannot read {name}: {e}");
                unreadable = true;
                continue;
            }
        };
        let options = match tasks::check_options(spec) {
            Ok(options) => options,
            Err(e) => {
                let _ = writeln!(out, "error: {e}");
                errors += 1;
                failed = true;
                continue;
            }
        };
        let checked = check_source(&source, &options);
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
        let _ = writeln!(out, "checked {} script(s): {errors} error(s), {warnings} warning(s)", specs.len());
    }
    if unreadable {
        exit::USAGE
    } else if failed {
        exit::FAILED
    } else {
        exit::OK
    }
}
