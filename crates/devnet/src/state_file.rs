//! The devnet's state file (`superlink devnet --dump-state FILE` / `--load-state FILE`): every chain of the
//! devnet saved at shutdown and loaded at start, so a devnet restarts where it stopped.
//!
//! **What is saved.** The chains and nothing else: the L1 and every L2 as [`ChainDump`]s (blocks with their
//! receipts, the head state, the kept per-block history, developer edits, pool, queued deposits, labels), with
//! the genesis time and the settings that decide what the chains' data *means* (chain IDs, dependency set,
//! L2 block time, batcher layout, sequencing window). Everything else the devnet keeps is a function of the
//! chains' data, and is rebuilt on load by the same code that builds it at a fresh start, following the
//! restored chains from their genesis: the verifier's index (its followers index every L2 from block 0), the
//! L1 derivation (the pipeline reads every L1 block again: the local-safe heads, the derived-from records and
//! the safe and finalized labels come back; each batcher starts again from its chain's local-safe head), and
//! the autorelayer's progress (it scans every chain's `SentMessage` logs from genesis and asks the messenger's
//! `successfulMessages` before relaying: a message relayed before the dump is not relayed again, one still
//! waiting is relayed). Saving only the chains keeps the file small and means no second copy of derived state
//! can disagree with the chains after a load. Not kept: blocks that had left the canonical chain, `evm_snapshot`
//! snapshots, the dev clock's `evm_increaseTime` offset, and the dashboard's history of relay attempts.
//!
//! **Time.** Chain time stops while the devnet is stopped: after a load, each chain's next block follows its
//! restored head one block time later (not the wall clock), so block timestamps keep increasing and every L2
//! block stays on the chains' shared time grid.
//!
//! **Format** (version [`VERSION`]): one JSON document
//! `{"format": "superlink-devnet-state", "version": 1, "checksum": "0x..", "devnet": {...}}`, where `checksum` is
//! the keccak-256 of the `devnet` value's exact bytes in the file, so a truncated or altered file is refused
//! before anything is built from it. Inside, headers are RLP and transactions and receipts EIP-2718 encodings
//! (hex), accounts, storage and diffs plain JSON. It is not anvil's state format: one file holds several chains
//! (anvil's flags are followed, not its file layout).
//!
//! A file whose name ends in `.gz` is written gzip-compressed (a fraction of the size: the hex compresses
//! well); reading recognises a gzip file by its first bytes, whatever its name.
//!
//! **Writing** is atomic: the document goes to a temporary file next to the target, is synced, then renamed over
//! it; a failure leaves an existing file as it was.

use std::{
    fs::File,
    io::{BufWriter, Write},
    path::{Path, PathBuf},
    sync::Arc,
    time::Instant,
};

use alloy_primitives::{B256, keccak256};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use superlink_chain::{Chain, ChainConfig, ChainDump, Genesis, RestoreError};
use superlink_node::ChainService;
use tracing::{info, warn};

use crate::error::DevnetError;

use crate::config::{DevnetConfig, L1_CHAIN_ID};

/// The `format` field of every state file.
pub const FORMAT: &str = "superlink-devnet-state";
/// The version of the layout this build writes and reads.
pub const VERSION: u32 = 1;

