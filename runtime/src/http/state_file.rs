//! A running task's saved state on disk (`DATA_DIR/state/<task>.bin`): what
//! [`Task::snapshot`](crate::task::Task::snapshot) returns and the deliveries the task has
//! pending, behind a header naming the format and its version, written atomically (a temporary
//! file renamed over the old one) so a crash mid-write leaves the previous snapshot whole. The
//! file is readable by its owner only: deliveries can carry credentials (headers, SMTP logins).

use std::fs;
use std::hash::{DefaultHasher, Hasher};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::delivery::Delivery;
use crate::task::NodeState;

/// The first bytes of a state file.
const MAGIC: &[u8; 8] = b"TICKSTAT";
/// The version of the layout after the magic; a file of another version is not read.
const VERSION: u32 = 2;
/// Version 1 held the node states alone.
const NODES_ONLY: u32 = 1;

/// What a task keeps across a restart.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SavedState {
    pub(crate) nodes: Vec<NodeState>,
    /// What the task sent and was not yet delivered.
    pub(crate) deliveries: Vec<Delivery>,
}

/// The state file of one task, remembering (a digest of) what it last wrote so an unchanged
/// state is not written again.
#[derive(Debug)]
pub(crate) struct StateFile {
    path: PathBuf,
    last_saved: Option<Digest>,
    /// Whether the last save failed, so a lasting failure is reported once, not every second.
    failing: bool,
}

/// Why a state file could not be read.
#[derive(Debug)]
pub(crate) enum LoadError {
    Io(io::Error),
    /// Not a state file, a version this program does not read, or damaged.
    Unreadable(String),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Io(e) => e.fmt(f),
            LoadError::Unreadable(why) => f.write_str(why),
        }
    }
}

impl StateFile {
    /// The state file of task `task_id` in `dir`.
    pub(crate) fn new(dir: &Path, task_id: &str) -> StateFile {
        StateFile {
            path: dir.join(format!("{task_id}.bin")),
            last_saved: None,
            failing: false,
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The saved state; empty when the task has never saved any.
    pub(crate) fn load(&mut self) -> Result<SavedState, LoadError> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(SavedState::default()),
            Err(e) => return Err(LoadError::Io(e)),
        };
        let states = decode(&bytes).map_err(LoadError::Unreadable)?;
        let mut digest = DigestWriter::default();
        digest.hash(&bytes);
        self.last_saved = Some(digest.finish());
        Ok(states)
    }

    /// Moves an unreadable file aside (`<task>.bin.unreadable`), so the next save does not
    /// destroy what someone may want to look at.
    pub(crate) fn set_aside(&self) -> io::Result<PathBuf> {
        let mut aside = self.path.clone().into_os_string();
        aside.push(".unreadable");
        let aside = PathBuf::from(aside);
        fs::rename(&self.path, &aside)?;
        Ok(aside)
    }

    /// Writes `state` unless it is what the file already holds. A failure is reported on
    /// standard error the first time it happens in a row; the next save tries again.
    pub(crate) fn save(&mut self, state: &SavedState) {
        // The state is encoded twice, into a digest and then into the file, and never held
        // whole in memory: a window's worth of points is megabytes, and copies of it were most
        // of a windowing task's peak memory.
        // The encoder writes a few bytes at a time, and a hasher fed that way costs several
        // times what it does on whole blocks.
        let mut digest = BufWriter::with_capacity(DIGEST_BLOCK, DigestWriter::default());
        let encoded = encode_into(state, &mut digest).and_then(|()| digest.into_inner().map_err(io::IntoInnerError::into_error));
        let digest = match encoded {
            Ok(digest) => digest.finish(),
            Err(e) => return self.report(&format!("encoding the state: {e}")),
        };
        if self.last_saved == Some(digest) {
            return;
        }
        match write_atomically(&self.path, |file| encode_into(state, file)) {
            Ok(()) => {
                self.last_saved = Some(digest);
                self.failing = false;
            }
            Err(e) => self.report(&e.to_string()),
        }
    }

    fn report(&mut self, why: &str) {
        if !self.failing {
            eprintln!("warning: cannot save the task state to {}: {why}", self.path.display());
        }
        self.failing = true;
    }
}

/// Writes the header and `state` to `out`.
fn encode_into(state: &SavedState, out: &mut impl Write) -> io::Result<()> {
    out.write_all(MAGIC)?;
    out.write_all(&VERSION.to_le_bytes())?;
    bincode::serde::encode_into_std_write(state, out, bincode::config::standard())
        .map(drop)
        .map_err(io::Error::other)
}

/// The bytes the digest of a state being saved is fed at a time.
const DIGEST_BLOCK: usize = 64 * 1024;

/// What identifies a file's bytes: two SipHash digests of them under different keys, so that
/// a changed state taken for the saved one (and not written) is out of the question.
type Digest = (u64, u64);

/// A writer that only digests what it is given.
struct DigestWriter {
    hashers: (DefaultHasher, DefaultHasher),
}

impl Default for DigestWriter {
    fn default() -> Self {
        let mut second = DefaultHasher::new();
        second.write_u8(1);
        DigestWriter { hashers: (DefaultHasher::new(), second) }
    }
}

impl DigestWriter {
    fn hash(&mut self, bytes: &[u8]) {
        self.hashers.0.write(bytes);
        self.hashers.1.write(bytes);
    }

    fn finish(&self) -> Digest {
        (self.hashers.0.finish(), self.hashers.1.finish())
    }
}

