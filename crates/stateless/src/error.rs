//! Typed errors of stateless re-execution, each naming the chain and block it happened on.

use alloy_primitives::{Address, B256};
use revm::database_interface::DBErrorMarker;
use superlink_chain::execute::ExecutionError;
use superlink_client::ClientError;

use crate::trie::TrieError;

/// What the witness could not answer while the block executed or its roots were computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WitnessDbError {
    /// A trie node the execution reached is not in the witness, or is not a trie node.
    #[error(transparent)]
    Trie(#[from] TrieError),
    /// The execution needs code the witness does not carry.
    #[error("witness is missing the code with hash {0}")]
    MissingCode(B256),
    /// `BLOCKHASH` asked for a block whose header the witness does not carry.
    #[error("witness is missing the header of block {0}")]
    MissingHeader(u64),
    /// An account leaf of the witness does not decode.
    #[error("account {address} in the witness does not decode: {reason}")]
    BadAccount {
        /// The account.
        address: Address,
        /// What the decoder reported.
        reason: String,
    },
    /// A storage leaf of the witness does not decode.
    #[error("storage slot of {address} in the witness does not decode: {reason}")]
    BadSlot {
        /// The account.
        address: Address,
        /// What the decoder reported.
        reason: String,
    },
}

impl DBErrorMarker for WitnessDbError {}

/// A witness lacking what the block needs fails the whole re-execution: a replayed block leaves nothing out.
impl superlink_chain::execute::DatabaseFailure for WitnessDbError {}

/// Why a block could not be re-executed or checked.
#[derive(Debug, thiserror::Error)]
pub enum StatelessErrorKind {
    /// The witness lacks what the execution needs, or holds something malformed.
    #[error(transparent)]
    Witness(#[from] WitnessDbError),
    /// The block does not execute on its parent's state (a transaction is invalid, a deposit fails).
    #[error("execution: {0}")]
    Execution(ExecutionError<WitnessDbError>),
    /// The parent header given does not hash to the block's `parentHash`.
    #[error("the parent header hashes to {actual}, the block's parentHash is {expected}")]
    ParentMismatch {
        /// The block's `parentHash`.
        expected: B256,
        /// The hash of the parent header given.
        actual: B256,
    },
    /// A witness header does not decode.
    #[error("witness header does not decode: {0}")]
    BadHeader(String),
    /// A transaction's sender cannot be recovered and the node names none.
    #[error("transaction {hash}: {reason}")]
    BadTransaction {
        /// The transaction's hash.
        hash: B256,
        /// Why.
        reason: String,
    },
    /// The genesis block has no parent to re-execute from.
    #[error("the genesis block is not executed")]
    Genesis,
    /// The node does not have the block (or its parent).
    #[error("the node has no block {0}")]
    BlockNotFound(u64),
    /// A JSON-RPC request failed.
    #[error(transparent)]
    Rpc(#[from] ClientError),
    /// The CPU-bound work stopped before finishing (its thread panicked or the runtime shut down).
    #[error("re-execution did not finish: {0}")]
    Interrupted(String),
}

/// A failure of stateless re-execution, with the chain and block it concerns.
#[derive(Debug, thiserror::Error)]
#[error("chain {chain_id}, block {block}: {kind}")]
pub struct StatelessError {
    /// The chain ID (0 when it was not known yet).
    pub chain_id: u64,
    /// The block number.
    pub block: u64,
    /// What went wrong.
    #[source]
    pub kind: StatelessErrorKind,
}

impl StatelessError {
    /// `kind` on block `block` of chain `chain_id`.
    pub fn new(chain_id: u64, block: u64, kind: impl Into<StatelessErrorKind>) -> Self {
        Self { chain_id, block, kind: kind.into() }
    }

    /// Whether the witness lacked a node, code or header the execution needed.
    pub fn is_missing_witness_data(&self) -> bool {
        matches!(
            &self.kind,
            StatelessErrorKind::Witness(
                WitnessDbError::Trie(TrieError::MissingNode { .. })
                    | WitnessDbError::MissingCode(_)
                    | WitnessDbError::MissingHeader(_)
            ) | StatelessErrorKind::Execution(ExecutionError::Database(
                WitnessDbError::Trie(TrieError::MissingNode { .. })
                    | WitnessDbError::MissingCode(_)
                    | WitnessDbError::MissingHeader(_)
            ))
        )
    }
}
