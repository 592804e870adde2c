//! Finding the files a command was given: files as named, folders searched recursively for the
//! files a command reads (`.tick` scripts, `.test.toml` tests), in a stable order.

use std::path::{Path, PathBuf};

/// The files under `paths`: each file as given, each folder searched recursively for files
/// `wanted` accepts, sorted by path within a folder.
pub fn find(paths: &[PathBuf], wanted: impl Fn(&Path) -> bool + Copy) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for path in paths {
        if path.is_dir() {
            collect(path, wanted, &mut found)?;
        } else {
            found.push(path.clone());
        }
    }
    Ok(found)
}

/// The scripts under `paths`; folders are searched for `.tick` files.
pub fn scripts(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    find(paths, |path| path.extension().is_some_and(|e| e == "tick"))
}

fn collect(dir: &Path, wanted: impl Fn(&Path) -> bool + Copy, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, wanted, found)?;
        } else if wanted(&path) {
            found.push(path);
        }
    }
    Ok(())
}
