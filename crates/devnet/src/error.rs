//! Errors of starting and stopping a devnet.

use std::net::SocketAddr;

/// Why a devnet could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum DevnetError {
    /// The configuration is not usable.
    #[error("invalid devnet configuration: {0}")]
    Config(String),
    /// The development accounts could not be derived.
    #[error(transparent)]
    Accounts(#[from] crate::accounts::AccountError),
    /// A chain's JSON-RPC server could not start.
    #[error("serving chain {chain_id} on {addr}: {reason}")]
    Serve {
        /// The chain.
        chain_id: u64,
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        reason: String,
    },
    /// The verifier failed (opening its index, serving, or following a chain).
    #[error("verifier: {0}")]
    Verifier(#[from] superlink_verifier::VerifierError),
    /// The verifier's index directory could not be created.
    #[error("creating the verifier's index directory: {0}")]
    Datadir(#[source] std::io::Error),
    /// A chain to fork could not be used: its node is unreachable, serves another chain, or lacks the block.
    #[error("cannot fork {url}: {reason}")]
    Fork {
        /// The remote node's URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The autorelayer could not start.
    #[error("autorelayer: {0}")]
    Relayer(String),
    /// The state file could not be loaded or saved.
    #[error(transparent)]
    State(#[from] crate::state_file::StateFileError),
    /// A background task panicked or was cancelled.
    #[error("the {task} task failed: {reason}")]
    Task {
        /// Which task.
        task: &'static str,
        /// Why.
        reason: String,
    },
}
