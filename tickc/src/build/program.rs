//! Building one program from compiled tasks: the crate goes into the cache workspace under a
//! stable folder per program name (so rebuilding the same program only recompiles what
//! changed), and cargo builds it there with the shared target folder.

use std::path::{Path, PathBuf};

use super::cache::Cache;
use super::cargo::{build_binary, BuildError};
use super::crate_writer::{write_crate, CrateSpec, TaskModule};
use super::profile::Profile;

/// A task ready to be built: its id and its generated module.
#[derive(Debug, Clone)]
pub struct CompiledTask {
    pub id: String,
    pub source_name: String,
    pub code: String,
}

/// A Rust identifier made from a task id (`cpu-alert.v2` → `cpu_alert_v2`).
pub fn module_name(id: &str) -> String {
    let mut name: String = id.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) || is_reserved(&name) {
        name.insert_str(0, "task_");
    }
    name
}

/// Words a module may not be named (Rust keywords, and `main` and `tasks` which the crate uses).
fn is_reserved(name: &str) -> bool {
    const RESERVED: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
        "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self",
        "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become",
        "box", "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "main",
        "tasks", "std", "core", "tick_runtime",
    ];
    RESERVED.contains(&name)
}

/// The crate spec for `tasks`, as binary `bin`. Two tasks whose ids give the same module name
/// get numbered modules.
pub fn crate_spec(bin: &str, tasks: &[CompiledTask]) -> CrateSpec {
    let mut used = std::collections::HashSet::new();
    let tasks = tasks
        .iter()
        .map(|t| {
            let base = module_name(&t.id);
            let mut module = base.clone();
            let mut n = 2;
            while !used.insert(module.clone()) {
                module = format!("{base}_{n}");
                n += 1;
            }
            TaskModule { module, code: t.code.clone(), source_name: t.source_name.clone() }
        })
        .collect();
    CrateSpec { package: format!("tick-{}", module_name(bin).replace('_', "-")), bin: bin.to_string(), tasks }
}

/// Builds `tasks` into one program named `bin` in the cache, in `profile`, and returns the
/// binary's path.
pub fn build_program(cache: &Cache, bin: &str, tasks: &[CompiledTask], profile: Profile) -> Result<PathBuf, BuildError> {
    let workspace = cache.workspace().map_err(BuildError::Spawn)?;
    let spec = crate_spec(bin, tasks);
    let dir = workspace.join("tasks").join(module_name(bin));
    write_crate(&dir, &spec, "../../runtime", false).map_err(BuildError::Spawn)?;
    let target = cache.target_for(&workspace).map_err(BuildError::Spawn)?;
    build_binary(&workspace.join("Cargo.toml"), &spec.package, bin, &target, profile)
}

/// Writes `tasks` as a standalone crate into `dir` that builds with a plain `cargo build`,
/// against the runtime extracted in the cache.
pub fn emit_crate(cache: &Cache, dir: &Path, bin: &str, tasks: &[CompiledTask]) -> std::io::Result<()> {
    let runtime = cache.runtime_dir()?;
    let runtime = runtime.canonicalize().unwrap_or(runtime);
    write_crate(dir, &crate_spec(bin, tasks), &runtime.to_string_lossy(), true)?;
    // The versions the runtime was tested with; cargo drops the entries this crate does not use.
    let lock = dir.join("Cargo.lock");
    if !lock.exists()
        && let Some(ws_lock) = runtime.parent().map(|ws| ws.join("Cargo.lock")).filter(|l| l.is_file())
    {
        std::fs::copy(ws_lock, lock)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names_are_identifiers() {
        assert_eq!(module_name("cpu_alert"), "cpu_alert");
        assert_eq!(module_name("CPU-Alert.v2"), "cpu_alert_v2");
        assert_eq!(module_name("95th"), "task_95th");
        assert_eq!(module_name("match"), "task_match");
        assert_eq!(module_name(""), "task_");
    }

    #[test]
    fn clashing_ids_get_distinct_modules() {
        let t = |id: &str| CompiledTask { id: id.into(), source_name: format!("{id}.tick"), code: String::new() };
        let spec = crate_spec("all", &[t("a-b"), t("a_b"), t("a.b")]);
        let modules: Vec<&str> = spec.tasks.iter().map(|t| t.module.as_str()).collect();
        assert_eq!(modules, ["a_b", "a_b_2", "a_b_3"]);
        assert_eq!(spec.package, "tick-all");
    }
}
