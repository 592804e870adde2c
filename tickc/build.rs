//! Embeds the runtime crate's sources, the workspace manifest and lock file, and templates/
//! into tickc, so an installed tickc can build tasks without a checkout of this repository.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(root: &Path, rel: &Path, out: &mut Vec<PathBuf>) {
    let dir = root.join(rel);
    println!("cargo:rerun-if-changed={}", dir.display());
    let Ok(entries) = std::fs::read_dir(&dir) else { return };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || name == "target" || name.ends_with(".pending-snap") {
            continue;
        }
        let rel_path = rel.join(name);
        if path.is_dir() {
            // Snapshot files and test fixtures are not needed to build the runtime.
            if !matches!(name, "snapshots" | "testdata" | "proptest-regressions") {
                collect(root, &rel_path, out);
            }
        } else {
            out.push(rel_path);
        }
    }
}

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest_dir.parent().expect("tickc/ sits in the workspace root").to_path_buf();
    let mut files = Vec::new();
    for top in ["Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", root.join(top).display());
        if root.join(top).is_file() {
            files.push(PathBuf::from(top));
        }
    }
    collect(&root, Path::new("runtime"), &mut files);
    collect(&root, Path::new("templates"), &mut files);

    let mut code = String::from("/// Workspace-relative path and contents of every embedded file.\npub static FILES: &[(&str, &str)] = &[\n");
    for rel in &files {
        let abs = root.join(rel);
        let _ = writeln!(code, "    ({:?}, include_str!({:?})),", rel.to_string_lossy().replace('\\', "/"), abs.display().to_string());
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
