//! Conversions from what `superlink-chain` stores (sealed headers, transactions with their facts, receipt
//! envelopes) into the RPC shapes clients read, and from RPC log filters into the chain's log queries.
//! Pure functions.

use alloy_consensus::{Header, ReceiptWithBloom, Sealed};
use alloy_eips::Encodable2718;
use alloy_primitives::{Address, B256, Bytes, Signature, U256};
use alloy_rpc_types_eth::{BlockTransactions, FillTransaction, Filter, Log, TransactionReceipt};
use op_alloy_consensus::{OpDepositReceipt, OpReceipt, OpReceiptEnvelope, OpTxEnvelope, OpTypedTransaction};
use op_alloy_rpc_types::L1BlockInfo;
use superlink_chain::{BlockTransaction, L1FeeInfo, LogFilter, StoredBlock};

use std::sync::Arc;

use superlink_node::ChainEvent;

use crate::types::{NewBlock, RpcBlock, RpcEvent, RpcHeader, RpcReceipt, RpcTransaction};

/// The RPC header of a sealed header.
pub fn rpc_header(header: &Sealed<Header>) -> RpcHeader {
    RpcHeader {
        hash: header.hash(),
        inner: header.inner().clone(),
        total_difficulty: Some(U256::ZERO),
        size: None,
    }
}

/// A transaction not in any block (pooled, or taken off the chain) as the RPC shows it: no block fields.
pub fn unmined_transaction(envelope: OpTxEnvelope, sender: Address) -> RpcTransaction {
    RpcTransaction {
        inner: alloy_rpc_types_eth::Transaction {
            inner: alloy_consensus::transaction::Recovered::new_unchecked(envelope, sender),
            block_hash: None,
            block_number: None,
            transaction_index: None,
            effective_gas_price: None,
            block_timestamp: None,
        },
        deposit_nonce: None,
        deposit_receipt_version: None,
    }
}

/// `eth_fillTransaction`'s answer for the unsigned `tx` from `sender`, as geth shapes it: the transaction with
/// an all-zero signature (`r = s = 0`, even `yParity`; a legacy transaction's `v` still carries its EIP-155
/// chain ID), and `raw`, that transaction's EIP-2718 encoding. The client signs the fields, not `raw`.
pub fn filled_transaction(tx: OpTypedTransaction, sender: Address) -> FillTransaction<RpcTransaction> {
    let envelope = OpTxEnvelope::from((tx, Signature::new(U256::ZERO, U256::ZERO, false)));
    let raw = Bytes::from(envelope.encoded_2718());
    FillTransaction { raw, tx: unmined_transaction(envelope, sender) }
}

/// Transaction `index` of `block` as RPC returns it; `None` past the end.
pub fn rpc_transaction(block: &StoredBlock, index: usize) -> Option<RpcTransaction> {
    let tx = block.transactions.get(index)?;
    let deposit_nonce = match block.receipts.get(index) {
        Some(OpReceiptEnvelope::Deposit(receipt)) => receipt.receipt.deposit_nonce,
        _ => None,
    };
    let deposit_receipt_version = match block.receipts.get(index) {
        Some(OpReceiptEnvelope::Deposit(receipt)) => receipt.receipt.deposit_receipt_version,
        _ => None,
    };
    Some(RpcTransaction {
        inner: alloy_rpc_types_eth::Transaction {
            inner: alloy_consensus::transaction::Recovered::new_unchecked(tx.envelope.clone(), tx.sender),
            block_hash: Some(block.hash()),
            block_number: Some(block.number()),
            transaction_index: Some(tx.index),
            effective_gas_price: Some(tx.effective_gas_price),
            block_timestamp: Some(block.timestamp()),
        },
        deposit_nonce,
        deposit_receipt_version,
    })
}

/// The block with transaction hashes or full transactions.
pub fn rpc_block(block: &StoredBlock, full: bool) -> RpcBlock {
    let transactions = if full {
        BlockTransactions::Full(
            (0..block.transactions.len()).filter_map(|i| rpc_transaction(block, i)).collect(),
        )
    } else {
        BlockTransactions::Hashes(block.transactions.iter().map(|tx| tx.hash).collect())
    };
    let mut header = rpc_header(&block.header);
    header.size = Some(U256::from(block.rlp_length()));
    RpcBlock::new(header, transactions).with_withdrawals(Some(Default::default()))
}

/// Every log of the block, with its positions filled in.
pub fn rpc_logs(block: &StoredBlock) -> Vec<Log> {
    block.logs().map(|(log_index, tx_index, log)| rpc_log(block, tx_index, log_index, log.clone())).collect()
}

fn rpc_log(block: &StoredBlock, tx_index: usize, log_index: u64, log: alloy_primitives::Log) -> Log {
    Log {
        inner: log,
        block_hash: Some(block.hash()),
        block_number: Some(block.number()),
        block_timestamp: Some(block.timestamp()),
        transaction_hash: block.transactions.get(tx_index).map(|tx| tx.hash),
        transaction_index: Some(tx_index as u64),
        log_index: Some(log_index),
        removed: false,
    }
}

fn saturating_u128(value: U256) -> u128 {
    u128::try_from(value).unwrap_or(u128::MAX)
}

