//! Fee suggestions and `eth_feeHistory` from the chain's blocks.

use std::sync::Arc;

use alloy_eips::{BlockId, BlockNumberOrTag};
use alloy_rpc_types_eth::FeeHistory;
use superlink_chain::StoredBlock;

use super::{ChainBackend, chain_error};
use crate::backend::{BackendResult, FeeOracle};

/// Reward percentiles of one block as geth computes them: tips sorted ascending, each percentile the tip
/// of the transaction at which that share of the block's gas is reached.
pub fn block_rewards(block: &StoredBlock, base_fee: u64, percentiles: &[f64]) -> Vec<u128> {
    let mut tips: Vec<(u128, u64)> = block
        .transactions
        .iter()
        .filter(|tx| !tx.is_deposit())
        .map(|tx| (tx.effective_gas_price.saturating_sub(u128::from(base_fee)), tx.gas_used))
        .collect();
    if tips.is_empty() {
        return vec![0; percentiles.len()];
    }
    tips.sort_unstable_by_key(|(tip, _)| *tip);
    let total: u64 = tips.iter().map(|(_, gas)| gas).sum();
    percentiles
        .iter()
        .map(|p| {
            let threshold = (total as f64 * p / 100.0) as u64;
            let mut sum = 0u64;
            for (tip, gas) in &tips {
                sum += gas;
                if sum >= threshold {
                    return *tip;
                }
            }
            tips.last().map(|(tip, _)| *tip).unwrap_or_default()
        })
        .collect()
}

impl FeeOracle for ChainBackend {
    fn gas_price(&self) -> BackendResult<u128> {
        let chain = self.read();
        Ok(u128::from(chain.next_base_fee()) + Self::suggested_tip(&chain))
    }

    fn max_priority_fee_per_gas(&self) -> BackendResult<u128> {
        Ok(Self::suggested_tip(&self.read()))
    }

    fn fee_history(
        &self,
        block_count: u64,
        newest: BlockNumberOrTag,
        reward_percentiles: &[f64],
    ) -> BackendResult<FeeHistory> {
        let chain = self.read();
        let newest_number = chain
            .resolve(BlockId::Number(newest))
            .map_err(|e| chain_error(e, Some(BlockId::Number(newest))))?;
        let count = block_count.min(newest_number + 1).min(1024);
        let oldest = newest_number + 1 - count;
        let blocks: Vec<Arc<StoredBlock>> =
            (oldest..=newest_number).filter_map(|n| chain.block_by_number(n)).collect();
        let mut base_fee_per_gas: Vec<u128> =
            blocks.iter().map(|b| u128::from(b.header.base_fee_per_gas.unwrap_or_default())).collect();
        let next_base_fee = match chain.block_by_number(newest_number + 1) {
            Some(next) => next.header.base_fee_per_gas.unwrap_or_default(),
            None => chain.next_base_fee(),
        };
        base_fee_per_gas.push(u128::from(next_base_fee));
        let gas_used_ratio = blocks
            .iter()
            .map(|b| {
                if b.header.gas_limit == 0 {
                    0.0
                } else {
                    b.header.gas_used as f64 / b.header.gas_limit as f64
                }
            })
            .collect();
        let reward = (!reward_percentiles.is_empty()).then(|| {
            blocks
                .iter()
                .map(|b| block_rewards(b, b.header.base_fee_per_gas.unwrap_or_default(), reward_percentiles))
                .collect()
        });
        Ok(FeeHistory {
            base_fee_per_gas,
            gas_used_ratio,
            base_fee_per_blob_gas: vec![0; blocks.len() + 1],
            blob_gas_used_ratio: vec![0.0; blocks.len()],
            oldest_block: oldest,
            reward,
        })
    }
}
