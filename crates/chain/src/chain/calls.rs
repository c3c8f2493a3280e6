//! Calls without a transaction (`eth_call`, `eth_estimateGas`, `eth_createAccessList`) in the environment of
//! a block, with state and block overrides.

use alloy_consensus::Header;
use alloy_eips::BlockId;
use alloy_primitives::U256;
use alloy_rpc_types_eth::{BlockOverrides, TransactionRequest, state::StateOverride};
use revm::{context::BlockEnv, context_interface::block::BlobExcessGasAndPrice};

use crate::{
    call::{AccessListOutcome, CallContext, ExecutionOutcome},
    db::StateView,
    error::ChainError,
};

use super::{Chain, pending::is_pending};

/// The environment a call sees in the block with `header`.
pub(super) fn call_block_env(header: &Header) -> BlockEnv {
    BlockEnv {
        number: U256::from(header.number),
        beneficiary: header.beneficiary,
        timestamp: U256::from(header.timestamp),
        gas_limit: header.gas_limit,
        basefee: header.base_fee_per_gas.unwrap_or_default(),
        difficulty: U256::ZERO,
        prevrandao: Some(header.mix_hash),
        blob_excess_gas_and_price: Some(BlobExcessGasAndPrice::new(
            0,
            revm::primitives::eip4844::BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE,
        )),
        ..BlockEnv::default()
    }
}

impl Chain {
    /// Runs `run` with the state and block environment of block `id` (with `block_overrides` applied).
    /// At `pending` the call sees the pending block's environment and the state after it.
    pub(super) fn with_call_context<T>(
        &self,
        id: BlockId,
        block_overrides: Option<&BlockOverrides>,
        run: impl FnOnce(&CallContext<'_>) -> Result<T, ChainError>,
    ) -> Result<T, ChainError> {
        let finish = |mut context: CallContext<'_>| {
            if let Some(overrides) = block_overrides {
                context.apply_block_overrides(overrides);
            }
            run(&context)
        };
        if is_pending(id) {
            if let Some(pending) = self.pending_if_any()? {
                let view = StateView::new(&pending.state, Vec::new(), self.store.hashes());
                let block = call_block_env(&pending.block.header);
                return finish(CallContext { view, block, chain_id: self.chain_id, spec: self.config.spec });
            }
            // Nothing waits: the pending block would hold no transaction, so its environment over the head
            // state is all a call can tell apart.
            let head = self.store.head();
            let mut block = call_block_env(&head.header);
            block.number = U256::from(head.number() + 1);
            block.timestamp = U256::from(self.pending_timestamp());
            block.basefee = self.next_base_fee();
            block.beneficiary = self.config.fee_recipient;
            block.prevrandao = Some(self.l1.hash);
            let view = self.view_at(head.number())?;
            return finish(CallContext { view, block, chain_id: self.chain_id, spec: self.config.spec });
        }
        let number = self.resolve(id)?;
        let view = self.view_at(number)?;
        let header = &self
            .store
            .by_number(number)
            .ok_or_else(|| ChainError::BlockNotFound(number.to_string()))?
            .header;
        let block = call_block_env(header);
        finish(CallContext { view, block, chain_id: self.chain_id, spec: self.config.spec })
    }

    /// `eth_call`: executes `request` at block `id` with optional state and block overrides.
    pub fn call(
        &self,
        request: &TransactionRequest,
        id: BlockId,
        state_overrides: Option<&StateOverride>,
        block_overrides: Option<&BlockOverrides>,
    ) -> Result<ExecutionOutcome, ChainError> {
        self.with_call_context(id, block_overrides, |context| context.call(request, state_overrides))
    }

    /// `eth_estimateGas`: the smallest gas limit with which `request` succeeds at block `id`.
    pub fn estimate_gas(
        &self,
        request: &TransactionRequest,
        id: BlockId,
        state_overrides: Option<&StateOverride>,
        block_overrides: Option<&BlockOverrides>,
    ) -> Result<u64, ChainError> {
        self.with_call_context(id, block_overrides, |context| context.estimate_gas(request, state_overrides))
    }

    /// `eth_createAccessList`: the accounts and slots `request` touches at block `id`.
    pub fn create_access_list(
        &self,
        request: &TransactionRequest,
        id: BlockId,
        state_overrides: Option<&StateOverride>,
    ) -> Result<AccessListOutcome, ChainError> {
        self.with_call_context(id, None, |context| context.create_access_list(request, state_overrides))
    }
}
