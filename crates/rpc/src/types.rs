//! The wire types the server speaks: OP-flavoured transactions, receipts and blocks.
//!
//! Transactions carry the deposit fields (`sourceHash`, `mint`, `isSystemTx`, `depositNonce`), receipts carry
//! the L1 fee fields (`l1Fee`, `l1GasUsed`, `l1GasPrice`, ...), so cast, viem and ethers read them as they read
//! op-geth's.

use std::sync::Arc;

use alloy_primitives::B256;
use alloy_rpc_types_eth::{Header, Log};

/// A transaction as returned by `eth_getTransactionByHash` and in full blocks.
pub type RpcTransaction = op_alloy_rpc_types::Transaction;

/// A receipt as returned by `eth_getTransactionReceipt` and `eth_getBlockReceipts`.
pub type RpcReceipt = op_alloy_rpc_types::OpTransactionReceipt;

/// A block as returned by `eth_getBlockByNumber`/`eth_getBlockByHash` (hashes or full transactions).
pub type RpcBlock = alloy_rpc_types_eth::Block<RpcTransaction>;

/// A block header as sent to `newHeads` subscribers.
pub type RpcHeader = Header;

/// What changed on the chain, in the server's wire types: the backend publishes
/// [`superlink_node::ChainEvent`]s, and the server shapes each into this for its filters and subscriptions (it
/// never polls).
#[derive(Debug, Clone)]
pub enum RpcEvent {
    /// A block became the new head of the canonical chain.
    NewBlock(Arc<NewBlock>),
    /// A transaction entered the pool.
    PendingTransaction(B256),
    /// Blocks left the canonical chain (rewind or reorg); these are their logs, to be re-sent with
    /// `removed: true`.
    LogsRemoved(Arc<Vec<Log>>),
}

/// A newly canonical block: its header and every log of its receipts, in order.
#[derive(Debug, Clone)]
pub struct NewBlock {
    /// The block header (with its hash).
    pub header: RpcHeader,
    /// The block's logs, with block and transaction positions filled in.
    pub logs: Vec<Log>,
}
