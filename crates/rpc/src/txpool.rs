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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use alloy_consensus::{Signed, TxEip1559, TxLegacy};
    use alloy_primitives::{Signature, U256};
    use op_alloy_consensus::OpTxEnvelope;

    use super::*;

    fn pooled(sender: Address, envelope: OpTxEnvelope) -> RpcTransaction {
        crate::chain_convert::unmined_transaction(envelope, sender)
    }

    fn create(sender: Address, nonce: u64) -> RpcTransaction {
        let tx = TxEip1559 {
            nonce,
            gas_limit: 90_000,
            max_fee_per_gas: 7,
            max_priority_fee_per_gas: 1,
            to: TxKind::Create,
            value: U256::from(5u64),
            ..TxEip1559::default()
        };
        pooled(sender, OpTxEnvelope::Eip1559(Signed::new_unhashed(tx, Signature::test_signature())))
    }

    fn legacy_call(sender: Address, nonce: u64, to: Address) -> RpcTransaction {
        let tx =
            TxLegacy { nonce, gas_price: 3, gas_limit: 21_000, to: TxKind::Call(to), ..TxLegacy::default() };
        pooled(sender, OpTxEnvelope::Legacy(Signed::new_unhashed(tx, Signature::test_signature())))
    }

    #[test]
    fn summaries_name_the_recipient_or_a_creation_and_the_fee_cap() {
        let sender = Address::repeat_byte(1);
        assert_eq!(summary(&create(sender, 0)), "contract creation: 5 wei + 90000 gas × 7 wei");
        let to = Address::repeat_byte(0xab);
        assert_eq!(
            summary(&legacy_call(sender, 0, to)),
            format!("{}: 0 wei + 21000 gas × 3 wei", to.to_checksum(None))
        );
    }

    #[test]
    fn transactions_are_grouped_by_sender_and_decimal_nonce() {
        let (a, b) = (Address::repeat_byte(1), Address::repeat_byte(2));
        let pool = PoolTransactions {
            pending: vec![create(a, 9), create(a, 10), create(b, 0)],
            queued: vec![legacy_call(b, 4, a)],
        };
        assert_eq!(status(&pool), TxpoolStatus { pending: U64::from(3), queued: U64::from(1) });
        let inspect = inspect(&pool);
        let nonces: Vec<&str> = inspect.pending[&a].keys().map(String::as_str).collect();
        assert_eq!(nonces, ["10", "9"], "keys are decimal strings, ordered as strings");
        assert_eq!(inspect.queued[&b]["4"], summary(&pool.queued[0]));
        let content = content(&pool);
        assert_eq!(content.pending[&b]["0"], pool.pending[2]);
        let json = serde_json::to_value(&content).unwrap();
        assert!(json["pending"].get(a.to_checksum(None)).is_some(), "senders are checksummed: {json}");
    }
}
