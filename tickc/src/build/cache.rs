//! The build cache: a cargo workspace holding the runtime and the generated task crates, and
//! one target folder shared by every build, and by every tickc version (see
//! [`Cache::target_for`]). `TICKC_CACHE_DIR` moves it (default `$XDG_CACHE_HOME/tickc`, else
//! `~/.cache/tickc`).

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

    /// The shared target folder, claimed for the runtime of `workspace` (see
    /// [`Cache::workspace`]).
    ///
    /// Cargo names a path crate's build by its place in its workspace, which every extracted
    /// runtime shares (`runtime`, `tasks/...`), and judges the build fresh by file times alone.
    /// So when two tickc versions build in turn, the runtime last built here passes for the
    /// other's as long as its files are newer. The folder therefore notes whose runtime it built
    /// last; when that changes, this workspace's files are touched first: the runtime and the
    /// tasks build again, the dependencies do not. (Two versions building at the same moment
    /// can still meet; one version at a time, as a user or CI runs them, cannot.)
    pub fn target_for(&self, workspace: &Path) -> io::Result<PathBuf> {
        let target = self.root.join("target");
        let marker = target.join(BUILT_RUNTIME);
        let name = workspace.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if std::fs::read_to_string(&marker).ok().as_deref() != Some(name.as_str()) {
            touch_files(workspace, std::time::SystemTime::now())?;
            std::fs::create_dir_all(&target)?;
            std::fs::write(&marker, name)?;
        }
        Ok(target)
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

/// The file in the target folder naming the extracted workspace whose runtime it built last.
const BUILT_RUNTIME: &str = "tickc-runtime";

/// Sets the modification time of every file under `dir` to `time`.
fn touch_files(dir: &Path, time: std::time::SystemTime) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            touch_files(&path, time)?;
        } else {
            std::fs::File::options().write(true).open(&path)?.set_modified(time)?;
        }
    }
    Ok(())
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

    /// Another runtime's build in the shared target is never taken for this one's: claiming the
    /// target for a workspace other than the last one touches that workspace's files.
    #[test]
    fn the_target_is_claimed_for_one_runtime_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path().to_path_buf());
        let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        let workspaces: Vec<PathBuf> = ["ws-a", "ws-b"]
            .iter()
            .map(|name| {
                let ws = dir.path().join(name);
                std::fs::create_dir_all(ws.join("runtime/src")).unwrap();
                std::fs::write(ws.join("runtime/src/lib.rs"), "").unwrap();
                ws
            })
            .collect();
        let modified = |ws: &Path| std::fs::metadata(ws.join("runtime/src/lib.rs")).unwrap().modified().unwrap();
        let age = |ws: &Path| touch_files(ws, old).unwrap();

        for ws in &workspaces {
            age(ws);
        }
        let target = cache.target_for(&workspaces[0]).unwrap();
        assert_eq!(target, dir.path().join("target"));
        assert!(modified(&workspaces[0]) > old, "the first claim touches");
        age(&workspaces[0]);
        cache.target_for(&workspaces[0]).unwrap();
        assert_eq!(modified(&workspaces[0]), old, "the same runtime again: nothing to touch");
        cache.target_for(&workspaces[1]).unwrap();
        assert!(modified(&workspaces[1]) > old, "another runtime's turn touches its files");
        assert_eq!(modified(&workspaces[0]), old);
        cache.target_for(&workspaces[0]).unwrap();
        assert!(modified(&workspaces[0]) > old, "and back again");
    }
}