impl Write for DigestWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.hash(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn decode(bytes: &[u8]) -> Result<SavedState, String> {
    let (magic, rest) = bytes.split_at_checked(MAGIC.len()).ok_or("the file is too short")?;
    if magic != MAGIC {
        return Err("not a task state file".into());
    }
    let (version, body) = rest.split_at_checked(4).ok_or("the file is too short")?;
    let version = u32::from_le_bytes(version.try_into().map_err(|_| "the file is too short")?);
    match version {
        VERSION => decode_body(body),
        NODES_ONLY => decode_body(body).map(|nodes| SavedState { nodes, deliveries: Vec::new() }),
        _ => Err(format!(
            "state format version {version}; this program reads versions {NODES_ONLY} and {VERSION}"
        )),
    }
}

fn decode_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    let (value, read) = bincode::serde::decode_from_slice::<T, _>(body, bincode::config::standard())
        .map_err(|e| format!("damaged: {e}"))?;
    if read != body.len() {
        return Err("damaged: trailing bytes".into());
    }
    Ok(value)
}

/// Writes what `write` writes to a temporary file beside `path`, syncs it, and renames it
/// over `path`.
fn write_atomically(path: &Path, write: impl FnOnce(&mut BufWriter<fs::File>) -> io::Result<()>) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let mut temporary = path.to_path_buf().into_os_string();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = BufWriter::new(options.open(&temporary)?);
    write(&mut file)?;
    let file = file.into_inner().map_err(io::IntoInnerError::into_error)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&temporary, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::delivery::HttpPost;

    fn nodes() -> Vec<NodeState> {
        vec![
            NodeState { node: "alert2".into(), bytes: vec![1, 2, 3] },
            NodeState { node: "window1".into(), bytes: Vec::new() },
        ]
    }

    fn states() -> SavedState {
        let post = HttpPost {
            url: "http://sink/alert".into(),
            headers: vec![("Authorization".into(), "Bearer x".into())],
            body: b"{}".to_vec(),
            timeout: Some(std::time::Duration::from_secs(3)),
        };
        SavedState { nodes: nodes(), deliveries: vec![Delivery::Post(post)] }
    }

    #[test]
    fn saved_states_load_back_and_a_missing_file_is_no_state() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = StateFile::new(&dir.path().join("state"), "cpu");
        assert_eq!(file.load().unwrap(), SavedState::default());
        file.save(&states());
        assert!(file.path().ends_with("state/cpu.bin"));
        assert_eq!(StateFile::new(&dir.path().join("state"), "cpu").load().unwrap(), states());
        assert!(!dir.path().join("state/cpu.bin.tmp").exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(file.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_version_1_file_gives_its_node_states_and_no_deliveries() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = StateFile::new(dir.path(), "old");
        let body = bincode::serde::encode_to_vec(nodes(), bincode::config::standard()).unwrap();
        fs::write(file.path(), [&MAGIC[..], &NODES_ONLY.to_le_bytes(), &body].concat()).unwrap();
        assert_eq!(file.load().unwrap(), SavedState { nodes: nodes(), deliveries: Vec::new() });
    }

    #[test]
    fn an_unchanged_state_is_not_written_again() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = StateFile::new(dir.path(), "cpu");
        file.save(&states());
        fs::remove_file(file.path()).unwrap();
        file.save(&states());
        assert!(!file.path().exists());
        file.save(&SavedState { deliveries: Vec::new(), ..states() });
        assert!(file.path().exists());

        // What was loaded counts as saved: the digest of the file read is the digest of the
        // same state encoded.
        let mut reloaded = StateFile::new(dir.path(), "cpu");
        let state = reloaded.load().unwrap();
        fs::remove_file(reloaded.path()).unwrap();
        reloaded.save(&state);
        assert!(!reloaded.path().exists());
    }

    #[test]
    fn a_state_of_many_digest_blocks_reads_back_as_saved() {
        let dir = tempfile::tempdir().unwrap();
        let big = SavedState {
            nodes: vec![NodeState { node: "window1".into(), bytes: (0..5 * DIGEST_BLOCK).map(|i| i as u8).collect() }],
            ..states()
        };
        StateFile::new(dir.path(), "cpu").save(&big);
        let mut reloaded = StateFile::new(dir.path(), "cpu");
        assert_eq!(reloaded.load().unwrap(), big);
        fs::remove_file(reloaded.path()).unwrap();
        reloaded.save(&big);
        assert!(!reloaded.path().exists(), "the state read is known as the one saved");
    }

    #[test]
    fn damaged_or_foreign_files_are_refused_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = StateFile::new(dir.path(), "cpu");
        let mut good = Vec::new();
        encode_into(&states(), &mut good).unwrap();
        for (bytes, reason) in [
            (b"TICK".to_vec(), "too short"),
            (b"something else entirely".to_vec(), "not a task state file"),
            ([&MAGIC[..], &9_u32.to_le_bytes()].concat(), "version 9"),
            (good[..good.len() - 1].to_vec(), "damaged"),
        ] {
            fs::write(file.path(), bytes).unwrap();
            let error = file.load().unwrap_err().to_string();
            assert!(error.contains(reason), "{error}");
        }
        good.push(0);
        fs::write(file.path(), &good).unwrap();
        assert!(file.load().unwrap_err().to_string().contains("trailing"));
        let aside = file.set_aside().unwrap();
        assert!(aside.ends_with("cpu.bin.unreadable") && aside.exists() && !file.path().exists());
    }
}