/// Why a state file could not be written, read or used.
#[derive(Debug, thiserror::Error)]
pub enum StateFileError {
    /// The file could not be read or written.
    #[error("state file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a complete superlink devnet state file.
    #[error("state file {path} is not a superlink devnet state file (or it is truncated): {reason}")]
    NotAStateFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The file was written in a layout this build does not read.
    #[error("state file {path} has format version {found}; this superlink reads version {VERSION}")]
    Version {
        /// The file.
        path: PathBuf,
        /// The version in the file.
        found: u32,
    },
    /// The content does not match its checksum.
    #[error("state file {path} is corrupt: its content does not match its checksum")]
    Checksum {
        /// The file.
        path: PathBuf,
    },
    /// The file is of another devnet than the one being started.
    #[error("state file {path} is of another devnet: {what}")]
    Mismatch {
        /// The file.
        path: PathBuf,
        /// How it differs.
        what: String,
    },
    /// A chain in the file could not be restored.
    #[error("state file {path}: {source}")]
    Restore {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: RestoreError,
    },
    /// Serializing the devnet failed.
    #[error("state file {path}: encoding the devnet: {reason}")]
    Encode {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// The settings a devnet's chains were built with, which a devnet that loads them must share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedSettings {
    /// The timestamp of every chain's genesis block.
    pub genesis_timestamp: u64,
    /// The L1's chain ID.
    pub l1_chain_id: u64,
    /// The L2s' chain IDs, ascending.
    pub l2_chain_ids: Vec<u64>,
    /// The interop dependency set.
    pub dependency_set: Vec<u64>,
    /// Seconds between L2 blocks (the batches on the L1 encode timestamps on this grid).
    pub l2_block_time: u64,
    /// Whether one shared batcher posted every chain's batches.
    pub shared_batcher: bool,
    /// The sequencing window, in L1 blocks (re-deriving with another window would judge the batches differently).
    pub sequencing_window: u64,
}

impl SavedSettings {
    /// The settings of a devnet started with `config`, its dependency set and genesis time.
    pub fn of(config: &DevnetConfig, dependency_set: Vec<u64>, genesis_timestamp: u64) -> Self {
        Self {
            genesis_timestamp,
            l1_chain_id: L1_CHAIN_ID,
            l2_chain_ids: config.l2_chain_ids(),
            dependency_set,
            l2_block_time: config.l2_block_time,
            shared_batcher: config.shared_batcher,
            sequencing_window: config.sequencing_window,
        }
    }

    /// Why a devnet with settings `ours` cannot load chains saved with these; `None` when it can. The genesis
    /// time is taken from the file and not compared.
    pub fn mismatch(&self, ours: &SavedSettings) -> Option<String> {
        let list = |ids: &[u64]| ids.iter().map(u64::to_string).collect::<Vec<_>>().join(", ");
        if self.l1_chain_id != ours.l1_chain_id {
            return Some(format!(
                "its L1 is chain {}, this devnet's is {}",
                self.l1_chain_id, ours.l1_chain_id
            ));
        }
        if self.l2_chain_ids != ours.l2_chain_ids {
            return Some(format!(
                "it holds L2 chains {} (--l2-count {}), this devnet runs {} (--l2-count {})",
                list(&self.l2_chain_ids),
                self.l2_chain_ids.len(),
                list(&ours.l2_chain_ids),
                ours.l2_chain_ids.len()
            ));
        }
        if self.dependency_set != ours.dependency_set {
            return Some(format!(
                "its dependency set is {}, this devnet's is {} (--dependency-set)",
                list(&self.dependency_set),
                list(&ours.dependency_set)
            ));
        }
        if self.l2_block_time != ours.l2_block_time {
            return Some(format!(
                "its L2 block time is {} s, this devnet's is {} s (--l2-block-time)",
                self.l2_block_time, ours.l2_block_time
            ));
        }
        if self.shared_batcher != ours.shared_batcher {
            let name = |shared: bool| if shared { "one shared batcher" } else { "a batcher per L2" };
            return Some(format!(
                "its batches were posted by {}, this devnet has {} (--shared-batcher)",
                name(self.shared_batcher),
                name(ours.shared_batcher)
            ));
        }
        if self.sequencing_window != ours.sequencing_window {
            return Some(format!(
                "its sequencing window is {} L1 blocks, this devnet's is {} (--sequencing-window)",
                self.sequencing_window, ours.sequencing_window
            ));
        }
        None
    }
}

/// A whole devnet as saved: its settings and every chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DevnetState {
    /// What the chains were built with.
    pub settings: SavedSettings,
    /// The L1.
    pub l1: ChainDump,
    /// The L2s, in the order of `settings.l2_chain_ids`.
    pub l2s: Vec<ChainDump>,
}

