//! The cargo profile a program is built in: the plain release profile, or the root manifest's
//! whole-program-optimised `release-lto`.

/// The name of the whole-program-optimised profile in the workspace manifest.
pub const LTO_PROFILE: &str = "release-lto";

/// Which cargo profile builds a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// `--release`: many codegen units and no LTO, so a task crate rebuilds in seconds.
    #[default]
    Release,
    /// [`LTO_PROFILE`]: fat LTO and one codegen unit, so the runtime's functions inline into the
    /// tasks; a task crate takes about a minute, and the first build compiles the dependencies
    /// again in this profile.
    ReleaseLto,
}

impl Profile {
    /// The arguments that select this profile on cargo's command line.
    pub fn cargo_args(self) -> &'static [&'static str] {
        match self {
            Profile::Release => &["--release"],
            Profile::ReleaseLto => &["--profile", LTO_PROFILE],
        }
    }

    /// The folder under the target folder that cargo writes this profile's binaries to.
    pub fn dir_name(self) -> &'static str {
        match self {
            Profile::Release => "release",
            Profile::ReleaseLto => LTO_PROFILE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_uses_cargos_release_flag_and_folder() {
        assert_eq!(Profile::Release.cargo_args(), ["--release"]);
        assert_eq!(Profile::Release.dir_name(), "release");
    }

    #[test]
    fn lto_names_the_manifests_profile_and_its_folder() {
        assert_eq!(Profile::ReleaseLto.cargo_args(), ["--profile", "release-lto"]);
        assert_eq!(Profile::ReleaseLto.dir_name(), "release-lto");
    }
}
