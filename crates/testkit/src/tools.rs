//! Locating (and installing on first use) the pinned npm tools.

use std::{
    fs::{self, OpenOptions},
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
    install(&dir)?;
    if path.exists() {
        Ok(path)
    } else {
        Err(ToolError::Missing { name: name.to_string(), path: path.display().to_string() })
    }
}

fn install(dir: &Path) -> Result<(), ToolError> {
    let lock = dir.join(".install.lock");
    let deadline = Instant::now() + Duration::from_secs(600);
    // `create_new` is atomic: exactly one process wins the lock; the others wait for it to disappear.
    loop {
        match OpenOptions::new().write(true).create_new(true).open(&lock) {
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                if Instant::now() > deadline {
                    return Err(ToolError::LockTimeout(lock.display().to_string()));
                }
                thread::sleep(Duration::from_millis(200));
                if !lock.exists() {
                    return Ok(());
                }
            }
            Err(source) => {
                return Err(ToolError::Io { context: format!("creating {}", lock.display()), source });
            }
        }
    }
    let result = Command::new("npm").args(["ci", "--no-audit", "--no-fund", "--prefix"]).arg(dir).output();
    let _ = fs::remove_file(&lock);
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
