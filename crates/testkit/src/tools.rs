//! Locating (and installing on first use) the pinned npm tools.

use std::{
    fs::{File, OpenOptions, TryLockError},
    io,
    path::{Path, PathBuf},
    process::Command,
    thread,
    time::{Duration, Instant},
};

/// Why a tool could not be provided.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// `npm ci` could not be started or failed.
    #[error("installing the pinned tools with `npm ci --prefix {dir}` failed: {reason}")]
    Install {
        /// The folder npm installs into.
        dir: String,
        /// What went wrong.
        reason: String,
    },
    /// The installation finished but the tool or package is absent.
    #[error("tool `{name}` is not at {path} after installation")]
    Missing {
        /// The requested tool.
        name: String,
        /// Where it was expected.
        path: String,
    },
    /// Another process held the install lock for too long.
    #[error("timed out waiting for another process to finish installing the tools (lock {0})")]
    LockTimeout(String),
    /// A tool was started but did not become ready.
    #[error("`{name}` did not become ready: {reason}")]
    NotReady {
        /// The tool.
        name: String,
        /// What happened on each attempt.
        reason: String,
    },
    /// A file-system operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        source: io::Error,
    },
}

/// The repository root (the folder holding the workspace `Cargo.toml` and `tools/`).
///
/// Found at run time from the directory cargo runs the test in (or the current directory), walking up to the
/// folder that holds `tools/package.json`, so a build cache shared between checkouts never points a test at
/// another checkout's tools.
pub fn repo_root() -> PathBuf {
    let start = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."));
    start
        .ancestors()
        .find(|dir| dir.join("tools").join("package.json").is_file())
        .map(Path::to_path_buf)
        // This crate lives at `crates/testkit` of the repository it was built from.
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .ancestors()
                .nth(2)
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        })
}

/// The path of a pinned tool binary (`cast`, `anvil`, `solcjs`), installing the pinned set with `npm ci` if
/// it is not there yet.
pub fn tool(name: &str) -> Result<PathBuf, ToolError> {
    provided(name, &[".bin", name])
}

/// The folder of a pinned npm package (such as `viem`) under `tools/node_modules`, installing the pinned set with
/// `npm ci` if it is not there yet. Scripts under `tools/` import it by name.
pub fn node_package(name: &str) -> Result<PathBuf, ToolError> {
    let manifest = provided(name, &[name, "package.json"])?;
    Ok(manifest.parent().map_or_else(PathBuf::new, Path::to_path_buf))
}

/// `tools/node_modules/<parts...>`, once it exists (after `npm ci` if needed).
fn provided(name: &str, parts: &[&str]) -> Result<PathBuf, ToolError> {
    let dir = repo_root().join("tools");
    let path = parts.iter().fold(dir.join("node_modules"), |path, part| path.join(part));
    if path.exists() {
        return Ok(path);
    }
    install(&dir, &path)?;
    if path.exists() {
        Ok(path)
    } else {
        Err(ToolError::Missing { name: name.to_string(), path: path.display().to_string() })
    }
}

/// Runs `npm ci` in `dir` unless `path` appears meanwhile. Parallel test processes take turns through an
/// advisory lock on `tools/.install.lock`: the operating system releases it when its holder exits, however it
/// exits, so a crashed installer never leaves a stale lock behind (a lock file left by one is simply reused).
fn install(dir: &Path, path: &Path) -> Result<(), ToolError> {
    let lock = take_lock(&dir.join(".install.lock"), Duration::from_secs(600))?;
    // Whoever held the lock before may have installed the tools.
    if path.exists() {
        return Ok(());
    }
    let result = Command::new("npm").args(["ci", "--no-audit", "--no-fund", "--prefix"]).arg(dir).output();
    drop(lock);
    let dir_text = dir.display().to_string();
    match result {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(ToolError::Install {
            dir: dir_text,
            reason: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        }),
        Err(e) => Err(ToolError::Install { dir: dir_text, reason: e.to_string() }),
    }
}

/// Takes the exclusive advisory lock of the file at `lock_path` (created if absent), waiting up to `patience`
/// for its holder. The lock is held until the returned file is dropped or the process ends.
fn take_lock(lock_path: &Path, patience: Duration) -> Result<File, ToolError> {
    let lock =
        OpenOptions::new().write(true).create(true).truncate(false).open(lock_path).map_err(|source| {
            ToolError::Io { context: format!("opening {}", lock_path.display()), source }
        })?;
    let deadline = Instant::now() + patience;
    loop {
        match lock.try_lock() {
            Ok(()) => return Ok(lock),
            Err(TryLockError::WouldBlock) => {
                if Instant::now() >= deadline {
                    return Err(ToolError::LockTimeout(lock_path.display().to_string()));
                }
                thread::sleep(Duration::from_millis(200));
            }
            Err(TryLockError::Error(source)) => {
                return Err(ToolError::Io { context: format!("locking {}", lock_path.display()), source });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_file_left_by_a_crashed_installer_is_taken_at_once() -> Result<(), Box<dyn std::error::Error>> {
        let dir = std::env::temp_dir().join(format!("superlink-testkit-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let lock_path = dir.join(".install.lock");
        // What an installer that died while holding the lock leaves: the file, with nobody holding it.
        std::fs::write(&lock_path, b"")?;
        let started = Instant::now();
        let held = take_lock(&lock_path, Duration::from_secs(5))?;
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "the stale lock was taken without waiting out its 5 s timeout"
        );

        // While it is held, another taker waits and then gives up with the lock's path.
        match take_lock(&lock_path, Duration::from_millis(300)) {
            Err(ToolError::LockTimeout(path)) => assert!(path.ends_with(".install.lock")),
            other => panic!("a held lock must time out, got {other:?}"),
        }
        // Released (as when its holder exits), it can be taken again.
        drop(held);
        drop(take_lock(&lock_path, Duration::from_secs(5))?);
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }
}