#[derive(Serialize)]
struct EnvelopeOut<'a> {
    format: &'a str,
    version: u32,
    checksum: B256,
    devnet: &'a RawValue,
}

/// The envelope as read: the fields are optional so that a JSON document of another kind gets a clear error.
#[derive(Deserialize)]
struct EnvelopeIn<'a> {
    format: Option<String>,
    version: Option<u32>,
    checksum: Option<B256>,
    #[serde(borrow)]
    devnet: Option<&'a RawValue>,
}

/// The JSON text of a state file holding `state`.
pub fn encode(state: &DevnetState) -> Result<Vec<u8>, serde_json::Error> {
    let body = serde_json::to_string(state)?;
    let checksum = keccak256(body.as_bytes());
    let devnet = RawValue::from_string(body)?;
    serde_json::to_vec(&EnvelopeOut { format: FORMAT, version: VERSION, checksum, devnet: &devnet })
}

/// Reads the state in the JSON text of a state file; `path` only names the file in errors.
pub fn decode(path: &Path, text: &[u8]) -> Result<DevnetState, StateFileError> {
    let not_a_state_file =
        |reason: String| StateFileError::NotAStateFile { path: path.to_path_buf(), reason };
    let envelope: EnvelopeIn<'_> =
        serde_json::from_slice(text).map_err(|e| not_a_state_file(e.to_string()))?;
    if envelope.format.as_deref() != Some(FORMAT) {
        return Err(not_a_state_file(format!("its `format` is not \"{FORMAT}\"")));
    }
    let version = envelope.version.ok_or_else(|| not_a_state_file("it has no `version`".into()))?;
    if version != VERSION {
        return Err(StateFileError::Version { path: path.to_path_buf(), found: version });
    }
    let (Some(checksum), Some(devnet)) = (envelope.checksum, envelope.devnet) else {
        return Err(not_a_state_file("it lacks its `checksum` or its `devnet`".into()));
    };
    if keccak256(devnet.get().as_bytes()) != checksum {
        return Err(StateFileError::Checksum { path: path.to_path_buf() });
    }
    serde_json::from_str(devnet.get())
        .map_err(|e| not_a_state_file(format!("the devnet does not decode: {e}")))
}

/// The first two bytes of every gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Whether a state file at `path` is written gzip-compressed: its name ends in `.gz`.
fn compressed(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("gz"))
}

/// Reads the state file at `path` (plain or gzip-compressed). Blocking (reads and parses the whole file): call
/// it off the async workers.
pub fn read(path: &Path) -> Result<DevnetState, StateFileError> {
    let bytes =
        std::fs::read(path).map_err(|source| StateFileError::Io { path: path.to_path_buf(), source })?;
    if !bytes.starts_with(&GZIP_MAGIC) {
        return decode(path, &bytes);
    }
    let mut text = Vec::with_capacity(bytes.len().saturating_mul(8));
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes.as_slice()), &mut text).map_err(
        |e| StateFileError::NotAStateFile { path: path.to_path_buf(), reason: format!("gzip: {e}") },
    )?;
    decode(path, &text)
}

/// Checks, before a devnet runs, that a state file can later be written at `path`: its directory exists and
/// `path` is not a directory. (Writing itself may still fail, e.g. on a full disk; it then says so.)
pub fn check_target(path: &Path) -> Result<(), StateFileError> {
    let io = |source| StateFileError::Io { path: path.to_path_buf(), source };
    if path.is_dir() {
        return Err(io(std::io::Error::other("is a directory")));
    }
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => {
            Err(io(std::io::Error::other(format!("directory {} does not exist", dir.display()))))
        }
        _ => Ok(()),
    }
}

