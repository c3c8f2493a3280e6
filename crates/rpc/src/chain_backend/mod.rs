//! [`EthBackend`] over a `superlink-node` [`ChainService`]: the JSON-RPC answers of a running chain, and the
//! dev keys that `eth_sendTransaction` and the signing methods use. Queries take the service's read lock;
//! submissions, mining and dev edits go through the service, which publishes what they change.

mod dev;
mod execution;
mod fees;
mod provider;
mod submission;

use std::sync::{Arc, RwLockReadGuard};

use alloy_eips::BlockId;
use alloy_signer_local::PrivateKeySigner;
use superlink_chain::{Chain, ChainError, StoredBlock};
use superlink_node::{ChainService, NodeError};
use superlink_txpool::InsertError;

use crate::{
    backend::BackendResult,
    error::{BackendError, TxRejection},
    types::RpcBlock,
};

pub use fees::block_rewards;

/// The priority fee suggested when the pool asks for none (0.001 gwei, as OP Stack chains charge little).
pub const DEFAULT_PRIORITY_FEE: u128 = 1_000_000;

/// A chain service served over JSON-RPC, with the dev keys `eth_sendTransaction` and the signing methods use.
#[derive(Debug, Clone)]
pub struct ChainBackend {
    service: Arc<ChainService>,
    signers: Vec<PrivateKeySigner>,
    tampered_state_root: Option<u64>,
}

/// The RPC error for a chain failure; `block` is the block the request named, if any.
pub fn chain_error(error: ChainError, block: Option<BlockId>) -> BackendError {
    match error {
        ChainError::BlockNotFound(_) => match block {
            Some(block) => BackendError::BlockNotFound { block },
            None => BackendError::Server("header not found".to_string()),
        },
        ChainError::Pool(insert) => BackendError::Rejected(tx_rejection(insert)),
        ChainError::NotImpersonated(address) => BackendError::UnknownAccount(address),
        ChainError::Tx(tx) => BackendError::Rejected(TxRejection::Malformed(tx.to_string())),
        ChainError::GasEstimateFailed { revert: Some(data), .. } => BackendError::Reverted { data },
        ChainError::GasEstimateFailed { cap, revert: None } => {
            BackendError::GasRequiredExceedsAllowance { cap }
        }
        ChainError::TimestampNotIncreasing { .. }
        | ChainError::TimestampTooLarge { .. }
        | ChainError::BeyondHead { .. } => BackendError::InvalidParams(error.to_string()),
        other => BackendError::Server(other.to_string()),
    }
}

/// The RPC error for a refusal of the chain service.
pub fn node_error(error: NodeError) -> BackendError {
    match error {
        NodeError::Chain(chain) => chain_error(chain, None),
        NodeError::TimestampNotAfterHead { .. }
        | NodeError::TimeOutOfRange { .. }
        | NodeError::TooManyBlocks { .. }
        | NodeError::TooManySnapshots { .. } => BackendError::InvalidParams(error.to_string()),
        NodeError::ShuttingDown => BackendError::Server(error.to_string()),
    }
}

/// The pool's refusal in geth's words.
pub fn tx_rejection(error: InsertError) -> TxRejection {
    match error {
        InsertError::AlreadyKnown { .. } => TxRejection::AlreadyKnown,
        InsertError::WrongChainId { expected, got } => {
            TxRejection::WrongChainId { have: got, want: expected }
        }
        InsertError::NonceTooLow { tx_nonce, state_nonce, .. } => {
            TxRejection::NonceTooLow { next: state_nonce, tx: tx_nonce }
        }
        InsertError::InsufficientFunds { address, balance, cost, .. } => {
            TxRejection::InsufficientFunds { address, have: balance, want: cost }
        }
        InsertError::IntrinsicGasTooLow { gas_limit, intrinsic } => {
            TxRejection::IntrinsicGasTooLow { gas: gas_limit, minimum: intrinsic }
        }
        InsertError::GasLimitExceeded { .. } => TxRejection::GasLimitExceeded,
        InsertError::ReplacementUnderpriced { .. } => TxRejection::ReplacementUnderpriced,
        InsertError::Rejected(rejection) => TxRejection::InvalidExecutingMessage(rejection.to_string()),
        InsertError::Decode(decode) => TxRejection::Malformed(decode.to_string()),
        other => TxRejection::Other(other.to_string()),
    }
}

impl ChainBackend {
    /// Serves a new service running `chain`, signing `eth_sendTransaction` for `dev_signers`, mining a block
    /// for every accepted transaction.
    pub fn new(chain: Chain, dev_signers: Vec<PrivateKeySigner>) -> Self {
        Self::over(Arc::new(ChainService::new(chain)), dev_signers)
    }

    /// Serves `service`, signing `eth_sendTransaction` for `dev_signers`.
    pub fn over(service: Arc<ChainService>, dev_signers: Vec<PrivateKeySigner>) -> Self {
        ChainBackend { service, signers: dev_signers, tampered_state_root: None }
    }

    /// Turns the service's mining on submission on or off.
    pub fn with_automine(self, automine: bool) -> Self {
        self.service.set_automine(automine);
        self
    }

    /// A fault for testing challengers: block `number` is served with a `stateRoot` that is not the one its
    /// execution produced (every byte inverted), while its hash, its state and every proof stay the real
    /// ones. A stateless re-execution of the block then disagrees with the served root.
    pub fn with_tampered_state_root(mut self, number: u64) -> Self {
        self.tampered_state_root = Some(number);
        self
    }

    /// A block as served: the tampered `stateRoot` put in when the fault is on for it.
    fn served_block(&self, mut block: RpcBlock) -> RpcBlock {
        if self.tampered_state_root == Some(block.header.number) {
            block.header.inner.state_root = !block.header.inner.state_root;
        }
        block
    }

    /// The chain service behind this backend.
    pub fn service(&self) -> &Arc<ChainService> {
        &self.service
    }

    /// The chain, locked for reading.
    fn read(&self) -> RwLockReadGuard<'_, Chain> {
        self.service.read()
    }

    /// Mines one block now (pool transactions by fee) and publishes it.
    pub fn mine_block(&self) -> BackendResult<Arc<StoredBlock>> {
        self.service.mine_block().map_err(|e| chain_error(e, None))
    }

    fn suggested_tip(chain: &Chain) -> u128 {
        chain.pool().config().min_priority_fee.max(DEFAULT_PRIORITY_FEE)
    }
}
