//! The build cache: a cargo workspace holding the runtime and the generated task crates, and
//! one target folder shared by every build. `TICKC_CACHE_DIR` moves it (default
//! `$XDG_CACHE_HOME/tickc`, else `~/.cache/tickc`).

use std::io;
use std::path::{Path, PathBuf};

use super::embedded;

pub const CACHE_DIR_ENV: &str = "TICKC_CACHE_DIR";

#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
}

impl Cache {
    /// The cache named by the environment, or the user's default cache folder.
    pub fn from_env() -> io::Result<Cache> {
        if let Some(dir) = std::env::var_os(CACHE_DIR_ENV).filter(|d| !d.is_empty()) {
            return Ok(Cache::at(PathBuf::from(dir)));
        }
        let base = std::env::var_os("XDG_CACHE_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .ok_or_else(|| io::Error::other(format!("no cache folder: set {CACHE_DIR_ENV} or HOME")))?;
        Ok(Cache::at(base.join("tickc")))
    }

    pub fn at(root: PathBuf) -> Cache {
        Cache { root }
    }

    pub fn target_dir(&self) -> PathBuf {
        self.root.join("target")
    }

    /// The cargo workspace for this tickc's runtime, extracted on first use.
    pub fn workspace(&self) -> io::Result<PathBuf> {
        let ws = self.root.join(format!("ws-{}-{:016x}", env!("CARGO_PKG_VERSION"), embedded::digest()));
        if ws.join("Cargo.toml").is_file() {
            return Ok(ws);
        }
        std::fs::create_dir_all(&self.root)?;
        // Extract into a private folder and rename it into place, so concurrent builds never
        // see a half-written runtime.
        let staging = self.root.join(format!("staging-{}-{:x}", std::process::id(), embedded::digest()));
        let _ = std::fs::remove_dir_all(&staging);
        extract(&staging)?;
        match std::fs::rename(&staging, &ws) {
            Ok(()) => Ok(ws),
            Err(_) if ws.join("Cargo.toml").is_file() => {
                let _ = std::fs::remove_dir_all(&staging);
                Ok(ws)
            }
            Err(e) => Err(e),
        }
    }

    /// The path of the runtime crate inside the workspace.
    pub fn runtime_dir(&self) -> io::Result<PathBuf> {
        Ok(self.workspace()?.join("runtime"))
    }
}

fn extract(dir: &Path) -> io::Result<()> {
    for (rel, contents) in embedded::FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let contents = if *rel == "Cargo.toml" { workspace_manifest(contents)? } else { (*contents).to_string() };
        std::fs::write(path, contents)?;
    }
    std::fs::create_dir_all(dir.join("tasks"))
}

/// The repository's workspace manifest turned into the cache's: the runtime and the task crates
/// as members, and only the dependency entries that exist there.
fn workspace_manifest(original: &str) -> io::Result<String> {
    let mut manifest: toml::Table = original.parse().map_err(|e| io::Error::other(format!("embedded Cargo.toml: {e}")))?;
    let Some(toml::Value::Table(workspace)) = manifest.get_mut("workspace") else {
        return Err(io::Error::other("embedded Cargo.toml has no [workspace]"));
    };
    let members = toml::Value::Array(vec!["runtime".into(), "tasks/*".into()]);
    workspace.insert("members".into(), members.clone());
    workspace.insert("default-members".into(), members);
    if let Some(toml::Value::Table(deps)) = workspace.get_mut("dependencies") {
        deps.retain(|_, spec| spec.get("path").is_none_or(|p| p.as_str() == Some("runtime")));
    }
    Ok(manifest.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::profile::LTO_PROFILE;

    #[test]
    fn extracted_workspace_has_runtime_and_rewritten_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path().to_path_buf());
        let ws = cache.workspace().unwrap();
        assert!(ws.join("runtime/Cargo.toml").is_file());
        assert!(ws.join("runtime/src/lib.rs").is_file());
        assert!(ws.join("templates/main.rs.tmpl").is_file());
        let manifest: toml::Table = std::fs::read_to_string(ws.join("Cargo.toml")).unwrap().parse().unwrap();
        let members = &manifest["workspace"]["members"];
        assert_eq!(members.as_array().unwrap().len(), 2);
        assert!(manifest["workspace"]["dependencies"].get("tickc").is_none());
        assert!(manifest["workspace"]["dependencies"].get("tick-runtime").is_some());
        // The profiles come along: `tickc build --lto` names one that only the manifest defines.
        let lto = &manifest["profile"][LTO_PROFILE];
        assert_eq!(lto["inherits"].as_str(), Some("release"));
        assert_eq!(lto["lto"].as_str(), Some("fat"));
        assert_eq!(lto["codegen-units"].as_integer(), Some(1));
        // A second call reuses the extracted copy.
        assert_eq!(cache.workspace().unwrap(), ws);
    }
}