/// Writes `state` to `path` atomically (a synced temporary file in the same directory, renamed over `path`),
/// gzip-compressed when the name ends in `.gz`; returns the file's size. On failure `path` is left as it was. Blocking: call it off the async workers.
pub fn write(path: &Path, state: &DevnetState) -> Result<u64, StateFileError> {
    let io = |source| StateFileError::Io { path: path.to_path_buf(), source };
    let text = encode(state)
        .map_err(|e| StateFileError::Encode { path: path.to_path_buf(), reason: e.to_string() })?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "state".into());
    let temp =
        tempfile::Builder::new().prefix(&format!(".{name}.")).suffix(".tmp").tempfile_in(&dir).map_err(io)?;
    let size = if compressed(path) {
        let mut out =
            flate2::write::GzEncoder::new(BufWriter::new(temp.as_file()), flate2::Compression::fast());
        out.write_all(&text).map_err(io)?;
        out.finish().map_err(io)?.flush().map_err(io)?;
        temp.as_file().metadata().map_err(io)?.len()
    } else {
        let mut out = BufWriter::new(temp.as_file());
        out.write_all(&text).map_err(io)?;
        out.flush().map_err(io)?;
        text.len() as u64
    };
    // The file keeps the permissions of the one it replaces; a new one gets those of a file written with
    // `std::fs::write`, not the owner-only ones a temporary file starts out with.
    let permissions = match std::fs::metadata(path) {
        Ok(existing) => Some(existing.permissions()),
        Err(_) => new_file_permissions(),
    };
    if let Some(permissions) = permissions {
        temp.as_file().set_permissions(permissions).map_err(io)?;
    }
    temp.as_file().sync_all().map_err(io)?;
    // Dropping an unpersisted temporary file removes it, so a failed rename leaves nothing behind.
    temp.persist(path).map_err(|e| io(e.error))?;
    if let Ok(dir) = File::open(&dir) {
        let _ = dir.sync_all();
    }
    Ok(size)
}

impl DevnetState {
    /// Saves the devnet whose chains are `l1` and `l2s` (in the order of `settings.l2_chain_ids`). Each chain is
    /// read under its lock; the caller has stopped everything that builds blocks, so the chains agree.
    pub fn capture(settings: SavedSettings, l1: &ChainService, l2s: &[&ChainService]) -> Self {
        Self {
            settings,
            l1: l1.read().dump(),
            l2s: l2s.iter().map(|service| service.read().dump()).collect(),
        }
    }

    /// Refuses the file (named `path` in the error) when it was saved by a devnet whose settings differ from
    /// `ours` in what the chains' data depends on.
    pub fn check_settings(&self, path: &Path, ours: &SavedSettings) -> Result<(), StateFileError> {
        match self.settings.mismatch(ours) {
            Some(what) => Err(StateFileError::Mismatch { path: path.to_path_buf(), what }),
            None if self.l2s.len() != self.settings.l2_chain_ids.len() => {
                Err(StateFileError::NotAStateFile {
                    path: path.to_path_buf(),
                    reason: format!(
                        "it lists {} L2 chains but holds {}",
                        self.settings.l2_chain_ids.len(),
                        self.l2s.len()
                    ),
                })
            }
            None => Ok(()),
        }
    }

