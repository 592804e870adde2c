//! `tickc import`: copy a running Kapacitor's tasks and templates into files with a manifest,
//! then compile each task as `tickc build` would and report every one that does not compile.

use std::path::Path;

use super::compile::compile_task;
use super::exit;
use crate::import::client::Client;
use crate::import::layout;
use crate::manifest::{self, Manifest};

pub fn run(url: &str, dir: &Path) -> u8 {
    let client = Client::new(url);
    let fetched = client.tasks().and_then(|tasks| Ok((tasks, client.templates()?)));
    let (tasks, templates) = match fetched {
        Ok(fetched) => fetched,
        Err(e) => {
            eprintln!("error: cannot read Kapacitor's tasks: {e}");
            return exit::USAGE;
        }
    };
    let layout = layout(&tasks, &templates);
    let manifest_path = dir.join(manifest::FILE_NAME);
    let header = format!(
        "The tasks of the Kapacitor at {url}, as `tickc import` found them.\nBuild them into one program with `tickc build {}`.",
        manifest_path.display()
    );
    let files = layout.files.iter().map(|(path, text)| (dir.join(path), text.clone()));
    for (path, text) in files.chain([(manifest_path.clone(), layout.manifest.to_toml(&header))]) {
        let written = path.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| std::fs::write(&path, text));
        if let Err(e) = written {
            eprintln!("error: cannot write {}: {e}", path.display());
            return exit::FAILED;
        }
    }
    eprintln!(
        "imported {} task(s) and {} template(s) from {url} into {}",
        tasks.len(),
        templates.len(),
        dir.display()
    );
    report_compilation(&manifest_path)
}

/// Compiles every task of the manifest, printing the diagnostics of each that fails, then
/// which ones failed.
fn report_compilation(manifest_path: &Path) -> u8 {
    let specs = match Manifest::load(manifest_path) {
        Ok(specs) => specs,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::FAILED;
        }
    };
    let mut out = std::io::stderr().lock();
    let failed: Vec<&str> = specs
        .iter()
        .filter(|spec| compile_task(spec, false, &mut out).is_err())
        .map(|spec| spec.id.as_str())
        .collect();
    if failed.is_empty() {
        eprintln!("every task compiles: `tickc build {}` builds them", manifest_path.display());
        exit::OK
    } else {
        eprintln!("{} of {} task(s) do not compile: {}", failed.len(), specs.len(), failed.join(", "));
        exit::FAILED
    }
}
