//! Writes a generated task crate from templates/: its Cargo.toml, its main.rs and one module per
//! task. Files are only rewritten when their contents change, so cargo does not rebuild what has
//! not changed.

use std::io;
use std::path::Path;

use super::embedded;

/// One compiled task, as a module of the generated crate.
#[derive(Debug, Clone)]
pub struct TaskModule {
    /// The Rust module name (a valid identifier).
    pub module: String,
    /// The module's code, formatted.
    pub code: String,
    /// Where the script came from, for the header comment.
    pub source_name: String,
}

#[derive(Debug, Clone)]
pub struct CrateSpec {
    pub package: String,
    pub bin: String,
    pub tasks: Vec<TaskModule>,
}

/// Replaces each `{{key}}` of a template.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(template.to_string(), |text, (key, value)| text.replace(&format!("{{{{{key}}}}}"), value))
}

fn template(name: &str) -> io::Result<&'static str> {
    embedded::file(&format!("templates/{name}")).ok_or_else(|| io::Error::other(format!("template {name} is missing from this tickc")))
}

fn write_if_changed(path: &Path, contents: &str) -> io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, contents)
}

/// Writes the crate into `dir`. `runtime` is the path of the runtime crate as the manifest
/// should name it; `standalone` crates get their own `[workspace]` so they build anywhere.
pub fn write_crate(dir: &Path, spec: &CrateSpec, runtime: &str, standalone: bool) -> io::Result<()> {
    let version = env!("CARGO_PKG_VERSION");
    let manifest = fill(
        template("Cargo.toml.tmpl")?,
        &[
            ("tickc_version", version),
            ("package", &spec.package),
            ("bin", &spec.bin),
            ("runtime_path", &runtime.replace('\\', "/")),
            ("standalone", if standalone { "\n[workspace]\n" } else { "" }),
        ],
    );
    write_if_changed(&dir.join("Cargo.toml"), &manifest)?;

    let modules: String = spec.tasks.iter().map(|t| format!("mod {};\n", t.module)).collect();
    let descriptors: Vec<String> = spec.tasks.iter().map(|t| format!("{}::DESCRIPTOR", t.module)).collect();
    let sources: Vec<&str> = spec.tasks.iter().map(|t| t.source_name.as_str()).collect();
    let main = fill(
        template("main.rs.tmpl")?,
        &[
            ("tickc_version", version),
            ("sources", &sources.join(", ")),
            ("modules", modules.trim_end()),
            ("descriptors", &descriptors.join(", ")),
        ],
    );
    write_if_changed(&dir.join("src/main.rs"), &main)?;
    for task in &spec.tasks {
        write_if_changed(&dir.join("src").join(format!("{}.rs", task.module)), &task.code)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_manifest_main_and_modules() {
        let dir = tempfile::tempdir().unwrap();
        let spec = CrateSpec {
            package: "tick-task-demo".into(),
            bin: "demo".into(),
            tasks: vec![TaskModule { module: "cpu_alert".into(), code: "// code\n".into(), source_name: "cpu_alert.tick".into() }],
        };
        write_crate(dir.path(), &spec, "/rt", true).unwrap();
        let manifest = std::fs::read_to_string(dir.path().join("Cargo.toml")).unwrap();
        assert!(manifest.contains("name = \"tick-task-demo\""));
        assert!(manifest.contains("path = \"/rt\""));
        assert!(manifest.contains("[workspace]"));
        let main = std::fs::read_to_string(dir.path().join("src/main.rs")).unwrap();
        assert!(main.contains("mod cpu_alert;"));
        assert!(main.contains("&[cpu_alert::DESCRIPTOR]"));
        assert!(!main.contains("{{"));
        assert_eq!(std::fs::read_to_string(dir.path().join("src/cpu_alert.rs")).unwrap(), "// code\n");
    }
}