    /// Rebuilds the L1 (from `l1_genesis`) and the L2s (from `l2_geneses`, in order) with
    /// [`Chain::from_dump`]; refuses the whole file (named `path`) if any chain does not restore. Pooled
    /// transactions the pool no longer takes are logged and left out. Blocking: call it off the async workers.
    pub fn restore(
        self,
        path: &Path,
        l1_genesis: &Genesis,
        l2_geneses: &[Genesis],
    ) -> Result<(Chain, Vec<Chain>), StateFileError> {
        let restore = |genesis: &Genesis, dump: ChainDump| {
            let head = dump.head_number();
            let (chain, report) = Chain::from_dump(genesis, ChainConfig::default(), dump)
                .map_err(|source| StateFileError::Restore { path: path.to_path_buf(), source })?;
            for (tx, reason) in &report.refused {
                warn!(chain_id = genesis.chain_id, %tx, reason, "a pooled transaction of the state file was left out");
            }
            info!(chain_id = genesis.chain_id, head, repooled = report.repooled, "chain restored");
            Ok::<Chain, StateFileError>(chain)
        };
        let l1 = restore(l1_genesis, self.l1)?;
        let l2s = l2_geneses
            .iter()
            .zip(self.l2s)
            .map(|(genesis, dump)| restore(genesis, dump))
            .collect::<Result<_, _>>()?;
        Ok((l1, l2s))
    }
}

/// Reads and checks the state file at `path` against this devnet's settings, off the async workers.
pub(crate) async fn read_state_file(path: PathBuf, ours: SavedSettings) -> Result<DevnetState, DevnetError> {
    let read = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let state = read(&path)?;
        state.check_settings(&path, &ours)?;
        info!(path = %path.display(), elapsed_ms = started.elapsed().as_millis() as u64, "state file read");
        Ok::<DevnetState, DevnetError>(state)
    });
    read.await.map_err(|e| DevnetError::Task { task: "state file", reason: e.to_string() })?
}

/// The devnet's chains: from their genesis blocks, or restored from `loaded` (read from `path`); off the async
/// workers (genesis state roots, and a restore's decoding and state root, take a while).
pub(crate) async fn build_chains(
    l1_genesis: Genesis,
    l2_geneses: Vec<Genesis>,
    loaded: Option<DevnetState>,
    path: Option<PathBuf>,
) -> Result<(Chain, Vec<Chain>), DevnetError> {
    let build = tokio::task::spawn_blocking(move || match loaded {
        Some(state) => {
            let started = Instant::now();
            let path = path.unwrap_or_default();
            let chains = state.restore(&path, &l1_genesis, &l2_geneses)?;
            info!(path = %path.display(), elapsed_ms = started.elapsed().as_millis() as u64, "devnet state loaded");
            Ok(chains)
        }
        None => Ok((
            Chain::new(&l1_genesis, ChainConfig::default()),
            l2_geneses.iter().map(|genesis| Chain::new(genesis, ChainConfig::default())).collect(),
        )),
    });
    build.await.map_err(|e| DevnetError::Task { task: "building the chains", reason: e.to_string() })?
}

/// Saves every chain to `path` (atomically), off the async workers.
pub(crate) async fn write_state_file(
    path: PathBuf,
    settings: SavedSettings,
    services: Vec<Arc<ChainService>>,
) -> Result<(), DevnetError> {
    let write = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let Some((l1, l2s)) = services.split_first() else { return Ok(()) };
        let l2s: Vec<&ChainService> = l2s.iter().map(Arc::as_ref).collect();
        let state = DevnetState::capture(settings, l1, &l2s);
        let blocks: u64 = std::iter::once(&state.l1).chain(&state.l2s).map(|c| c.blocks.len() as u64).sum();
        let bytes = write(&path, &state)?;
        info!(path = %path.display(), blocks, bytes, elapsed_ms = started.elapsed().as_millis() as u64,
            "devnet state saved");
        Ok::<(), DevnetError>(())
    });
    write.await.map_err(|e| DevnetError::Task { task: "state file", reason: e.to_string() })?
}

/// Read and write for the owner, read for everyone else.
#[cfg(unix)]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

