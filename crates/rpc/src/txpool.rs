//! The `txpool_` method handlers (`txpool_status`, `txpool_content`, `txpool_inspect`) and the pure shaping
//! of a pool's transactions into geth's answers: per sender (checksummed address), per nonce (decimal
//! string), pending and queued apart.

use std::collections::BTreeMap;

use alloy_consensus::Transaction as _;
use alloy_primitives::{Address, TxKind, U64};
use jsonrpsee::core::{RpcResult, async_trait};
use serde::{Deserialize, Serialize};

use crate::{
    api::TxpoolApiServer,
    backend::{EthBackend, PoolTransactions},
    context::RpcContext,
    types::RpcTransaction,
};

/// `txpool_status`: how many transactions are pending and queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxpoolStatus {
    /// Executable transactions.
    pub pending: U64,
    /// Transactions waiting for an earlier nonce.
    pub queued: U64,
}

/// Transactions (or their one-line summaries) by sender, then by nonce in decimal.
pub type BySender<T> = BTreeMap<Address, BTreeMap<String, T>>;

/// `txpool_content`: every pooled transaction in full.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TxpoolContent {
    /// Executable transactions.
    pub pending: BySender<RpcTransaction>,
    /// Transactions waiting for an earlier nonce.
    pub queued: BySender<RpcTransaction>,
}

/// `txpool_inspect`: every pooled transaction as a one-line summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxpoolInspect {
    /// Executable transactions.
    pub pending: BySender<String>,
    /// Transactions waiting for an earlier nonce.
    pub queued: BySender<String>,
}

/// The counts of a pool's transactions.
pub fn status(pool: &PoolTransactions) -> TxpoolStatus {
    TxpoolStatus { pending: U64::from(pool.pending.len()), queued: U64::from(pool.queued.len()) }
}

fn by_sender<T>(txs: &[RpcTransaction], shape: impl Fn(&RpcTransaction) -> T) -> BySender<T> {
    let mut grouped = BySender::new();
    for tx in txs {
        grouped
            .entry(tx.inner.inner.signer())
            .or_insert_with(BTreeMap::new)
            .insert(tx.nonce().to_string(), shape(tx));
    }
    grouped
}

/// The pool's transactions grouped by sender and nonce.
pub fn content(pool: &PoolTransactions) -> TxpoolContent {
    TxpoolContent {
        pending: by_sender(&pool.pending, Clone::clone),
        queued: by_sender(&pool.queued, Clone::clone),
    }
}

/// geth's one-line summary of a transaction: `<to>: <value> wei + <gas> gas × <price> wei`, where the
/// price is the fee cap (the gas price of a legacy transaction) and `<to>` is `contract creation` for a
/// create.
pub fn summary(tx: &RpcTransaction) -> String {
    let to = match tx.kind() {
        TxKind::Call(to) => to.to_checksum(None),
        TxKind::Create => "contract creation".to_string(),
    };
    format!("{to}: {} wei + {} gas × {} wei", tx.value(), tx.gas_limit(), tx.max_fee_per_gas())
}

/// The pool's transactions as one-line summaries grouped by sender and nonce.
pub fn inspect(pool: &PoolTransactions) -> TxpoolInspect {
    TxpoolInspect { pending: by_sender(&pool.pending, summary), queued: by_sender(&pool.queued, summary) }
}

#[async_trait]
impl<B: EthBackend> TxpoolApiServer for RpcContext<B> {
    async fn status(&self) -> RpcResult<TxpoolStatus> {
        self.read(|backend| backend.pool_transactions()).await.map(|pool| status(&pool))
    }

    async fn content(&self) -> RpcResult<TxpoolContent> {
        self.read(|backend| backend.pool_transactions()).await.map(|pool| content(&pool))
    }

    async fn inspect(&self) -> RpcResult<TxpoolInspect> {
        self.read(|backend| backend.pool_transactions()).await.map(|pool| inspect(&pool))
    }
}