/// The OP receipt fields of a transaction's L1 fee figures.
pub fn l1_block_info(fee: Option<&L1FeeInfo>) -> L1BlockInfo {
    let Some(fee) = fee else { return L1BlockInfo::default() };
    L1BlockInfo {
        l1_gas_price: Some(saturating_u128(fee.l1_base_fee)),
        l1_gas_used: Some(saturating_u128(fee.l1_gas_used)),
        l1_fee: Some(saturating_u128(fee.l1_fee)),
        l1_base_fee_scalar: Some(saturating_u128(fee.l1_base_fee_scalar)),
        l1_blob_base_fee: fee.l1_blob_base_fee.map(saturating_u128),
        l1_blob_base_fee_scalar: fee.l1_blob_base_fee_scalar.map(saturating_u128),
        operator_fee_scalar: fee.operator_fee_scalar.map(saturating_u128),
        operator_fee_constant: fee.operator_fee_constant.map(saturating_u128),
        ..L1BlockInfo::default()
    }
}

/// Receipt `index` of `block` as RPC returns it; `None` past the end.
pub fn rpc_receipt(block: &StoredBlock, index: usize) -> Option<RpcReceipt> {
    let tx: &BlockTransaction = block.transactions.get(index)?;
    let envelope = block.receipts.get(index)?;
    let first_log = tx.first_log_index;
    let to_rpc_logs = |logs: &[alloy_primitives::Log]| -> Vec<Log> {
        logs.iter()
            .enumerate()
            .map(|(i, log)| rpc_log(block, index, first_log + i as u64, log.clone()))
            .collect()
    };
    let (receipt, logs_bloom) = match envelope {
        OpReceiptEnvelope::Deposit(with_bloom) => {
            let deposit = &with_bloom.receipt;
            let inner = alloy_consensus::Receipt {
                status: deposit.inner.status,
                cumulative_gas_used: deposit.inner.cumulative_gas_used,
                logs: to_rpc_logs(&deposit.inner.logs),
            };
            let receipt = OpReceipt::Deposit(OpDepositReceipt {
                inner,
                deposit_nonce: deposit.deposit_nonce,
                deposit_receipt_version: deposit.deposit_receipt_version,
            });
            (receipt, with_bloom.logs_bloom)
        }
        other => {
            let plain = other.as_receipt()?;
            let inner = alloy_consensus::Receipt {
                status: plain.status,
                cumulative_gas_used: plain.cumulative_gas_used,
                logs: to_rpc_logs(&plain.logs),
            };
            let receipt = match other {
                OpReceiptEnvelope::Legacy(_) => OpReceipt::Legacy(inner),
                OpReceiptEnvelope::Eip2930(_) => OpReceipt::Eip2930(inner),
                OpReceiptEnvelope::Eip7702(_) => OpReceipt::Eip7702(inner),
                _ => OpReceipt::Eip1559(inner),
            };
            (receipt, other.logs_bloom().to_owned())
        }
    };
    Some(RpcReceipt {
        inner: TransactionReceipt {
            inner: ReceiptWithBloom { receipt, logs_bloom },
            transaction_hash: tx.hash,
            transaction_index: Some(tx.index),
            block_hash: Some(block.hash()),
            block_number: Some(block.number()),
            gas_used: tx.gas_used,
            effective_gas_price: tx.effective_gas_price,
            blob_gas_used: None,
            blob_gas_price: None,
            from: tx.sender,
            to: alloy_consensus::Transaction::to(&tx.envelope),
            contract_address: tx.contract_address,
        },
        l1_block_info: l1_block_info(tx.l1_fee.as_ref()),
        op_gas_refund: None,
    })
}

/// A chain event in the server's wire types: a new block's header and logs, or the logs of the blocks that
/// left the chain.
pub fn rpc_event(event: &ChainEvent) -> RpcEvent {
    match event {
        ChainEvent::NewBlock(block) => RpcEvent::NewBlock(Arc::new(NewBlock {
            header: rpc_header(&block.header),
            logs: rpc_logs(block),
        })),
        ChainEvent::PendingTransaction(hash) => RpcEvent::PendingTransaction(*hash),
        ChainEvent::BlocksRemoved(blocks) => {
            RpcEvent::LogsRemoved(Arc::new(blocks.iter().flat_map(|block| rpc_logs(block)).collect()))
        }
    }
}

/// The chain's log query for an RPC filter whose range the server already resolved to `from..=to`.
pub fn log_filter(filter: &Filter, from: u64, to: u64) -> LogFilter {
    let mut query = LogFilter::range(from, to);
    query.addresses = filter.address.iter().copied().collect();
    query.topics = filter.topics.iter().map(|set| set.iter().copied().collect::<Vec<B256>>()).collect();
    query
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{Address, LogData};

    use super::*;

    #[test]
    fn filter_translation_keeps_addresses_and_topic_positions() {
        let address = Address::with_last_byte(1);
        let topic = B256::with_last_byte(2);
        let filter = Filter::new().address(address).topic1(topic);
        let query = log_filter(&filter, 3, 9);
        assert_eq!((query.from_block, query.to_block), (3, 9));
        let matching = alloy_primitives::Log {
            address,
            data: LogData::new_unchecked(vec![B256::ZERO, topic], Default::default()),
        };
        let wrong_position = alloy_primitives::Log {
            address,
            data: LogData::new_unchecked(vec![topic, B256::ZERO], Default::default()),
        };
        assert!(query.matches(&matching));
        assert!(!query.matches(&wrong_position));
        assert!(filter.matches(&matching) && !filter.matches(&wrong_position));
    }
}
