//! Checks that need only the transaction and the pool's configuration (no account state): chain ID, size,
//! fees, gas limits and intrinsic gas.

use alloy_consensus::Transaction;
use op_alloy_consensus::OpTxEnvelope;
use revm::{
    context_interface::cfg::gas::calculate_initial_tx_gas,
    primitives::{eip3860::MAX_INITCODE_SIZE, hardfork::SpecId},
};

use crate::{config::PoolConfig, error::InsertError, transaction::PoolTransaction};

/// The gas a transaction pays before executing, computed with revm's rules for a hardfork.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntrinsicGas {
    /// Base cost, calldata, access list, creation and EIP-7702 authorizations.
    pub intrinsic: u64,
    /// EIP-7623 calldata floor (Prague and later); 0 before.
    pub floor: u64,
}

/// Intrinsic gas and calldata floor of `tx` under `spec`.
pub fn intrinsic_gas(tx: &OpTxEnvelope, spec: SpecId) -> IntrinsicGas {
    let (accounts, storage_keys) = tx.access_list().map_or((0, 0), |list| {
        list.iter().fold((0u64, 0u64), |(accounts, keys), item| {
            (accounts + 1, keys + item.storage_keys.len() as u64)
        })
    });
    let authorizations = tx.authorization_list().map_or(0, |list| list.len() as u64);
    let gas =
        calculate_initial_tx_gas(spec, tx.input(), tx.is_create(), accounts, storage_keys, authorizations);
    let floor = if spec.is_enabled_in(SpecId::PRAGUE) { gas.floor_gas } else { 0 };
    IntrinsicGas { intrinsic: gas.initial_total_gas, floor }
}

/// Every check that does not read account state or the pool's contents, cheapest first.
pub fn validate_stateless(tx: &PoolTransaction, config: &PoolConfig) -> Result<(), InsertError> {
    let envelope = tx.tx();
    let size = tx.encoded().len();
    if size > config.max_tx_size {
        return Err(InsertError::Oversized { size, max: config.max_tx_size });
    }
    match envelope.chain_id() {
        Some(got) if got != config.chain_id => {
            return Err(InsertError::WrongChainId { expected: config.chain_id, got });
        }
        None if !config.allow_unprotected_legacy => return Err(InsertError::UnprotectedLegacy),
        _ => {}
    }
    if tx.nonce() == u64::MAX {
        return Err(InsertError::NonceMax { address: tx.sender(), nonce: tx.nonce() });
    }
    if envelope.is_create() && envelope.input().len() > MAX_INITCODE_SIZE {
        return Err(InsertError::InitcodeTooLarge { size: envelope.input().len(), max: MAX_INITCODE_SIZE });
    }
    if tx.gas_limit() > config.effective_gas_limit() {
        return Err(InsertError::GasLimitExceeded {
            gas_limit: tx.gas_limit(),
            limit: config.effective_gas_limit(),
        });
    }
    let (tip, fee_cap) = (tx.max_priority_fee_per_gas(), tx.max_fee_per_gas());
    if tip > fee_cap {
        return Err(InsertError::TipAboveFeeCap { tip, fee_cap });
    }
    if let OpTxEnvelope::Eip7702(signed) = envelope
        && signed.tx().authorization_list.is_empty()
    {
        return Err(InsertError::EmptyAuthorizationList);
    }
    let gas = intrinsic_gas(envelope, config.spec);
    if tx.gas_limit() < gas.intrinsic {
        return Err(InsertError::IntrinsicGasTooLow { gas_limit: tx.gas_limit(), intrinsic: gas.intrinsic });
    }
    if tx.gas_limit() < gas.floor {
        return Err(InsertError::FloorDataGasTooLow { gas_limit: tx.gas_limit(), floor: gas.floor });
    }
    if tip < config.min_priority_fee {
        return Err(InsertError::Underpriced { tip, minimum: config.min_priority_fee });
    }
    Ok(())
}