/// Elsewhere a temporary file's permissions are already those of a new file.
#[cfg(not(unix))]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use superlink_chain::{Chain, ChainConfig};

    use crate::genesis::{l1_genesis, l2_genesis};

    fn state() -> DevnetState {
        let l1 =
            Chain::new(&l1_genesis(900, 1_000, &[901], &[], 1, &Default::default()), ChainConfig::default());
        let mut l2 = Chain::new(&l2_genesis(901, 1_000, &[], 1), ChainConfig::default());
        l2.mine(1_002).unwrap();
        DevnetState {
            settings: SavedSettings {
                genesis_timestamp: 1_000,
                l1_chain_id: 900,
                l2_chain_ids: vec![901],
                dependency_set: vec![901],
                l2_block_time: 2,
                shared_batcher: false,
                sequencing_window: 20,
            },
            l1: l1.dump(),
            l2s: vec![l2.dump()],
        }
    }

    #[test]
    fn a_written_state_reads_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("devnet.json");
        let state = state();
        let size = write(&path, &state).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), size);
        assert_eq!(read(&path).unwrap(), state);
        // Only the file itself is left in the directory: the temporary file was renamed.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_gz_file_is_compressed_and_reads_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let (plain, packed) = (dir.path().join("devnet.json"), dir.path().join("devnet.json.gz"));
        let state = state();
        let plain_size = write(&plain, &state).unwrap();
        let packed_size = write(&packed, &state).unwrap();
        assert!(packed_size < plain_size / 2, "{packed_size} of {plain_size} bytes");
        assert!(std::fs::read(&packed).unwrap().starts_with(&GZIP_MAGIC));
        assert_eq!(read(&packed).unwrap(), state);
        // Recognised by its content, not its name.
        let renamed = dir.path().join("renamed.json");
        std::fs::rename(&packed, &renamed).unwrap();
        assert_eq!(read(&renamed).unwrap(), state);
    }

    #[test]
    fn a_changed_or_truncated_file_is_refused() {
        let text = encode(&state()).unwrap();
        let path = Path::new("devnet.json");
        let truncated = &text[..text.len() / 2];
        assert!(matches!(decode(path, truncated), Err(StateFileError::NotAStateFile { .. })));
        // One hex digit inside the devnet changed: still JSON, but no longer what the checksum covers.
        let body_start = text.windows(9).position(|w| w == b"\"devnet\":").unwrap();
        let digit = body_start + text[body_start..].windows(3).position(|w| w == b"\"0x").unwrap() + 3;
        let mut altered = text.clone();
        altered[digit] = if altered[digit] == b'1' { b'2' } else { b'1' };
        let error = decode(path, &altered).unwrap_err();
        assert!(matches!(error, StateFileError::Checksum { .. }), "{error}");
        assert!(error.to_string().contains("corrupt"), "{error}");
        assert!(matches!(decode(path, b"{\"jsonrpc\":\"2.0\"}"), Err(StateFileError::NotAStateFile { .. })));
        let newer = String::from_utf8(text).unwrap().replace("\"version\":1", "\"version\":2");
        let error = decode(path, newer.as_bytes()).unwrap_err();
        assert!(error.to_string().contains("format version 2"), "{error}");
    }

    #[test]
    fn a_failed_write_leaves_what_was_there_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // The target cannot be replaced by a file: it is a directory that holds something.
        let target = dir.path().join("devnet.json");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("inside"), b"kept").unwrap();
        assert!(matches!(write(&target, &state()), Err(StateFileError::Io { .. })));
        assert_eq!(std::fs::read(target.join("inside")).unwrap(), b"kept");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file is left behind");
    }

    #[test]
    fn another_devnets_settings_are_named() {
        let saved = state().settings;
        let ours = SavedSettings { l2_chain_ids: vec![901, 902], ..saved.clone() };
        let what = saved.mismatch(&ours).unwrap();
        assert!(what.contains("--l2-count 1") && what.contains("--l2-count 2"), "{what}");
        let ours = SavedSettings { dependency_set: vec![], ..saved.clone() };
        assert!(saved.mismatch(&ours).unwrap().contains("dependency set"));
        let ours = SavedSettings { genesis_timestamp: 5, ..saved.clone() };
        assert_eq!(saved.mismatch(&ours), None, "the genesis time comes from the file");
    }
}
