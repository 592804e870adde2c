//! Running cargo on a generated crate, with the shared target folder.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::profile::Profile;

/// Why a build failed.
#[derive(Debug)]
pub enum BuildError {
    /// cargo could not be started.
    Spawn(std::io::Error),
    /// cargo ran and failed; its diagnostics.
    Failed { stderr: String },
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::Spawn(e) => write!(f, "cannot run cargo: {e}"),
            BuildError::Failed { stderr } => write!(f, "cargo failed to build the generated crate:\n{stderr}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// The cargo to run: the one running us when there is one, else `cargo` from PATH.
fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Builds `package` of the workspace at `manifest` in `profile` into `target_dir`, and returns
/// the path of binary `bin`.
pub fn build_binary(
    manifest: &Path,
    package: &str,
    bin: &str,
    target_dir: &Path,
    profile: Profile,
) -> Result<PathBuf, BuildError> {
    let output = cargo()
        .arg("build")
        .args(profile.cargo_args())
        .arg("--quiet")
        .arg("--manifest-path")
        .arg(manifest)
        .arg("-p")
        .arg(package)
        .arg("--target-dir")
        .arg(target_dir)
        .env_remove("RUSTFLAGS")
        .output()
        .map_err(BuildError::Spawn)?;
    if !output.status.success() {
        return Err(BuildError::Failed { stderr: String::from_utf8_lossy(&output.stderr).into_owned() });
    }
    Ok(target_dir.join(profile.dir_name()).join(format!("{bin}{}", std::env::consts::EXE_SUFFIX)))
}
