//! The chain's blocks, transactions, receipts, logs and account state, read under the service's read lock.

use alloy_eips::{BlockId, BlockNumberOrTag};
use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_rpc_types_eth::{EIP1186AccountProofResponse, Filter, FilterBlockOption, Log};
use superlink_chain::ExecutionWitness;
use superlink_node::ChainEvent;
use superlink_protocol::predeploys::SEQUENCER_FEE_VAULT;
use tokio::sync::broadcast;

use super::{ChainBackend, chain_error, submission::pooled_transaction};
use crate::{
    backend::{BackendResult, BlockProvider, StateProvider},
    chain_convert::{log_filter, rpc_block, rpc_receipt, rpc_transaction},
    error::BackendError,
    types::{RpcBlock, RpcReceipt, RpcTransaction},
};

impl BlockProvider for ChainBackend {
    fn chain_id(&self) -> u64 {
        self.service.chain_id()
    }

    fn reads_without_waiting(&self) -> bool {
        // A forked chain's reads may wait for its remote: they always run on the blocking pool.
        self.service.try_read().is_some_and(|chain| !chain.is_forked())
    }

    fn block_number(&self) -> BackendResult<u64> {
        Ok(self.read().head_number())
    }

    fn resolve_block_number(&self, tag: BlockNumberOrTag) -> BackendResult<Option<u64>> {
        Ok(self.read().resolve(BlockId::Number(tag)).ok())
    }

    fn block(&self, block: BlockId, full_transactions: bool) -> BackendResult<Option<RpcBlock>> {
        let stored = self.read().block(block);
        Ok(stored.map(|b| self.served_block(rpc_block(&b, full_transactions))))
    }

    fn block_receipts(&self, block: BlockId) -> BackendResult<Option<Vec<RpcReceipt>>> {
        let stored = self.read().block(block);
        Ok(stored.map(|b| (0..b.receipts.len()).filter_map(|i| rpc_receipt(&b, i)).collect()))
    }

    fn transaction_by_hash(&self, hash: B256) -> BackendResult<Option<RpcTransaction>> {
        let chain = self.read();
        if let Some((block, index)) = chain.transaction(&hash) {
            return Ok(rpc_transaction(&block, index));
        }
        if let Some(pooled) = chain.pool().get(&hash) {
            return Ok(Some(pooled_transaction(&pooled)));
        }
        // Neither mined on the canonical chain nor waiting: the block a reorganisation took it out of.
        Ok(chain.orphan_transaction(&hash).and_then(|(block, index)| rpc_transaction(&block, index)))
    }

    fn transaction_receipt(&self, hash: B256) -> BackendResult<Option<RpcReceipt>> {
        let found = self.read().transaction(&hash);
        Ok(found.and_then(|(block, index)| rpc_receipt(&block, index)))
    }

    fn logs(&self, filter: &Filter) -> BackendResult<Vec<Log>> {
        let chain = self.read();
        let (from, to) = match filter.block_option {
            FilterBlockOption::AtBlockHash(hash) => {
                let block = chain
                    .block_by_hash(&hash)
                    .ok_or(BackendError::BlockNotFound { block: BlockId::from(hash) })?;
                (block.number(), block.number())
            }
            FilterBlockOption::Range { .. } => {
                let head = chain.head_number();
                (filter.get_from_block().unwrap_or(head), filter.get_to_block().unwrap_or(head))
            }
        };
        Ok(chain.logs(&log_filter(filter, from, to)))
    }

    fn coinbase(&self) -> BackendResult<Address> {
        let head = self.read().head();
        // Genesis has no builder; every built block pays the sequencer fee vault by default.
        Ok(if head.number() == 0 { SEQUENCER_FEE_VAULT } else { head.header.beneficiary })
    }

    fn events(&self) -> broadcast::Receiver<ChainEvent> {
        self.service.events()
    }
}

impl StateProvider for ChainBackend {
    fn balance(&self, address: Address, block: BlockId) -> BackendResult<U256> {
        self.read().balance(address, block).map_err(|e| chain_error(e, Some(block)))
    }

    fn transaction_count(&self, address: Address, block: BlockId) -> BackendResult<u64> {
        let chain = self.read();
        if block == BlockId::Number(BlockNumberOrTag::Pending) {
            // Reads the account first, so a forked chain's remote failure is reported, not taken for nonce 0.
            chain.nonce(address, BlockId::latest()).map_err(|e| chain_error(e, Some(block)))?;
            return Ok(chain.pending_nonce(address));
        }
        chain.nonce(address, block).map_err(|e| chain_error(e, Some(block)))
    }

    fn code(&self, address: Address, block: BlockId) -> BackendResult<Bytes> {
        self.read().code(address, block).map_err(|e| chain_error(e, Some(block)))
    }

    fn storage_at(&self, address: Address, slot: B256, block: BlockId) -> BackendResult<B256> {
        let value = self
            .read()
            .storage(address, U256::from_be_bytes(slot.0), block)
            .map_err(|e| chain_error(e, Some(block)))?;
        Ok(B256::from(value))
    }

    fn proof(
        &self,
        address: Address,
        keys: Vec<B256>,
        block: BlockId,
    ) -> BackendResult<EIP1186AccountProofResponse> {
        self.read().proof(address, &keys, block).map_err(|e| chain_error(e, Some(block)))
    }

    fn execution_witness(&self, block: BlockNumberOrTag) -> BackendResult<ExecutionWitness> {
        let id = BlockId::Number(block);
        let chain = self.read();
        let number = chain.resolve(id).map_err(|e| chain_error(e, Some(id)))?;
        chain.execution_witness(number).map_err(|e| chain_error(e, Some(id)))
    }
}
