//! [`reexecute`]: one block executed from its parent's state root with an execution witness, and the roots
//! its execution produces.

use std::collections::BTreeMap;

use alloy_consensus::{Header, proofs::calculate_receipt_root, transaction::SignerRecoverable};
use alloy_primitives::{Address, B256, Bloom};
use alloy_rlp::Decodable;
use op_alloy_consensus::OpTxEnvelope;
use op_revm::OpSpecId;
use superlink_chain::{
    ExecutableTx, ExecutionWitness,
    execute::{ExecutionSettings, replay_block},
};
use superlink_protocol::{output_root_v0, predeploys::L2_TO_L1_MESSAGE_PASSER};

use crate::{
    error::{StatelessError, StatelessErrorKind},
    state::WitnessState,
    trie::NodeStore,
};

/// The chain settings a block is re-executed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExecutionConfig {
    /// Chain ID.
    pub chain_id: u64,
    /// The OP hardfork the EVM runs.
    pub spec: OpSpecId,
}

impl ExecutionConfig {
    /// The rules superlink's chains run (Isthmus) for chain `chain_id`.
    pub fn isthmus(chain_id: u64) -> Self {
        Self { chain_id, spec: OpSpecId::ISTHMUS }
    }
}

/// A block to re-execute: its header and its transactions with their senders.
#[derive(Debug, Clone)]
pub struct StatelessBlock {
    /// The block's header as served (its roots are what the re-execution checks; the rest is its input).
    pub header: Header,
    /// The block's transactions in order, with their senders.
    pub transactions: Vec<ExecutableTx>,
}

impl StatelessBlock {
    /// A block from transactions with senders as a node reports them (`from` of each RPC transaction): the
    /// sender recovered from the signature is used, and the reported one only for a transaction whose
    /// signature does not recover to it (a development node's impersonated sender), which is then executed
    /// as impersonated.
    pub fn from_reported(header: Header, transactions: Vec<(OpTxEnvelope, Address)>) -> Self {
        let transactions = transactions
            .into_iter()
            .map(|(envelope, reported)| {
                let recovered = match &envelope {
                    OpTxEnvelope::Deposit(deposit) => Some(deposit.from),
                    other => other.recover_signer().ok(),
                };
                if recovered == Some(reported) {
                    let hash = envelope.tx_hash();
                    ExecutableTx { envelope, sender: reported, hash, impersonated: false }
                } else {
                    ExecutableTx::impersonated(envelope, reported)
                }
            })
            .collect();
        Self { header, transactions }
    }

    /// A block as `eth_getBlockByNumber` returns it with full transactions, senders taken as
    /// [`StatelessBlock::from_reported`] takes them.
    pub fn from_rpc(block: alloy_rpc_types_eth::Block<op_alloy_rpc_types::Transaction>) -> Self {
        let header = block.header.inner;
        let transactions = block
            .transactions
            .into_transactions()
            .map(|tx| {
                let recovered = tx.inner.inner;
                let sender = recovered.signer();
                (recovered.into_inner(), sender)
            })
            .collect();
        Self::from_reported(header, transactions)
    }

    /// How many transactions were executed with a sender taken on the node's word.
    pub fn impersonated(&self) -> usize {
        self.transactions.iter().filter(|tx| tx.impersonated).count()
    }
}

/// The results of a block's stateless re-execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reexecution {
    /// The post-state root.
    pub state_root: B256,
    /// The receipts root.
    pub receipts_root: B256,
    /// The storage root of `L2ToL1MessagePasser` after the block (the header's withdrawals root since Isthmus).
    pub message_passer_storage_root: B256,
    /// The hash the block has once its header carries the recomputed state root, receipts root, logs bloom,
    /// gas used and withdrawals root.
    pub block_hash: B256,
    /// The output root (version 0) of the recomputed state root, message-passer root and block hash.
    pub output_root: B256,
    /// Gas used by the block.
    pub gas_used: u64,
    /// Logs bloom of the block's receipts.
    pub logs_bloom: Bloom,
}

/// Block hashes `BLOCKHASH` may read: the parent's, and those of the witness headers that chain back from it.
fn ancestor_hashes(
    parent: &Header,
    parent_hash: B256,
    witness: &ExecutionWitness,
) -> Result<BTreeMap<u64, B256>, StatelessErrorKind> {
    let mut headers = witness
        .headers
        .iter()
        .map(|rlp| {
            Header::decode(&mut rlp.as_ref()).map_err(|e| StatelessErrorKind::BadHeader(e.to_string()))
        })
        .collect::<Result<Vec<Header>, _>>()?;
    headers.sort_by_key(|header| std::cmp::Reverse(header.number));
    let mut hashes = BTreeMap::from([(parent.number, parent_hash)]);
    let mut expected = (parent.number, parent.parent_hash);
    for header in headers.iter().filter(|header| header.number < parent.number) {
        if header.number + 1 != expected.0 || header.hash_slow() != expected.1 {
            break;
        }
        hashes.insert(header.number, expected.1);
        expected = (header.number, header.parent_hash);
    }
    Ok(hashes)
}

/// Re-executes `block` on the state of `parent` (whose hash must be the block's `parentHash`) as revealed by
/// `witness`, with the chain's own block execution, and computes the roots the execution produces. Nothing of
/// the block's header is trusted but its inputs (number, timestamp, fee recipient, gas limit, base fee,
/// `prevRandao`, parent beacon root). CPU-bound: call it off async worker threads.
pub fn reexecute(
    block: &StatelessBlock,
    parent: &Header,
    witness: &ExecutionWitness,
    config: &ExecutionConfig,
) -> Result<Reexecution, StatelessError> {
    let number = block.header.number;
    let fail = |kind: StatelessErrorKind| StatelessError::new(config.chain_id, number, kind);
    let parent_hash = parent.hash_slow();
    if parent_hash != block.header.parent_hash {
        return Err(fail(StatelessErrorKind::ParentMismatch {
            expected: block.header.parent_hash,
            actual: parent_hash,
        }));
    }
    let hashes = ancestor_hashes(parent, parent_hash, witness).map_err(fail)?;
    let mut state = WitnessState::new(
        parent.state_root,
        NodeStore::new(&witness.state),
        witness.codes.iter().cloned(),
        hashes,
    );
    let settings = ExecutionSettings { chain_id: config.chain_id, spec: config.spec };
    let executed = replay_block(&mut state, settings, &block.header, block.transactions.clone())
        .map_err(|error| fail(StatelessErrorKind::Execution(error)))?;
    let (state_root, passer_root) =
        state.finish(L2_TO_L1_MESSAGE_PASSER).map_err(|error| fail(StatelessErrorKind::Witness(error)))?;
    let message_passer_storage_root = passer_root.unwrap_or(alloy_trie::EMPTY_ROOT_HASH);
    let receipts_root = calculate_receipt_root(&executed.receipts);
    let mut logs_bloom = Bloom::ZERO;
    for receipt in &executed.receipts {
        logs_bloom.accrue_bloom(receipt.logs_bloom());
    }
    let recomputed = Header {
        state_root,
        receipts_root,
        logs_bloom,
        gas_used: executed.gas_used,
        withdrawals_root: Some(message_passer_storage_root),
        ..block.header.clone()
    };
    let block_hash = recomputed.hash_slow();
    Ok(Reexecution {
        state_root,
        receipts_root,
        message_passer_storage_root,
        block_hash,
        output_root: output_root_v0(state_root, message_passer_storage_root, block_hash),
        gas_used: executed.gas_used,
        logs_bloom,
    })
}
