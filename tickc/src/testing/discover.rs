//! Finding test files: `NAME.test.toml`, each testing `NAME.tick` beside it unless it names
//! another script.

use std::path::{Path, PathBuf};

pub const TEST_SUFFIX: &str = ".test.toml";

fn is_test_file(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(TEST_SUFFIX) && n.len() > TEST_SUFFIX.len())
}

/// The test files under `paths`, in a stable order: files as given, folders searched
/// recursively.
pub fn test_files(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let found = crate::files::find(paths, is_test_file)?;
    // `tickc test` searches `.` by default: name what it finds `x.test.toml`, not `./x.test.toml`.
    Ok(found.into_iter().map(|path| path.strip_prefix(".").map(Path::to_path_buf).unwrap_or(path)).collect())
}

/// `NAME` of `NAME.test.toml`: the first part of its tests' names.
pub fn suite_name(test_file: &Path) -> String {
    let name = test_file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    match name.strip_suffix(TEST_SUFFIX) {
        Some(stem) => stem.to_string(),
        None => test_file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or(name),
    }
}

/// The script a test file tests: `script` relative to the file, else `NAME.tick` beside it.
pub fn script_path(test_file: &Path, script: Option<&str>) -> PathBuf {
    let dir = test_file.parent().unwrap_or(Path::new(""));
    match script {
        Some(script) => dir.join(script),
        None => dir.join(format!("{}.tick", suite_name(test_file))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_test_files_and_their_scripts() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        for f in ["b.test.toml", "a.tick", "sub/a.test.toml", "notes.toml", ".test.toml"] {
            std::fs::write(dir.path().join(f), "").unwrap();
        }
        let found = test_files(&[dir.path().to_path_buf()]).unwrap();
        let names: Vec<String> = found.iter().map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string()).collect();
        assert_eq!(names, ["b.test.toml", "sub/a.test.toml"]);
        assert_eq!(suite_name(&found[1]), "a");
        assert_eq!(script_path(&found[1], None), dir.path().join("sub/a.tick"));
        assert_eq!(script_path(&found[1], Some("../x.tick")), dir.path().join("sub/../x.tick"));
    }
}
