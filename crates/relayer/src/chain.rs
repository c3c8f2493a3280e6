//! The narrow view of a chain the relayer needs, and the plain data it exchanges.
//!
//! [`ChainClient`] is implemented over JSON-RPC by [`crate::RpcChain`]; an in-process chain can implement it
//! directly. Every method is one question or one command; the relaying logic is written against this trait.

use std::future::Future;

use alloy_eips::eip2930::AccessList;
use alloy_primitives::{Address, B256, Bytes, U256};

use crate::error::ChainError;

/// A block header, as far as relaying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockInfo {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: B256,
    /// Block timestamp (seconds).
    pub timestamp: u64,
    /// EIP-1559 base fee, when the chain has one.
    pub base_fee_per_gas: Option<u128>,
}

/// A log of a mined block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogInfo {
    /// The emitter.
    pub address: Address,
    /// Its topics.
    pub topics: Vec<B256>,
    /// Its data.
    pub data: Bytes,
    /// The block that holds it.
    pub block_number: u64,
    /// That block's hash.
    pub block_hash: B256,
    /// The index of the log among all logs of its block.
    pub log_index: u32,
    /// The transaction that emitted it.
    pub transaction_hash: B256,
    /// The block's timestamp, when the node reports it with the log.
    pub block_timestamp: Option<u64>,
}

/// A transaction receipt, as far as relaying is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptInfo {
    /// The transaction.
    pub transaction_hash: B256,
    /// The block that holds it.
    pub block_number: u64,
    /// That block's hash.
    pub block_hash: B256,
    /// Whether it succeeded.
    pub success: bool,
    /// Gas it used.
    pub gas_used: u64,
    /// Its logs.
    pub logs: Vec<LogInfo>,
}

/// Which logs to fetch: an inclusive block range, an emitter, and topic 0 (plus optionally topic 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFilter {
    /// First block, inclusive.
    pub from_block: u64,
    /// Last block, inclusive.
    pub to_block: u64,
    /// The emitter.
    pub address: Address,
    /// The event signature.
    pub topic0: B256,
    /// The fourth topic, when it must match too.
    pub topic3: Option<B256>,
}

/// A call to simulate, estimate or send.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CallRequest {
    /// The sender, when it matters.
    pub from: Option<Address>,
    /// The account called.
    pub to: Address,
    /// Wei sent along.
    pub value: U256,
    /// Calldata.
    pub input: Bytes,
    /// The EIP-2930 access list (executing messages are declared here).
    pub access_list: AccessList,
}

/// Fees to offer for an EIP-1559 transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeeEstimate {
    /// `maxFeePerGas`.
    pub max_fee_per_gas: u128,
    /// `maxPriorityFeePerGas`.
    pub max_priority_fee_per_gas: u128,
}

/// A chain the relayer reads from and sends transactions to.
pub trait ChainClient: Send + Sync {
    /// A name for logs and errors (the URL of a remote node).
    fn endpoint(&self) -> &str;

    /// The chain ID.
    fn chain_id(&self) -> impl Future<Output = Result<U256, ChainError>> + Send;

    /// The number of the latest block.
    fn latest_block_number(&self) -> impl Future<Output = Result<u64, ChainError>> + Send;

    /// The header of block `number`, if the chain has it.
    fn block(&self, number: u64) -> impl Future<Output = Result<Option<BlockInfo>, ChainError>> + Send;

    /// The receipt of transaction `tx`, if it is mined.
    fn receipt(&self, tx: B256) -> impl Future<Output = Result<Option<ReceiptInfo>, ChainError>> + Send;

    /// The logs matching `filter`, in chain order.
    fn logs(&self, filter: &LogFilter) -> impl Future<Output = Result<Vec<LogInfo>, ChainError>> + Send;

    /// Executes `call` against the latest state and returns its output; [`ChainError::Reverted`] if it reverts.
    fn call(&self, call: &CallRequest) -> impl Future<Output = Result<Bytes, ChainError>> + Send;

    /// The gas `call` needs; [`ChainError::Reverted`] if it reverts.
    fn estimate_gas(&self, call: &CallRequest) -> impl Future<Output = Result<u64, ChainError>> + Send;

    /// The next nonce of `account`, pending transactions included.
    fn pending_nonce(&self, account: Address) -> impl Future<Output = Result<u64, ChainError>> + Send;

    /// Fees to offer now.
    fn fees(&self) -> impl Future<Output = Result<FeeEstimate, ChainError>> + Send;

    /// Submits a signed, EIP-2718 encoded transaction; returns its hash.
    fn send_raw_transaction(&self, raw: Bytes) -> impl Future<Output = Result<B256, ChainError>> + Send;
}

/// A shared chain is a chain: lets one client serve the autorelayer and other users at once.
impl<C: ChainClient> ChainClient for std::sync::Arc<C> {
    fn endpoint(&self) -> &str {
        (**self).endpoint()
    }

    fn chain_id(&self) -> impl Future<Output = Result<U256, ChainError>> + Send {
        (**self).chain_id()
    }

    fn latest_block_number(&self) -> impl Future<Output = Result<u64, ChainError>> + Send {
        (**self).latest_block_number()
    }

    fn block(&self, number: u64) -> impl Future<Output = Result<Option<BlockInfo>, ChainError>> + Send {
        (**self).block(number)
    }

    fn receipt(&self, tx: B256) -> impl Future<Output = Result<Option<ReceiptInfo>, ChainError>> + Send {
        (**self).receipt(tx)
    }

    fn logs(&self, filter: &LogFilter) -> impl Future<Output = Result<Vec<LogInfo>, ChainError>> + Send {
        (**self).logs(filter)
    }

    fn call(&self, call: &CallRequest) -> impl Future<Output = Result<Bytes, ChainError>> + Send {
        (**self).call(call)
    }

    fn estimate_gas(&self, call: &CallRequest) -> impl Future<Output = Result<u64, ChainError>> + Send {
        (**self).estimate_gas(call)
    }

    fn pending_nonce(&self, account: Address) -> impl Future<Output = Result<u64, ChainError>> + Send {
        (**self).pending_nonce(account)
    }

    fn fees(&self) -> impl Future<Output = Result<FeeEstimate, ChainError>> + Send {
        (**self).fees()
    }

    fn send_raw_transaction(&self, raw: Bytes) -> impl Future<Output = Result<B256, ChainError>> + Send {
        (**self).send_raw_transaction(raw)
    }
}
