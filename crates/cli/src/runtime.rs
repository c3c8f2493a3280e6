//! What the long-running commands share: logging, the async runtime, and the shutdown signal.

use std::{path::Path, sync::Mutex};

use tracing_subscriber::{EnvFilter, fmt, layer::SubscriberExt, util::SubscriberInitExt};

use crate::error::CliError;

/// Logs to standard error; `RUST_LOG` overrides the default `info` level.
pub fn init_logging() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr)
        .try_init();
}

/// The log file's name inside a logs directory.
pub const LOG_FILE: &str = "superlink-devnet.log";

/// Logs to standard error and, without colours, to [`LOG_FILE`] in `dir` (created if missing, appended to if
/// there); `RUST_LOG` overrides the default `info` level. An unusable directory is bad input, reported before
/// anything starts.
pub fn init_logging_to(dir: &Path) -> Result<(), CliError> {
    let unusable = |e: std::io::Error| CliError::BadInput(format!("logs directory {}: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(unusable)?;
    let file =
        std::fs::OpenOptions::new().create(true).append(true).open(dir.join(LOG_FILE)).map_err(unusable)?;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_ansi(ansi).with_writer(std::io::stderr))
        .with(fmt::layer().with_ansi(false).with_writer(Mutex::new(file)))
        .try_init();
    Ok(())
}

/// A multi-threaded tokio runtime.
pub fn build() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(CliError::Output)
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received"),
        () = terminate => tracing::info!("SIGTERM received"),
    }
}
